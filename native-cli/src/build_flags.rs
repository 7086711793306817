//! The build options `graph`, `outline`, `targets` and `check` share with `docker build`:
//! the context, `-f`, `--target`, `--build-arg`, `--build-context` and `--platform`.

use std::path::{Path, PathBuf};

use stagecraft_core::plan::BuildOptions;
use stagecraft_core::platform::Platform;
use stagecraft_core::{Analysis, CheckOptions, Checked, Diagnostic};

use crate::input::{self, Source};

/// The output of `outline` and `targets`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BuildFlags {
    /// The build context directory (its `.dockerignore` is read).
    #[arg(default_value = ".")]
    pub(crate) context: PathBuf,
    /// The Dockerfile (default: `CONTEXT/Dockerfile`), or `-` for standard input.
    #[arg(short = 'f', long = "file")]
    pub(crate) file: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) options: OptionFlags,
}

/// Options without the context and file (for `check`, which takes files).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct OptionFlags {
    /// The stage to build (matched case-insensitively); the last stage by default.
    #[arg(long)]
    pub(crate) target: Option<String>,
    /// `NAME=VALUE`, or `NAME` to take the value from the environment (as `docker build`).
    #[arg(long = "build-arg", value_name = "NAME[=VALUE]")]
    pub(crate) build_args: Vec<String>,
    /// `NAME=VALUE`: replace an image or a stage by another source (as `docker buildx build`).
    #[arg(long = "build-context", value_name = "NAME=VALUE")]
    pub(crate) build_contexts: Vec<String>,
    /// The target platform, such as `linux/arm64`.
    #[arg(long)]
    pub(crate) platform: Option<String>,
}

impl OptionFlags {
    pub(crate) fn build_options(&self) -> Result<BuildOptions, String> {
        let mut build_args = Vec::new();
        for arg in &self.build_args {
            match arg.split_once('=') {
                Some((k, v)) => build_args.push((k.to_string(), v.to_string())),
                // `docker build --build-arg NAME` passes the variable only when it is set.
                None => {
                    if let Ok(v) = std::env::var(arg) {
                        build_args.push((arg.clone(), v));
                    }
                }
            }
        }
        let mut build_contexts = Vec::new();
        for c in &self.build_contexts {
            let (k, v) = c.split_once('=').ok_or_else(|| format!("--build-context {c}: expected NAME=VALUE"))?;
            build_contexts.push((k.to_string(), v.to_string()));
        }
        Ok(BuildOptions {
            target: self.target.clone(),
            build_args,
            build_contexts,
            platform: self.platform.clone(),
            build_platform: Some(Platform::from_rust_target(std::env::consts::OS, std::env::consts::ARCH)).map(|p| {
                // Docker builds Linux images, whatever the host.
                Platform { os: "linux".into(), ..p }
            }),
        })
    }
}

/// The `.dockerignore` BuildKit uses: `<Dockerfile>.dockerignore` beside the Dockerfile, else
/// the context's `.dockerignore`.
pub(crate) fn dockerignore(dockerfile: &Path, context: &Path) -> Result<Option<String>, String> {
    let beside = {
        let mut name = dockerfile.as_os_str().to_os_string();
        name.push(".dockerignore");
        PathBuf::from(name)
    };
    for candidate in [beside, context.join(".dockerignore")] {
        if dockerfile.as_os_str() == "-" && candidate != context.join(".dockerignore") {
            continue;
        }
        match std::fs::read(&candidate) {
            Ok(bytes) => return Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", candidate.display())),
        }
    }
    Ok(None)
}

impl BuildFlags {
    /// Reads the Dockerfile and the `.dockerignore`, and makes the options.
    pub(crate) fn load(&self, all_stages: bool) -> Result<(Source, CheckOptions), String> {
        let file = self.file.clone().unwrap_or_else(|| self.context.join("Dockerfile"));
        let source = input::read(&file)?;
        let options = CheckOptions {
            build: self.options.build_options()?,
            dockerignore: dockerignore(&file, &self.context)?,
            all_stages,
            catalog: None,
        };
        Ok((source, options))
    }
}

/// A Dockerfile read, parsed and checked for a plan command.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) source: Source,
    pub(crate) analysis: Analysis,
    pub(crate) checked: Checked,
    /// The decoding diagnostic, when the file was not UTF-8.
    pub(crate) extra: Vec<Diagnostic>,
}

impl Loaded {
    /// Every diagnostic, the decoding one first.
    pub(crate) fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.extra.iter().chain(&self.checked.diagnostics)
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics().any(Diagnostic::is_error)
    }
}

impl BuildFlags {
    /// Reads, parses and checks the Dockerfile for the target's stages.
    pub(crate) fn check(&self) -> Result<Loaded, String> {
        self.check_with(None)
    }

    /// [`Self::check`] with extra base images (`--catalog` files) the checks know too.
    pub(crate) fn check_with(&self, catalog: Option<stagecraft_core::catalog::Catalog>) -> Result<Loaded, String> {
        let (source, mut options) = self.load(false)?;
        options.catalog = catalog;
        let analysis = Analysis::new(&source.text);
        let checked = analysis.check(&source.text, &options);
        let extra = source.decode_diagnostic.clone().into_iter().collect();
        Ok(Loaded { source, analysis, checked, extra })
    }
}
