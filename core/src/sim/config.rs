//! The image config a stage builds up: the fields of the OCI image config that a Dockerfile
//! sets, changed by each instruction as BuildKit's dispatch changes them.

use serde::Serialize;

/// `HEALTHCHECK`, as stored in the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HealthConfig {
    /// `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", "..."]`.
    pub test: Vec<String>,
    /// Nanoseconds; 0 means the default.
    pub interval: i64,
    pub timeout: i64,
    pub start_period: i64,
    pub start_interval: i64,
    pub retries: i64,
}

/// The OCI image config fields a Dockerfile controls.
///
/// The collections are persistent (`rpds`): a stage built FROM another clones its config in
/// O(1), so a chain of thousands of stages costs linear time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// `KEY=value`, in order (a later ENV of the same key replaces it in place).
    pub env: rpds::VectorSync<String>,
    /// Where each key sits in `env`.
    #[serde(skip)]
    env_index: rpds::RedBlackTreeMapSync<String, usize>,
    pub workdir: String,
    pub user: String,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// `80/tcp`, sorted.
    pub exposed_ports: rpds::RedBlackTreeSetSync<String>,
    pub labels: rpds::RedBlackTreeMapSync<String, String>,
    /// Sorted.
    pub volumes: rpds::RedBlackTreeSetSync<String>,
    pub healthcheck: Option<HealthConfig>,
    /// `SHELL`; the default shell when empty.
    pub shell: Vec<String>,
    pub stop_signal: Option<String>,
    /// ONBUILD triggers, for stages built FROM this image.
    pub onbuild: Vec<String>,
    /// `MAINTAINER` (the deprecated `author` field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// A Windows image (its `os`): shell-form commands run through `cmd /S /C`, and RUN is
    /// not simulated.
    #[serde(skip)]
    pub windows: bool,
}

impl ImageConfig {
    /// BuildKit's `addEnv`: replace the key in place, or append.
    pub fn set_env(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        if let Some(&at) = self.env_index.get(key) {
            self.env.set_mut(at, entry);
        } else {
            self.env_index.insert_mut(key.to_string(), self.env.len());
            self.env.push_back_mut(entry);
        }
    }

    /// The value of an environment variable.
    #[must_use]
    pub fn env_value(&self, key: &str) -> Option<&str> {
        let at = *self.env_index.get(key)?;
        self.env.get(at)?.strip_prefix(key)?.strip_prefix('=')
    }

    /// The environment as `KEY=value` strings, in order.
    #[must_use]
    pub fn env_list(&self) -> Vec<String> {
        self.env.iter().cloned().collect()
    }

    pub fn expose(&mut self, port: String) {
        self.exposed_ports.insert_mut(port);
    }

    pub fn add_volume(&mut self, path: String) {
        self.volumes.insert_mut(path);
    }

    pub fn set_label(&mut self, key: String, value: String) {
        self.labels.insert_mut(key, value);
    }

    /// The working directory as a path in the filesystem: a Windows image's config has
    /// backslashes (`\\app`).
    #[must_use]
    pub fn workdir_path(&self) -> String {
        if self.windows { self.workdir.replace('\\', "/") } else { self.workdir.clone() }
    }

    /// The shell a shell-form command runs with.
    #[must_use]
    pub fn shell_or_default(&self) -> Vec<String> {
        if !self.shell.is_empty() {
            return self.shell.clone();
        }
        if self.windows { vec!["cmd".into(), "/S".into(), "/C".into()] } else { vec!["/bin/sh".into(), "-c".into()] }
    }
}

impl From<&crate::catalog::ImageConfig> for ImageConfig {
    fn from(c: &crate::catalog::ImageConfig) -> Self {
        let mut config = Self {
            workdir: c.working_dir.clone(),
            user: c.user.clone(),
            cmd: c.cmd.clone(),
            entrypoint: c.entrypoint.clone(),
            stop_signal: c.stop_signal.clone(),
            ..Self::default()
        };
        for (k, v) in &c.env {
            config.set_env(k, v);
        }
        for p in &c.exposed_ports {
            config.expose(p.clone());
        }
        for v in &c.volumes {
            config.add_volume(v.clone());
        }
        config
    }
}
