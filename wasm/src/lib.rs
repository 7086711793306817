//! Stagecraft's core for the browser: plain serialisable values over wasm-bindgen, no
//! Dockerfile semantics (a rule found here would be a bug in the core).
//!
//! Positions: spans are byte offsets into the UTF-8 text; lines and columns are 1-based and
//! columns count UTF-16 code units, as JavaScript editors do.

use serde::Serialize;
use stagecraft_core::catalog::{Catalog, Index};
use stagecraft_core::fs::Content;
use stagecraft_core::json::{Fields, Value};
use stagecraft_core::plan::BuildOptions;
use stagecraft_core::report::plan::{GraphReport, OutlineReport, TargetsReport};
use stagecraft_core::report::sim::{Browse, FileContent, SimulationReport};
use stagecraft_core::report::{CheckReport, ParseReport, SCHEMA, diagnostic_views};
use stagecraft_core::sim::{BuildContext, Session, Simulation, cache};
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, CheckOptions, syntax};
use wasm_bindgen::prelude::*;

/// Installs the panic hook, so that a panic reaches the console with its message in the
/// builds that format one (the tests'). The playground's build (`cargo xtask dist`) uses the
/// `immediate-abort` panic strategy: there a panic is a bare trap (`unreachable`), which the
/// page reports as a failed simulation and recovers from, as it did with `panic = "abort"`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A value for JavaScript: written as JSON and read by the browser's `JSON.parse`. Building
/// the objects from Rust instead (serde-wasm-bindgen, as this crate first did) makes the same
/// values with about 6 KiB more of the gzipped .wasm, whose budget the RUN interpreter's tool
/// models need (measured with `cargo xtask dist`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("the browser could not read a report"))
}

/// The syntax layer's report, in the schema of `stagecraft parse --format json`.
#[wasm_bindgen]
pub fn parse(text: &str) -> Result<JsValue, JsError> {
    let tree = syntax::parse(text);
    to_js(&ParseReport::new(&tree, text, &[], ColumnUnit::Utf16))
}

/// Build options from JavaScript: `{ target, buildArgs: {NAME: value}, buildContexts:
/// {NAME: value}, platform, dockerignore, stage }`, every field optional.
#[derive(Debug, Default)]
struct Options {
    target: Option<String>,
    build_args: std::collections::BTreeMap<String, String>,
    build_contexts: std::collections::BTreeMap<String, String>,
    platform: Option<String>,
    dockerignore: Option<String>,
    /// The stage whose image the simulation report shows (the target by default).
    stage: Option<usize>,
}

/// Reads the options through their JSON text and the core's small JSON reader (a derived
/// `Deserialize` costs the .wasm budget more than this does).
fn parse_options(value: &JsValue) -> Result<Options, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Options::default());
    }
    let invalid = |e: &str| JsError::new(&format!("invalid options: {e}"));
    let text = js_sys::JSON::stringify(value).map_err(|_| invalid("not serialisable as JSON"))?;
    let text = text.as_string().unwrap_or_default();
    let json = stagecraft_core::json::parse(&text).map_err(|e| invalid(&e.to_string()))?;
    let mut f = Fields::of(json).map_err(|e| invalid(&e))?;
    let mut map = |key: &str| -> Result<std::collections::BTreeMap<String, String>, JsError> {
        let mut out = std::collections::BTreeMap::new();
        match f.take(key) {
            None => {}
            Some(Value::Object(members)) => {
                for (k, v) in members {
                    let Value::String(v) = v else {
                        return Err(invalid(&format!("`{key}.{k}`: expected a string, found {}", v.kind())));
                    };
                    out.insert(k, v);
                }
            }
            Some(other) => return Err(invalid(&format!("`{key}`: expected an object, found {}", other.kind()))),
        }
        Ok(out)
    };
    let (build_args, build_contexts) = (map("buildArgs")?, map("buildContexts")?);
    Ok(Options {
        target: f.opt_str("target").map_err(|e| invalid(&e))?,
        build_args,
        build_contexts,
        platform: f.opt_str("platform").map_err(|e| invalid(&e))?,
        dockerignore: f.opt_str("dockerignore").map_err(|e| invalid(&e))?,
        stage: f
            .opt_u64("stage")
            .map_err(|e| invalid(&e))?
            .map(|n| usize::try_from(n).map_err(|_| invalid("`stage`: out of range")))
            .transpose()?,
    })
}

fn options(value: &JsValue, lint: bool) -> Result<CheckOptions, JsError> {
    Ok(options_from(parse_options(value)?, lint))
}

fn options_from(options: Options, lint: bool) -> CheckOptions {
    let build = BuildOptions {
        target: options.target.filter(|t| !t.is_empty()),
        build_args: options.build_args.into_iter().collect(),
        build_contexts: options.build_contexts.into_iter().collect(),
        platform: options.platform.filter(|p| !p.is_empty()),
        build_platform: None,
    };
    let mut check = if lint { CheckOptions::lint(build) } else { CheckOptions { build, ..CheckOptions::default() } };
    check.dockerignore = options.dockerignore;
    check
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

/// Hands the RUN interpreter its tool models (the text of `core/src/run/tools.txt`): the
/// browser build does not carry them, the page bundles them (see `web/src/worker.js`).
#[wasm_bindgen(js_name = loadToolModels)]
pub fn load_tool_models(text: &str) {
    stagecraft_core::run::load_tool_models(text);
}

/// BuildKit's build-check rules, as data.
#[wasm_bindgen]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&stagecraft_core::lint::RULES)
}

/// Every instruction with what it does and its flags, and the `--mount` types: what the
/// editor completes and explains.
#[wasm_bindgen]
pub fn instructions() -> Result<JsValue, JsError> {
    to_js(&stagecraft_core::report::InstructionsReport::new())
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

/// A JS property, `undefined` when absent.
fn prop(object: &JsValue, key: &str) -> Result<JsValue, JsError> {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).map_err(|_| JsError::new(&format!("cannot read `{key}`")))
}

/// The build context from `{ files: [{ path, text?, bytes?, mode? }], dockerignore?, unknown? }`.
fn context_from(value: &JsValue) -> Result<(BuildContext, Option<String>), JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok((BuildContext::default(), None));
    }
    let dockerignore = prop(value, "dockerignore")?.as_string();
    let files = prop(value, "files")?;
    let mut out = Vec::new();
    if !files.is_undefined() && !files.is_null() {
        let files: js_sys::Array = files.dyn_into().map_err(|_| JsError::new("context.files must be an array"))?;
        for (i, file) in files.iter().enumerate() {
            let path = prop(&file, "path")?
                .as_string()
                .ok_or_else(|| JsError::new(&format!("context.files[{i}].path must be a string")))?;
            let text = prop(&file, "text")?;
            let bytes = prop(&file, "bytes")?;
            let content = if let Some(text) = text.as_string() {
                Content::bytes(text.into_bytes())
            } else if let Some(bytes) = bytes.dyn_ref::<js_sys::Uint8Array>() {
                Content::bytes(bytes.to_vec())
            } else {
                return Err(JsError::new(&format!(
                    "context file {}: give `text` (a string) or `bytes` (a `Uint8Array`)",
                    stagecraft_core::gostr::quote(&path)
                )));
            };
            let mode = prop(&file, "mode")?.as_f64().map_or(0o644, |m| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let m = m as u32;
                m
            });
            out.push((path, content, mode));
        }
    }
    let mut context = BuildContext::from_files(out, dockerignore.as_deref()).map_err(|e| JsError::new(&e))?;
    // `unknown: true`: the context's files are not given (COPY brings stand-ins).
    context.unknown = prop(value, "unknown")?.as_bool().unwrap_or(false);
    Ok((context, dockerignore))
}

#[derive(Serialize)]
struct SimulateResult<'a> {
    report: &'a SimulationReport,
    graph: &'a GraphReport,
    statuses: &'a [cache::StepStatus],
    log: String,
    /// Listing files the Dockerfile's images need that were not loaded: their trees are
    /// missing from this result (load them with `addListing` and simulate again).
    missing: Vec<String>,
}

/// The last simulation, kept for browsing its filesystems.
#[derive(Debug)]
struct Last {
    checked: stagecraft_core::Checked,
    sim: Simulation,
}

/// A playground session: the catalog (index and the listings loaded so far), and the last
/// simulation for browsing and cache comparison.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Playground {
    index: Option<Index>,
    listings: std::collections::BTreeMap<String, String>,
    extra: Catalog,
    /// The catalog built for a set of image names, reused while the set stays the same.
    catalog: Option<(Vec<String>, Catalog)>,
    session: Session,
    last: Option<Last>,
}

impl Default for Playground {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Playground {
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> Self {
        Self {
            index: None,
            listings: std::collections::BTreeMap::new(),
            extra: Catalog::empty(),
            catalog: None,
            session: Session::new(),
            last: None,
        }
    }

    /// Registers the catalog index (`catalog/index.json`).
    #[wasm_bindgen(js_name = addIndex)]
    pub fn add_index(&mut self, text: &str) -> Result<(), JsError> {
        self.index = Some(Index::parse(text).map_err(|e| JsError::new(&e))?);
        self.catalog = None;
        Ok(())
    }

    /// Hands over a listing's text, by its file name in the index.
    #[wasm_bindgen(js_name = addListing)]
    pub fn add_listing(&mut self, name: &str, text: String) {
        self.listings.insert(name.to_string(), text);
        self.catalog = None;
    }

    /// Adds an extra catalog file (the CLI's `--catalog` format); its images win.
    #[wasm_bindgen(js_name = addCatalog)]
    pub fn add_catalog(&mut self, text: &str) -> Result<usize, JsError> {
        let added = self.extra.load(text).map_err(|e| JsError::new(&e))?;
        self.catalog = None;
        Ok(added)
    }

    /// Hands over the package catalog (`catalog/packages/debian-bookworm.txt`): what Debian's
    /// packages install, for the apt model. Returns how many packages it has.
    #[wasm_bindgen(js_name = loadPackages)]
    pub fn load_packages(&mut self, text: &str) -> Result<usize, JsError> {
        let packages = stagecraft_core::catalog::Packages::parse(text).map_err(|e| JsError::new(&e))?;
        let n = packages.len();
        self.extra.set_packages(packages);
        self.catalog = None;
        Ok(n)
    }

    /// The listing files the images of `dockerfile` need that are not loaded yet.
    #[wasm_bindgen(js_name = missingListings)]
    pub fn missing_listings(&self, dockerfile: &str, options: &JsValue) -> Result<Vec<String>, JsError> {
        let options = options_from(parse_options(options)?, false);
        let checked = Analysis::new(dockerfile).check(dockerfile, &options);
        Ok(self.missing(&checked.plan.images_used()))
    }

    fn missing(&self, names: &[String]) -> Vec<String> {
        let Some(index) = &self.index else { return Vec::new() };
        index.files_for(names).into_iter().filter(|f| !self.listings.contains_key(*f)).map(str::to_string).collect()
    }

    /// Makes `self.catalog` the catalog for the images in `names`: the built-in configs, the
    /// index's trees whose listings are loaded, and the extra catalogs. Kept while the set of
    /// images stays the same, so an edit does not rebuild base-image trees.
    fn refresh_catalog(&mut self, names: &[String]) -> Result<(), JsError> {
        if self.catalog.as_ref().is_some_and(|(n, _)| n == names) {
            return Ok(());
        }
        let mut catalog = Catalog::builtin();
        if let Some(index) = &self.index {
            // Only images whose every listing is here: a half-loaded chain is no tree.
            let ready: Vec<String> = names
                .iter()
                .filter(|n| index.files_for(std::slice::from_ref(n)).iter().all(|f| self.listings.contains_key(*f)))
                .cloned()
                .collect();
            let listings = &self.listings;
            catalog
                .add_index(index, Some(&ready), &mut |name| listings.get(name).cloned())
                .map_err(|e| JsError::new(&e))?;
        }
        catalog.extend(&self.extra);
        self.catalog = Some((names.to_vec(), catalog));
        Ok(())
    }

    /// Simulates `dockerfile` with `context` and `options`: `{ report, graph, statuses, log,
    /// missing }` (see the type declarations). Each run is compared with the previous one for
    /// the cache report.
    pub fn simulate(&mut self, dockerfile: &str, context: &JsValue, options: &JsValue) -> Result<JsValue, JsError> {
        let parsed = parse_options(options)?;
        let stage = parsed.stage;
        let mut check = options_from(parsed, true);
        let (context, dockerignore) = context_from(context)?;
        if check.dockerignore.is_none() {
            check.dockerignore = dockerignore;
        }
        // The extra catalogs' images count for the checks too (their configs: ENV, user).
        if !self.extra.is_empty() {
            check.catalog = Some(self.extra.clone());
        }
        let analysis = Analysis::new(dockerfile);
        let checked = analysis.check(dockerfile, &check);
        let names = checked.plan.images_used();
        let missing = self.missing(&names);
        self.refresh_catalog(&names)?;
        let catalog = self.catalog.as_ref().map(|(_, c)| c).ok_or_else(|| JsError::new("no catalog"))?;
        let (sim, statuses) = self.session.simulate(dockerfile, &analysis, &checked, &context, catalog);
        let stage = stage.filter(|s| sim.stage(*s).is_some());
        let report = SimulationReport::summary(&checked, &sim, dockerfile, stage, ColumnUnit::Utf16);
        let graph = GraphReport::new(&analysis, &checked, dockerfile, &[], ColumnUnit::Utf16);
        let log = cache::build_log(&checked, &sim, &statuses, "Dockerfile");
        let result = to_js(&SimulateResult { report: &report, graph: &graph, statuses: &statuses, log, missing });
        self.last = Some(Last { checked, sim });
        result
    }

    fn browse(&self) -> Result<Browse<'_>, JsError> {
        let last = self.last.as_ref().ok_or_else(|| JsError::new("nothing simulated yet"))?;
        Ok(Browse::new(&last.checked, &last.sim))
    }

    /// The entries of directory `dir` in stage `stage` after step `layer` (the final state
    /// when `layer` is null), each with the step that wrote it.
    pub fn list(&self, stage: usize, layer: Option<usize>, dir: &str) -> Result<JsValue, JsError> {
        to_js(&self.browse()?.list(stage, layer, dir).map_err(|e| JsError::new(&e))?)
    }

    /// What step `layer` of `stage` added, modified and deleted.
    pub fn diff(&self, stage: usize, layer: usize) -> Result<JsValue, JsError> {
        to_js(&self.browse()?.diff(stage, layer).map_err(|e| JsError::new(&e))?)
    }

    /// A file's content: `{ text }`, `{ bytes }` (a `Uint8Array`) or `{ synthetic: { size,
    /// identity } }`.
    #[wasm_bindgen(js_name = readFile)]
    pub fn read_file(&self, stage: usize, layer: Option<usize>, path: &str) -> Result<JsValue, JsError> {
        match self.browse()?.read(stage, layer, path).map_err(|e| JsError::new(&e))? {
            FileContent::Bytes(bytes) => {
                let object = js_sys::Object::new();
                js_sys::Reflect::set(&object, &"bytes".into(), &js_sys::Uint8Array::from(bytes.as_slice()))
                    .map_err(|_| JsError::new("cannot build the result"))?;
                Ok(object.into())
            }
            other => to_js(&other),
        }
    }

    /// The root filesystem of a simulated stage as a tar archive (like `docker export`).
    #[wasm_bindgen(js_name = stageTar)]
    pub fn stage_tar(&self, stage: usize) -> Result<Vec<u8>, JsError> {
        let last = self.last.as_ref().ok_or_else(|| JsError::new("nothing simulated yet"))?;
        let stage_sim = last.sim.stage(stage).ok_or_else(|| JsError::new(&format!("stage {stage} is not built")))?;
        stagecraft_core::fs::to_tar(&stage_sim.snapshot, "/").map_err(|e| JsError::new(&e))
    }

    /// The context with the Dockerfile as a tar archive: `docker build - < context.tar`.
    #[wasm_bindgen(js_name = contextTar)]
    pub fn context_tar(&self, dockerfile: &str, context: &JsValue) -> Result<Vec<u8>, JsError> {
        let (context, dockerignore) = context_from(context)?;
        context.to_tar(("Dockerfile", dockerfile), dockerignore.as_deref()).map_err(|e| JsError::new(&e))
    }
}
