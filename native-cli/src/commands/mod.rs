//! One module per subcommand.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod graph;
pub(crate) mod image;
pub(crate) mod outline;
pub(crate) mod parse;
pub(crate) mod rules;
pub(crate) mod serve;
pub(crate) mod simulate;
pub(crate) mod targets;
