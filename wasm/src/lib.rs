//! Stagecraft's core for the browser: plain serialisable values over wasm-bindgen, no
//! Dockerfile semantics (a rule found here would be a bug in the core).
//!
//! Positions: spans are byte offsets into the UTF-8 text; lines and columns are 1-based and
//! columns count UTF-16 code units, as JavaScript editors do.

use serde::Serialize;
use stagecraft_core::report::{CheckReport, ParseReport, SCHEMA, diagnostic_views};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, syntax};
use wasm_bindgen::prelude::*;

/// Installs the panic hook, so that a panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

/// The syntax layer's report, in the schema of `stagecraft parse --format json`.
#[wasm_bindgen]
pub fn parse(text: &str) -> Result<JsValue, JsError> {
    let tree = syntax::parse(text);
    to_js(&ParseReport::new(&tree, text, &[], ColumnUnit::Utf16))
}

/// Every diagnostic, in the schema of `stagecraft check --format json`.
#[wasm_bindgen]
pub fn check(text: &str) -> Result<JsValue, JsError> {
    let analysis = Analysis::new(text);
    to_js(&CheckReport {
        schema: SCHEMA,
        diagnostics: diagnostic_views(analysis.diagnostics(), text, ColumnUnit::Utf16),
    })
}

/// BuildKit's parser dump (`stagecraft parse --format buildkit`).
#[wasm_bindgen(js_name = dumpBuildkit)]
#[must_use]
pub fn dump_buildkit(text: &str) -> String {
    syntax::dump(&syntax::parse(text))
}

/// The version of the core this module was built from.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
