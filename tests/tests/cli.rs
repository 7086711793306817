//! The CLI's plan commands and SARIF output, end to end through the binary: the JSON schema of
//! `graph`, the drawings, `outline` and `targets`, `check --format sarif`, and exit statuses.

use std::path::Path;
use std::process::Command;

use stagecraft_tests::{skip_or_fail, stagecraft_bin};

const DOCKERFILE: &str = "\
ARG VERSION=1.0
FROM alpine AS base
RUN echo $VERSION

FROM base AS build
ARG VERSION
RUN echo $VERSION > /v

FROM alpine AS test
COPY --from=build /v /v

FROM alpine AS app
COPY --from=build /v /v
CMD run
";

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(stagecraft_bin()).current_dir(dir).args(args).output().expect("run stagecraft");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn plan_commands_and_sarif() {
    if !stagecraft_bin().exists() {
        skip_or_fail(&format!("{} is not built (cargo build -p stagecraft-cli)", stagecraft_bin().display()));
        return;
    }
    let dir = std::env::temp_dir().join(format!("stagecraft-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).expect("write");

    let (code, out) = run(&dir, &["graph", ".", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let graph: serde_json::Value = serde_json::from_str(&out).expect("graph JSON");
    assert_eq!(graph["schema"], 1);
    assert_eq!(graph["target"]["name"], "app");
    let built: Vec<&str> = graph["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter(|s| s["built"] == true)
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(built, ["base", "build", "app"]);
    assert_eq!(graph["stages"][1]["base"]["stage"], 0);
    assert_eq!(graph["stages"][0]["base"]["image"], "alpine");
    assert_eq!(graph["stages"][1]["pulled_in_by"][0]["kind"], "copy");
    assert_eq!(graph["stages"][1]["pulled_in_by"][0]["stage"], 3);
    let version = graph["args"].as_array().expect("args").iter().find(|a| a["name"] == "VERSION").expect("VERSION");
    assert_eq!((version["value"].as_str(), version["source"].as_str()), (Some("1.0"), Some("default")));
    assert!(graph["diagnostics"].as_array().expect("diagnostics").iter().any(|d| d["code"] == "JSONArgsRecommended"));

    let (_, test) = run(&dir, &["graph", ".", "--target", "TEST", "--build-arg", "VERSION=2", "--format", "json"]);
    let test: serde_json::Value = serde_json::from_str(&test).expect("graph JSON");
    assert_eq!(test["target"]["index"], 2);
    let version = test["args"].as_array().expect("args").iter().find(|a| a["name"] == "VERSION").expect("VERSION");
    assert_eq!(version["source"], "build-arg");

    let (_, dot) = run(&dir, &["graph", ".", "--target", "test", "--format", "dot"]);
    assert!(dot.starts_with("digraph stages {") && dot.trim_end().ends_with('}'), "{dot}");
    assert!(dot.contains("s1 -> s2 [label=\"COPY --from (line 10)\"]"), "{dot}");
    assert!(dot.contains("style=\"rounded,filled,dashed\""), "skipped stages are drawn dashed: {dot}");
    let (_, mermaid) = run(&dir, &["graph", ".", "--format", "mermaid"]);
    assert!(
        mermaid.starts_with("flowchart LR\n") && mermaid.contains(":::skipped") && mermaid.contains(":::built"),
        "{mermaid}"
    );
    let (_, text) = run(&dir, &["graph", "."]);
    assert!(text.contains("skipped") && text.contains("needed by COPY --from (line 13) in app"), "{text}");

    let (_, outline) = run(&dir, &["outline", ".", "--format", "json"]);
    let outline: serde_json::Value = serde_json::from_str(&outline).expect("outline JSON");
    assert_eq!(outline["args"][0]["name"], "VERSION");
    let (_, targets) = run(&dir, &["targets", ".", "--format", "json"]);
    let targets: serde_json::Value = serde_json::from_str(&targets).expect("targets JSON");
    assert_eq!(targets["targets"].as_array().map(Vec::len), Some(4));
    assert_eq!(targets["targets"][3]["default"], true);

    let (code, sarif) = run(&dir, &["check", "--format", "sarif", "Dockerfile"]);
    assert_eq!(code, 0);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "JSONArgsRecommended");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 14);
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().expect("index") as usize];
    assert_eq!(rule["id"], "JSONArgsRecommended");
    assert!(rule["helpUri"].as_str().is_some_and(|u| u.contains("json-args-recommended")));

    let (code, list) = run(&dir, &["rules"]);
    assert_eq!(code, 0);
    assert_eq!(list.lines().filter(|l| l.contains("  ")).count(), 22, "{list}");
    let (_, one) = run(&dir, &["rules", "undefinedvar"]);
    assert!(one.starts_with("UndefinedVar: Variables should be defined before their use"), "{one}");
    assert!(
        one.contains("\nWhat: ")
            && one.contains("\nBad:\n    FROM alpine\n    COPY $foo .")
            && one.contains("undefined-var"),
        "{one}"
    );
    let (code, _) = run(&dir, &["rules", "NoSuchRule"]);
    assert_eq!(code, 2);

    // simulate: the image's files and where they came from, and the same files as a tar.
    std::fs::write(dir.join("Dockerfile.sim"), "FROM scratch AS files\nCOPY hello.txt /srv/\nFROM files\nWORKDIR /srv\nCOPY --chmod=600 hello.txt ./again.txt\n").expect("write");
    std::fs::write(dir.join("hello.txt"), "hello\n").expect("write");
    let (code, json) = run(&dir, &["simulate", ".", "-f", "Dockerfile.sim", "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let sim: serde_json::Value = serde_json::from_str(&json).expect("simulate JSON");
    assert_eq!(sim["image"]["config"]["workdir"], "/srv");
    let files: Vec<(String, String, serde_json::Value)> = sim["image"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["mode"].as_str().unwrap_or_default().to_string(),
                f["layer"].clone(),
            )
        })
        .collect();
    assert_eq!(files[0].0, "/srv");
    assert_eq!((files[1].0.as_str(), files[1].1.as_str()), ("/srv/again.txt", "0600"));
    assert_eq!(files[1].2, serde_json::json!({"stage": 1, "index": 1}));
    assert_eq!(files[2].2, serde_json::json!({"stage": 0, "index": 0}));
    assert_eq!(sim["image"]["files"][2]["sha256"], "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    let tar = Command::new(stagecraft_bin())
        .current_dir(&dir)
        .args(["simulate", ".", "-f", "Dockerfile.sim", "--format", "tar"])
        .output()
        .expect("tar");
    let mut archive = tar::Archive::new(tar.stdout.as_slice());
    let names: Vec<String> = archive
        .entries()
        .expect("entries")
        .map(|e| e.expect("entry").path().expect("path").to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["./", "srv/", "srv/again.txt", "srv/hello.txt"]);

    // An extra catalog gives an image its files.
    std::fs::write(dir.join("catalog.json"), r#"{"schema": 1, "images": [{"name": "example.com/base", "tags": ["1"], "source": "test", "config": {"cmd": ["run"]}, "files": [{"path": "/etc/base-release", "type": "file", "mode": "0644", "content": "1\n"}]}]}"#).expect("write");
    std::fs::write(dir.join("Dockerfile.base"), "FROM example.com/base:1\n").expect("write");
    let (code, json) =
        run(&dir, &["simulate", ".", "-f", "Dockerfile.base", "--catalog", "catalog.json", "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let sim: serde_json::Value = serde_json::from_str(&json).expect("simulate JSON");
    assert_eq!(sim["image"]["files"][1]["path"], "/etc/base-release");
    assert_eq!(sim["image"]["config"]["cmd"][0], "run");

    // --no-context: a Dockerfile without its directory. COPY brings stand-ins, npm ci runs
    // over them (modeled), and the log shows what each step printed.
    std::fs::write(
        dir.join("Dockerfile.node"),
        "FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci && echo installed\n",
    )
    .expect("write");
    let (code, json) = run(&dir, &["simulate", ".", "-f", "Dockerfile.node", "--no-context", "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let sim: serde_json::Value = serde_json::from_str(&json).expect("simulate JSON");
    let layers = sim["stages"][0]["layers"].as_array().expect("layers");
    let fidelities: Vec<&str> = layers.iter().map(|l| l["fidelity"].as_str().unwrap_or_default()).collect();
    assert_eq!(fidelities, ["exact", "modeled", "modeled"], "{json}");
    assert!(json.contains("a file of unknown content stands in for package.json"), "{json}");
    let (code, log) = run(&dir, &["simulate", ".", "-f", "Dockerfile.node", "--no-context", "--format", "log"]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("RUN npm ci && echo installed\n#7 0.000 installed\n#7 DONE (simulated: modeled)"), "{log}");
    // Without it the directory is the context, and it has no package.json.
    let (code, _) = run(&dir, &["simulate", ".", "-f", "Dockerfile.node", "--format", "json"]);
    assert_eq!(code, 1);

    // Errors give exit status 1; an unknown target is one.
    let (code, _) = run(&dir, &["graph", ".", "--target", "nope"]);
    assert_eq!(code, 1);
    let _ = std::fs::remove_dir_all(&dir);
}
