//! The image config a stage builds up: the fields of the OCI image config that a Dockerfile
//! sets, changed by each instruction as BuildKit's dispatch changes them.

use std::collections::BTreeMap;

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// `KEY=value`, in order (a later ENV of the same key replaces it in place).
    pub env: Vec<String>,
    pub workdir: String,
    pub user: String,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// `80/tcp`, sorted.
    pub exposed_ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// Sorted.
    pub volumes: Vec<String>,
    pub healthcheck: Option<HealthConfig>,
    /// `SHELL`; the default shell when empty.
    pub shell: Vec<String>,
    pub stop_signal: Option<String>,
    /// ONBUILD triggers, for stages built FROM this image.
    pub onbuild: Vec<String>,
    /// `MAINTAINER` (the deprecated `author` field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl ImageConfig {
    /// BuildKit's `addEnv`: replace the key in place, or append.
    pub fn set_env(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self.env.iter_mut().find(|e| e.split('=').next() == Some(key)) {
            Some(existing) => *existing = entry,
            None => self.env.push(entry),
        }
    }

    /// The value of an environment variable.
    #[must_use]
    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env.iter().find_map(|e| e.strip_prefix(key)?.strip_prefix('='))
    }

    pub fn expose(&mut self, port: String) {
        if !self.exposed_ports.contains(&port) {
            self.exposed_ports.push(port);
            self.exposed_ports.sort();
        }
    }

    pub fn add_volume(&mut self, path: String) {
        if !self.volumes.contains(&path) {
            self.volumes.push(path);
            self.volumes.sort();
        }
    }

    /// The shell a shell-form command runs with.
    #[must_use]
    pub fn shell_or_default(&self, os: &str) -> Vec<String> {
        if !self.shell.is_empty() {
            return self.shell.clone();
        }
        if os == "windows" { vec!["cmd".into(), "/S".into(), "/C".into()] } else { vec!["/bin/sh".into(), "-c".into()] }
    }
}

impl From<&crate::catalog::ImageConfig> for ImageConfig {
    fn from(c: &crate::catalog::ImageConfig) -> Self {
        let mut config = Self {
            env: c.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            workdir: c.working_dir.clone(),
            user: c.user.clone(),
            cmd: c.cmd.clone(),
            entrypoint: c.entrypoint.clone(),
            stop_signal: c.stop_signal.clone(),
            ..Self::default()
        };
        for p in &c.exposed_ports {
            config.expose(p.clone());
        }
        config
    }
}
