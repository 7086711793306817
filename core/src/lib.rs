//! Stagecraft's core: a Dockerfile parsed exactly as BuildKit parses it, and (in later layers)
//! planned and simulated over an in-memory layered filesystem.
//!
//! The pipeline (see `ARCHITECTURE.md`): [`syntax`] turns text into BuildKit's parse tree,
//! [`instructions`] types and validates each instruction, and [`shell`] is BuildKit's word
//! expansion. [`report`] holds the serialisable views that the CLI and the JS API share.
//!
//! Architecture invariant: this crate does no I/O, reads no environment or clock, starts no
//! thread or process (enforced by `clippy.toml`), and builds for `wasm32-unknown-unknown`.

pub mod analysis;
pub mod builders;
pub mod catalog;
pub mod diagnostic;
pub mod dockerignore;
pub mod fs;
pub mod gostr;
pub mod instructions;
pub mod json;
pub mod lint;
pub mod plan;
pub mod platform;
pub(crate) mod regex;
pub mod report;
pub mod run;
pub mod sh;
pub mod shell;
pub mod sim;
pub mod sort;
pub mod syntax;
pub mod text;

pub use analysis::{Analysis, CheckOptions, Checked};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use text::{LineIndex, Span};
