//! Stagecraft's core for the browser: plain serialisable values over wasm-bindgen, no
//! Dockerfile semantics (a rule found here would be a bug in the core).
//!
//! Positions: spans are byte offsets into the UTF-8 text; lines and columns are 1-based and
//! columns count UTF-16 code units, as JavaScript editors do.

use serde::{Deserialize, Serialize};
use stagecraft_core::plan::BuildOptions;
use stagecraft_core::report::plan::{GraphReport, OutlineReport, TargetsReport};
use stagecraft_core::report::{CheckReport, ParseReport, SCHEMA, diagnostic_views};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, CheckOptions, syntax};
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

/// Build options from JavaScript: `{ target, buildArgs: {NAME: value}, buildContexts:
/// {NAME: value}, platform, dockerignore }`, every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    target: Option<String>,
    build_args: std::collections::BTreeMap<String, String>,
    build_contexts: std::collections::BTreeMap<String, String>,
    platform: Option<String>,
    dockerignore: Option<String>,
}

fn options(value: &JsValue, lint: bool) -> Result<CheckOptions, JsError> {
    let options: Options = if value.is_undefined() || value.is_null() {
        Options::default()
    } else {
        serde_wasm_bindgen::from_value(value.clone()).map_err(|e| JsError::new(&format!("invalid options: {e}")))?
    };
    let build = BuildOptions {
        target: options.target.filter(|t| !t.is_empty()),
        build_args: options.build_args.into_iter().collect(),
        build_contexts: options.build_contexts.into_iter().collect(),
        platform: options.platform.filter(|p| !p.is_empty()),
        build_platform: None,
    };
    let mut check = if lint { CheckOptions::lint(build) } else { CheckOptions { build, ..CheckOptions::default() } };
    check.dockerignore = options.dockerignore;
    Ok(check)
}

/// Every diagnostic with BuildKit's build checks, in the schema of
/// `stagecraft check --format json`. Without a target, every stage is checked.
#[wasm_bindgen]
pub fn check(text: &str, options_value: &JsValue) -> Result<JsValue, JsError> {
    let options = options(options_value, true)?;
    let checked = Analysis::new(text).check(text, &options);
    to_js(&CheckReport { schema: SCHEMA, diagnostics: diagnostic_views(&checked.diagnostics, text, ColumnUnit::Utf16) })
}

/// The stages, which ones the target builds and why: `stagecraft graph --format json`.
#[wasm_bindgen]
pub fn graph(text: &str, options_value: &JsValue) -> Result<JsValue, JsError> {
    let options = options(options_value, false)?;
    let analysis = Analysis::new(text);
    let checked = analysis.check(text, &options);
    to_js(&GraphReport::new(&analysis, &checked, text, &[], ColumnUnit::Utf16))
}

/// Build args, secrets and ssh mounts the target uses: `stagecraft outline --format json`.
#[wasm_bindgen]
pub fn outline(text: &str, options_value: &JsValue) -> Result<JsValue, JsError> {
    let options = options(options_value, false)?;
    let analysis = Analysis::new(text);
    let checked = analysis.check(text, &options);
    to_js(&OutlineReport::new(&analysis, &checked, text, &[], ColumnUnit::Utf16))
}

/// Every stage a build can target: `stagecraft targets --format json`.
#[wasm_bindgen]
pub fn targets(text: &str) -> Result<JsValue, JsError> {
    let analysis = Analysis::new(text);
    let plan = analysis.plan(text, &BuildOptions::default());
    to_js(&TargetsReport::new(&analysis, &plan, text, &[], ColumnUnit::Utf16))
}

/// BuildKit's build-check rules, as data.
#[wasm_bindgen]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&stagecraft_core::lint::RULES)
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
