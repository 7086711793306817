//! `stagecraft image snapshot REF`: an image in the Docker daemon as a base-image catalog
//! file, for `stagecraft simulate --catalog FILE` and the playground: every path of its root
//! filesystem, its config, its shell and the shell's flavour.

use std::path::PathBuf;

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Write a catalog file (schema 1) for an image the daemon has.
    Snapshot {
        /// The image (`name:tag`, an ID).
        reference: String,
        /// Where to write it (standard output by default).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

pub(crate) fn run(command: &Command) -> Result<Outcome, String> {
    let Command::Snapshot { reference, output } = command;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let file = runtime.block_on(async {
        let daemon = crate::docker::connect().await?;
        crate::docker::snapshot::catalog_file(&daemon, reference).await
    })?;
    let text = serde_json::to_string(&file).map_err(|e| e.to_string())?;
    match output {
        Some(path) => std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(Outcome::Clean)
}
