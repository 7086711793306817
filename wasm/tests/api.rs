//! The WASM API as JavaScript sees it, run on node (`cargo xtask test` runs these with
//! wasm-bindgen-test-runner): simulate the nginx-cert example with its context, browse the
//! result, pack the context, and bad input as JS errors rather than panics.
#![cfg(target_arch = "wasm32")]
// wasm_bindgen_test functions are tests that clippy does not recognise as such.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use js_sys::{Array, Object, Reflect, Uint8Array};
use stagecraft_wasm::Playground;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const DOCKERFILE: &str = include_str!("../../examples/nginx-cert/Dockerfile");
const DEFAULT_CONF: &str = include_str!("../../examples/nginx-cert/default.conf");
const CERT_DEFAULTS: &str = include_str!("../../examples/nginx-cert/cert_defaults.txt");

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap()
}

fn file(path: &str, text: &str) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"path".into(), &path.into()).unwrap();
    Reflect::set(&o, &"text".into(), &text.into()).unwrap();
    o.into()
}

fn context(files: &[JsValue]) -> JsValue {
    let o = Object::new();
    let list = Array::new();
    for f in files {
        list.push(f);
    }
    Reflect::set(&o, &"files".into(), &list).unwrap();
    o.into()
}

fn example() -> JsValue {
    context(&[file("default.conf", DEFAULT_CONF), file("cert_defaults.txt", CERT_DEFAULTS)])
}

fn paths(list: &JsValue) -> Vec<String> {
    Array::from(list).iter().map(|e| get(&e, "path").as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
fn simulates_browses_and_packs_the_example() {
    let mut pg = Playground::new();
    let result = pg.simulate(DOCKERFILE, &example(), &JsValue::UNDEFINED).unwrap();
    let report = get(&result, "report");
    let stages = Array::from(&get(&report, "stages"));
    assert_eq!(stages.length(), 2);
    assert_eq!(get(&get(&report, "target"), "index").as_f64(), Some(1.0));
    // The final image has the copied config; the COPY step is where it came from.
    let conf_d = pg.list(1, None, "/etc/nginx/conf.d").unwrap();
    let entries = Array::from(&conf_d);
    let conf = entries.iter().find(|e| get(e, "path").as_string().as_deref() == Some("/etc/nginx/conf.d/default.conf"));
    let conf = conf.expect("default.conf in the image");
    assert_eq!(get(&conf, "type").as_string().as_deref(), Some("file"));
    assert_eq!(get(&get(&conf, "layer"), "stage").as_f64(), Some(1.0));
    let text = pg.read_file(1, None, "/etc/nginx/conf.d/default.conf").unwrap();
    assert_eq!(get(&text, "text").as_string().as_deref(), Some(DEFAULT_CONF));
    // Stage 1 after its first step (COPY --from=0) has no default.conf yet; the second step adds it.
    assert!(pg.read_file(1, Some(0), "/etc/nginx/conf.d/default.conf").is_err());
    // (A directory added whole is one change: here conf.d, which the base did not have.)
    let diff = paths(&pg.diff(1, 1).unwrap());
    let conf = "/etc/nginx/conf.d/default.conf";
    assert!(diff.iter().any(|p| conf == p || conf.starts_with(&format!("{p}/"))), "{diff:?}");
    // The build log and cache report: a second run with nothing changed is all CACHED.
    let again = pg.simulate(DOCKERFILE, &example(), &JsValue::UNDEFINED).unwrap();
    let statuses = Array::from(&get(&again, "statuses"));
    assert!(statuses.length() > 0);
    assert!(statuses.iter().all(|s| get(&s, "status").as_string().as_deref() == Some("cached")));
    assert!(get(&again, "log").as_string().unwrap().contains("CACHED"));
    // An edit to a context file misses the step that copies it, and says why.
    let edited = context(&[file("default.conf", "server {}\n"), file("cert_defaults.txt", CERT_DEFAULTS)]);
    let after = pg.simulate(DOCKERFILE, &edited, &JsValue::UNDEFINED).unwrap();
    let missed: Vec<String> = Array::from(&get(&after, "statuses"))
        .iter()
        .filter(|s| get(s, "status").as_string().as_deref() == Some("missed"))
        .map(|s| get(&s, "reason").as_string().unwrap_or_default())
        .collect();
    assert!(!missed.is_empty());
    // The context as a tar: the Dockerfile at the root, then the files (ustar headers).
    let tar = pg.context_tar(DOCKERFILE, &example()).unwrap();
    assert!(tar.len() >= 512 * 4 && tar.len().is_multiple_of(512));
    let names: Vec<String> = tar
        .chunks(512)
        .filter(|h| h[257..262] == *b"ustar")
        .map(|h| String::from_utf8_lossy(&h[..100]).trim_end_matches('\0').to_string())
        .collect();
    for name in ["Dockerfile", "default.conf", "cert_defaults.txt"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert!(!pg.stage_tar(1).unwrap().is_empty());
}

#[wasm_bindgen_test]
fn catalog_listings_load_on_demand() {
    let mut pg = Playground::new();
    let index = r#"[{"name": "alpine", "tags": ["3.20"], "layers": ["a.jsonl"], "config": {"env": [["PATH", "/bin"]]}, "shell": {"path": "/bin/sh", "flavour": "busybox-ash"}, "fidelity": "exact", "source": "test"}]"#;
    pg.add_index(index).unwrap();
    let dockerfile = "FROM alpine:3.20\nCOPY --from=alpine:3.20 /etc/motd /motd\n";
    let missing = pg.missing_listings(dockerfile, &JsValue::UNDEFINED).unwrap();
    assert_eq!(missing, vec!["a.jsonl".to_string()]);
    let before = pg.simulate(dockerfile, &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
    assert_eq!(Array::from(&get(&before, "missing")).length(), 1);
    pg.add_listing(
        "a.jsonl",
        r#"{"path": "/etc", "type": "dir", "mode": "0755"}
{"path": "/etc/motd", "type": "file", "mode": "0644", "content": "hello\n"}
"#
        .into(),
    );
    assert!(pg.missing_listings(dockerfile, &JsValue::UNDEFINED).unwrap().is_empty());
    let after = pg.simulate(dockerfile, &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
    assert_eq!(Array::from(&get(&after, "missing")).length(), 0);
    let motd = pg.read_file(0, None, "/motd").unwrap();
    assert_eq!(get(&motd, "text").as_string().as_deref(), Some("hello\n"));
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let mut pg = Playground::new();
    let message = |e: wasm_bindgen::JsError| {
        let v: JsValue = e.into();
        v.dyn_into::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default()
    };
    let escape = context(&[file("../etc/passwd", "x")]);
    let err = pg.simulate("FROM scratch\n", &escape, &JsValue::UNDEFINED).unwrap_err();
    assert!(message(err).contains("leave the context"));
    let twice = context(&[file("a", "1"), file("./a", "2")]);
    assert!(message(pg.simulate("FROM scratch\n", &twice, &JsValue::UNDEFINED).unwrap_err()).contains("twice"));
    let options = Object::new();
    Reflect::set(&options, &"buildArgs".into(), &JsValue::from(3)).unwrap();
    assert!(
        message(pg.simulate("FROM scratch\n", &JsValue::UNDEFINED, &options).unwrap_err()).contains("invalid options")
    );
    assert!(pg.list(0, None, "/").is_err(), "nothing simulated yet");
    pg.simulate("FROM scratch\n", &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
    assert!(pg.list(5, None, "/").is_err());
    assert!(pg.diff(0, 9).is_err());
    assert!(pg.add_index("not json").is_err());
    // Binary context files come as bytes.
    let bin = Object::new();
    Reflect::set(&bin, &"path".into(), &"blob".into()).unwrap();
    Reflect::set(&bin, &"bytes".into(), &Uint8Array::from(&[0u8, 159, 146, 150][..])).unwrap();
    pg.simulate("FROM scratch\nCOPY blob /blob\n", &context(&[bin.into()]), &JsValue::UNDEFINED).unwrap();
    let blob = pg.read_file(0, None, "/blob").unwrap();
    assert_eq!(Uint8Array::new(&get(&blob, "bytes")).to_vec(), vec![0, 159, 146, 150]);
}

/// A playground whose catalog has one image, `alpine:3.20` (busybox's shell, `PATH`
/// `/bin:/sbin`): `/bin`, `/bin/busybox`, `/bin/sh`, and the listing `lines` (JSONL).
fn busybox_playground(lines: &str) -> Playground {
    let mut pg = Playground::new();
    let index = r#"[{"name": "alpine", "tags": ["3.20"], "layers": ["a.jsonl"], "config": {"env": [["PATH", "/bin:/sbin"]]}, "shell": {"path": "/bin/sh", "flavour": "busybox-ash"}, "fidelity": "exact", "source": "test"}]"#;
    pg.add_index(index).unwrap();
    let base = r#"{"path": "/bin", "type": "dir", "mode": "0755"}
{"path": "/bin/busybox", "type": "file", "mode": "0755", "size": 800000, "sha256": "b"}
{"path": "/bin/sh", "type": "symlink", "mode": "0777", "target": "/bin/busybox"}
"#;
    pg.add_listing("a.jsonl", format!("{base}{lines}"));
    pg
}

/// The RUN interpreter is in the browser build: a script's files land in the layer, and a
/// runaway loop ends at the budget with a diagnostic instead of hanging the page.
#[wasm_bindgen_test]
fn run_is_interpreted_and_bounded() {
    let mut pg = busybox_playground(
        r#"{"path": "/bin/chmod", "type": "symlink", "mode": "0777", "target": "/bin/busybox"}
{"path": "/bin/ln", "type": "symlink", "mode": "0777", "target": "/bin/busybox"}
{"path": "/tmp", "type": "dir", "mode": "1777"}
"#,
    );
    let dockerfile =
        "FROM alpine:3.20\nRUN printf 'hi %s\\n' there > /greeting && chmod 600 /greeting && ln -s /greeting /link\n";
    let result = pg.simulate(dockerfile, &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
    let layers = Array::from(&get(&Array::from(&get(&get(&result, "report"), "stages")).get(0), "layers"));
    let fidelity = get(&layers.get(layers.length() - 1), "fidelity").as_string();
    let notes: Vec<String> = Array::from(&get(&get(&result, "report"), "diagnostics"))
        .iter()
        .map(|d| get(&d, "message").as_string().unwrap_or_default())
        .collect();
    assert_eq!(fidelity.as_deref(), Some("exact"), "{notes:?}");
    let greeting = pg.read_file(0, None, "/greeting").unwrap();
    assert_eq!(get(&greeting, "text").as_string().as_deref(), Some("hi there\n"));
    let listed = Array::from(&pg.list(0, None, "/").unwrap());
    let mode =
        |p: &str| listed.iter().find(|e| get(e, "path").as_string().as_deref() == Some(p)).map(|e| get(&e, "mode"));
    assert_eq!(mode("/greeting").and_then(|m| m.as_string()).as_deref(), Some("0600"));
    assert!(mode("/link").is_some());

    // An endless loop, and recursion (which must end at the depth limit inside the browser's
    // 1 MiB stack, not overflow it).
    for endless in ["FROM alpine:3.20\nRUN while true; do :; done\n", "FROM alpine:3.20\nRUN f() { f; }; f\n"] {
        let result = pg.simulate(endless, &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
        let messages: Vec<String> = Array::from(&get(&get(&result, "report"), "diagnostics"))
            .iter()
            .map(|d| get(&d, "message").as_string().unwrap_or_default())
            .collect();
        assert!(messages.iter().any(|m| m.contains("budget")), "{messages:?}");
    }
}

/// The tool models are data the page hands over (`loadToolModels`): a RUN that only a table
/// line models is opaque before, and modeled with the file the line says after.
#[wasm_bindgen_test]
fn tool_models_are_loaded_from_the_page() {
    let mut pg = busybox_playground(
        r#"{"path": "/sbin", "type": "dir", "mode": "0755"}
{"path": "/sbin/ldconfig", "type": "file", "mode": "0755", "size": 1000, "sha256": "c"}
"#,
    );
    let dockerfile = "FROM alpine:3.20\nRUN ldconfig\n";
    let fidelity = |pg: &mut Playground| {
        let result = pg.simulate(dockerfile, &JsValue::UNDEFINED, &JsValue::UNDEFINED).unwrap();
        let layers = Array::from(&get(&Array::from(&get(&get(&result, "report"), "stages")).get(0), "layers"));
        get(&layers.get(layers.length() - 1), "fidelity").as_string()
    };
    assert_eq!(fidelity(&mut pg).as_deref(), Some("opaque"), "the browser build carries no table of its own");
    stagecraft_wasm::load_tool_models(include_str!("../../core/src/run/tools.txt"));
    assert_eq!(fidelity(&mut pg).as_deref(), Some("modeled"));
    assert!(pg.read_file(0, None, "/etc/ld.so.cache").is_ok());
}
