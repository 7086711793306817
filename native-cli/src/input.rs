//! Reading the Dockerfile: a path or `-` for standard input, decoded by the core.

use std::io::Read;
use std::path::PathBuf;

use stagecraft_core::Diagnostic;

/// A Dockerfile's text (repaired if it was not UTF-8) and where it came from.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) text: String,
    /// Set when the bytes were not valid UTF-8.
    pub(crate) decode_diagnostic: Option<Diagnostic>,
}

pub(crate) fn read(path: &PathBuf) -> Result<Source, String> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        (path.display().to_string(), bytes)
    };
    // Valid UTF-8 becomes the text without a copy; anything else is repaired by the core.
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source { name, text, decode_diagnostic: None }),
        Err(err) => {
            let decoded = stagecraft_core::syntax::decode(err.as_bytes());
            Ok(Source { name, text: decoded.text.into_owned(), decode_diagnostic: decoded.diagnostic })
        }
    }
}
