//! `stagecraft`: check, explain and simulate Dockerfiles, and build them with Docker.
//!
//! A thin layer over `stagecraft-core`: it reads files, parses arguments and prints. Any rule
//! about Dockerfiles found here would be a bug (ARCHITECTURE.md).

// A command-line tool prints its results on standard output.
#![allow(clippy::print_stdout)]

mod build_flags;
mod catalog;
mod commands;
mod context;
mod docker;
mod input;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "stagecraft",
    version,
    about = "Understand Docker multi-stage builds: parse, check, plan and simulate Dockerfiles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run BuildKit's parser only and print its tree.
    Parse(commands::parse::Args),
    /// Report every problem in a Dockerfile: errors and BuildKit's build checks.
    Check(commands::check::Args),
    /// Show the stages, which ones the target builds and why (text, JSON, Graphviz, Mermaid).
    Graph(commands::graph::Args),
    /// Show what building the target needs: build args, secrets and ssh mounts.
    Outline(commands::outline::Args),
    /// List the stages a build can target, with their descriptions.
    Targets(commands::targets::Args),
    /// List BuildKit's build checks, or explain one (what, why, a bad and a good example).
    Rules(commands::rules::Args),
    /// Simulate the build: every stage's layers, the image's files and config (text, JSON, tar).
    Simulate(commands::simulate::Args),
    /// Build for real with a Docker daemon (`DOCKER_HOST`): pre-flight checks first, then the
    /// context streamed and the daemon's output tied back to the Dockerfile's lines.
    Build(commands::build::Args),
    /// Images in the Docker daemon: `snapshot` writes one as a base-image catalog file.
    #[command(subcommand)]
    Image(commands::image::Command),
    /// Serve the playground (embedded when this binary was built after `cargo xtask dist`).
    Serve(commands::serve::Args),
}

/// How a command ended: 0 clean, 1 the Dockerfile has errors, 2 usage or I/O failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Clean,
    DockerfileErrors,
    Failure,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::DockerfileErrors => ExitCode::from(1),
            Outcome::Failure => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => commands::parse::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::Graph(args) => commands::graph::run(&args),
        Command::Outline(args) => commands::outline::run(&args),
        Command::Targets(args) => commands::targets::run(&args),
        Command::Rules(args) => commands::rules::run(&args),
        Command::Simulate(args) => commands::simulate::run(&args),
        Command::Build(args) => commands::build::run(&args),
        Command::Image(command) => commands::image::run(&command),
        Command::Serve(args) => commands::serve::run(&args),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            eprintln!("stagecraft: {err}");
            Outcome::Failure.into()
        }
    }
}
