//! Unit tests of the simulation: Dockerfiles over small in-memory contexts, checked against
//! what a real build produces (Docker's documented COPY, WORKDIR, USER and config rules).

use super::*;
use crate::CheckOptions;
use crate::catalog::{Catalog, tree_from_listing};
use crate::fs::{EntryKind, Node};
use crate::plan::BuildOptions;
use crate::plan::dispatch::windows_image;

/// A trimmed alpine: busybox and the shell, the user files, and stand-ins for tools the RUN
/// interpreter does not run (`apk`, `make`, `python`), so steps calling them are opaque.
const ALPINE: &str = r#"{"gid": 0, "mode": "0755", "path": "/bin", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/bin/busybox", "sha256": "42de", "size": 808712, "type": "file", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/sh", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/cat", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/cp", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/echo", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/mkdir", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0777", "path": "/bin/touch", "target": "/bin/busybox", "type": "symlink", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/etc", "type": "dir", "uid": 0}
{"content": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n", "gid": 0, "mode": "0644", "path": "/etc/passwd", "type": "file", "uid": 0}
{"content": "root:x:0:root\napp:x:1000:\nwww-data:x:82:\n", "gid": 0, "mode": "0644", "path": "/etc/group", "type": "file", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/sbin", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/sbin/apk", "sha256": "e3b0", "size": 0, "type": "file", "uid": 0}
{"gid": 0, "mode": "1777", "path": "/tmp", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/usr", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/usr/bin", "type": "dir", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/usr/bin/make", "sha256": "e3b0", "size": 0, "type": "file", "uid": 0}
{"gid": 0, "mode": "0755", "path": "/usr/bin/python", "sha256": "e3b0", "size": 0, "type": "file", "uid": 0}
"#;

fn catalog() -> Catalog {
    let mut catalog = Catalog::builtin();
    let mut alpine = Catalog::builtin().lookup("alpine").cloned().expect("alpine");
    alpine.tree = Some(tree_from_listing(ALPINE).expect("listing"));
    catalog.add(alpine);
    catalog
}

fn context(files: &[(&str, &str)], ignore: Option<&str>) -> BuildContext {
    let mut snapshot = Snapshot::new();
    for (path, body) in files {
        let parent = path.rsplit_once('/').map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
        snapshot.mkdir_all(parent, Meta::DIR).unwrap();
        snapshot.insert(path, Entry::file(Content::bytes(body.as_bytes()), Meta::FILE)).unwrap();
    }
    BuildContext { files: snapshot, dockerignore: ignore.map(|i| Matcher::parse(i).unwrap()), unknown: false }
}

fn run(text: &str, ctx: &BuildContext, target: Option<&str>) -> (Checked, Simulation) {
    let analysis = Analysis::new(text);
    let options = CheckOptions {
        build: BuildOptions { target: target.map(str::to_string), ..BuildOptions::default() },
        ..CheckOptions::default()
    };
    let checked = analysis.check(text, &options);
    let sim = simulate(text, &analysis, &checked, ctx, &catalog());
    (checked, sim)
}

fn messages(sim: &Simulation, code: Code) -> Vec<String> {
    sim.diagnostics.iter().filter(|d| d.code == code).map(|d| d.message.clone()).collect()
}

#[test]
fn the_nginx_cert_example() {
    let text = "FROM alpine:3.4\nRUN apk update && apk add --no-cache openssl\nCOPY cert_defaults.txt /src/cert_defaults.txt\nRUN openssl req -x509 -nodes -out /src/cert.pem -keyout /src/cert.key -config /src/cert_defaults.txt\n\nFROM nginx\nCOPY --from=0 /src/cert.* /etc/nginx/\nCOPY default.conf /etc/nginx/conf.d/\nEXPOSE 443\n";
    let ctx = context(&[("/cert_defaults.txt", "[req]\n"), ("/default.conf", "server { listen 443 ssl; }\n")], None);
    let (_, sim) = run(text, &ctx, None);
    let builder = sim.stage(0).unwrap();
    assert_eq!(
        builder.steps.iter().map(|s| s.fidelity).collect::<Vec<_>>(),
        [Fidelity::Modeled, Fidelity::Exact, Fidelity::Modeled]
    );
    assert!(builder.snapshot.stat("/src/cert_defaults.txt").is_some());
    assert!(builder.snapshot.stat("/bin/busybox").is_some(), "alpine's files are the base");
    let app = sim.stage(1).unwrap();
    let conf = app.snapshot.stat("/etc/nginx/conf.d/default.conf").unwrap();
    assert_eq!((conf.meta, conf.size()), (Meta::FILE, 27));
    // apk's step is modeled (the package's other files are unknown), openssl then runs as
    // modeled over the partly unknown files, and the certificates it makes are copied
    // (modeled: they come from a stage with modeled steps).
    assert_eq!(app.steps[0].fidelity, Fidelity::Modeled);
    assert_eq!(app.snapshot.stat("/etc/nginx/cert.key").map(|e| e.meta.mode), Some(0o600));
    assert!(app.snapshot.stat("/etc/nginx/cert.pem").is_some());
    assert!(sim.diagnostics.iter().all(|d| !d.is_error()), "{:?}", sim.diagnostics);
    assert_eq!(app.config.exposed_ports.iter().collect::<Vec<_>>(), ["443/tcp", "80/tcp"]);
    assert_eq!(app.config.cmd.as_deref(), Some(&["nginx".to_string(), "-g".into(), "daemon off;".into()][..]));
    // nginx is known by its config only: said once.
    assert!(
        messages(&sim, Code::SimulationGap).iter().any(|m| m.contains("knows the config of nginx but not its files"))
    );
    assert!(app.snapshot.stat("/bin/busybox").is_none(), "nothing of the builder reaches the final image");
}

#[test]
fn copy_from_context_and_stages() {
    let text = "FROM scratch AS files\nCOPY app/ /srv/\nCOPY app/main.go /single\nFROM alpine:3.20\nWORKDIR /work\nCOPY --from=files /srv ./srv\nCOPY --from=files --chown=app:www-data /single .\nCOPY <<EOF notes.txt\nhello $HOSTNAME\nEOF\n";
    let ctx = context(&[("/app/main.go", "package main\n"), ("/app/README.md", "# app\n")], Some("*.md\napp/*.md\n"));
    let (_, sim) = run(text, &ctx, None);
    let files = sim.stage(0).unwrap();
    assert!(files.snapshot.stat("/srv/main.go").is_some());
    assert!(files.snapshot.stat("/srv/README.md").is_none(), ".dockerignore keeps it out of the context");
    let last = sim.stage(1).unwrap();
    assert_eq!(last.config.workdir, "/work");
    assert!(last.snapshot.stat("/work/srv/main.go").is_some());
    let single = last.snapshot.stat("/work/single").unwrap();
    assert_eq!((single.meta.uid, single.meta.gid), (1000, 82));
    let notes = last.snapshot.stat("/work/notes.txt").unwrap();
    let Node::File { content, .. } = &notes.node else { panic!("a file") };
    assert_eq!(content.as_bytes(), Some(&b"hello \n"[..]));
    // Each COPY is a layer with what it added.
    let layer = &last.steps[1].layer;
    assert_eq!(
        layer.changes.iter().map(|c| (c.path.as_str(), c.entry, c.entries)).collect::<Vec<_>>(),
        [("/work/srv", EntryKind::Dir, 2)]
    );
    let paths: Vec<String> = layer.paths().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["/work/srv", "/work/srv/main.go"]);
    assert!(sim.diagnostics.iter().all(|d| !d.is_error()), "{:?}", sim.diagnostics);
}

#[test]
fn failures_are_reported_and_the_build_goes_on() {
    let text = "FROM alpine:3.20\nCOPY README.md /\nCOPY missing.txt /\nCOPY --chown=ghost main.go /\nCOPY --chmod=999 main.go /x\nCOPY main.go /ok\n";
    let ctx = context(&[("/README.md", "# hi\n"), ("/main.go", "package main\n")], Some("# docs\n*.md\n"));
    let (_, sim) = run(text, &ctx, None);
    let errors: Vec<(String, Option<String>)> =
        sim.diagnostics.iter().filter(|d| d.is_error()).map(|d| (d.message.clone(), d.help.clone())).collect();
    assert_eq!(
        errors,
        [
            (
                "COPY failed: \"/README.md\": not found".to_string(),
                Some("it is excluded by .dockerignore (line 2: *.md)".to_string())
            ),
            ("COPY failed: \"/missing.txt\": not found".to_string(), None),
            ("unable to find user ghost: no matching entries in passwd file".to_string(), None),
            ("invalid chmod parameter: '999'. it should be octal string and between 0 and 07777".to_string(), None),
        ]
    );
    let stage = sim.stage(0).unwrap();
    let fidelities: Vec<Fidelity> = stage.steps.iter().map(|s| s.fidelity).collect();
    assert_eq!(fidelities, [Fidelity::Failed, Fidelity::Failed, Fidelity::Failed, Fidelity::Failed, Fidelity::Exact]);
    assert!(stage.steps[0].layer.changes.is_empty(), "a failed step's layer is empty");
    assert!(stage.snapshot.stat("/ok").is_some(), "the simulation goes on after an error");
}

#[test]
fn config_instructions() {
    let text = "FROM alpine:3.20 AS base\nENV A=1 B=\"two words\"\nCMD [\"base\"]\nLABEL org.opencontainers.image.title=\"demo\"\nUSER app\nWORKDIR app\nWORKDIR ../srv/data\nVOLUME /data /cache\nEXPOSE 8080/TCP 53/udp\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/\nONBUILD COPY . /src\n\nFROM base\nENTRYPOINT [\"/entry\"]\nSHELL [\"/bin/bash\", \"-c\"]\nCMD run --fast\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let base = sim.stage(0).unwrap();
    assert_eq!(
        base.config.env_list(),
        ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "B=two words"]
    );
    assert_eq!(base.config.user, "app");
    assert_eq!(base.config.workdir, "/srv/data");
    // WORKDIR creates the directory as the stage's user, relative to the previous WORKDIR.
    assert_eq!(base.snapshot.stat("/app").unwrap().meta, Meta::new(0o755, 1000, 1000));
    assert_eq!(base.snapshot.stat("/srv/data").unwrap().meta.uid, 1000);
    assert_eq!(base.config.volumes.iter().collect::<Vec<_>>(), ["/cache", "/data"]);
    assert_eq!(base.config.exposed_ports.iter().collect::<Vec<_>>(), ["53/udp", "8080/tcp"]);
    assert_eq!(
        base.config.healthcheck.as_ref().map(|h| (h.test[0].as_str(), h.interval)),
        Some(("CMD-SHELL", 5_000_000_000))
    );
    assert_eq!(base.config.onbuild, ["COPY . /src"]);
    let child = sim.stage(1).unwrap();
    // ENTRYPOINT clears the inherited CMD; a later CMD in the stage sets it again, through SHELL.
    assert_eq!(child.config.entrypoint, Some(vec!["/entry".to_string()]));
    assert_eq!(child.config.cmd, Some(vec!["/bin/bash".to_string(), "-c".into(), "run --fast".into()]));
    assert!(child.config.onbuild.is_empty(), "a child does not inherit ONBUILD triggers");
    assert_eq!(child.config.labels.get("org.opencontainers.image.title").map(String::as_str), Some("demo"));
    // The parent's ONBUILD fired: COPY . /src ran in the child.
    assert!(child.steps.iter().any(|s| s.text == "ONBUILD COPY . /src"));
}

#[test]
fn add_of_a_url_is_modeled() {
    let text = "FROM alpine:3.20\nADD https://example.com/tool.tar.gz /opt/\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).unwrap();
    assert_eq!(stage.steps[0].fidelity, Fidelity::Modeled);
    assert!(stage.snapshot.stat("/opt/tool.tar.gz").is_some());
    assert!(messages(&sim, Code::SimulationGap).iter().any(|m| m.contains("does not download it")));
}

fn run_with(text: &str, ctx: &BuildContext, build_args: &[(&str, &str)]) -> (Checked, Simulation) {
    let analysis = Analysis::new(text);
    let options = CheckOptions {
        build: BuildOptions {
            build_args: build_args.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            ..BuildOptions::default()
        },
        ..CheckOptions::default()
    };
    let checked = analysis.check(text, &options);
    let sim = simulate(text, &analysis, &checked, ctx, &catalog());
    (checked, sim)
}

fn statuses(before: Option<&Simulation>, now: &Simulation) -> Vec<String> {
    cache::compare(before, now)
        .into_iter()
        .map(|s| match s.status {
            cache::CacheStatus::Cached => "CACHED".to_string(),
            cache::CacheStatus::Missed { reason } => reason,
        })
        .collect()
}

#[test]
fn cache_keys_and_reasons() {
    let text = "FROM alpine:3.20\nARG V=1\nCOPY app/ /app/\nRUN make V=$V\nCOPY --link README /\nCOPY README /again\n";
    let ctx = context(&[("/app/main.c", "int main;\n"), ("/app/util.c", "int u;\n"), ("/README", "hi\n")], None);
    let (_, first) = run_with(text, &ctx, &[]);
    assert_eq!(statuses(None, &first), ["a new step"; 4]);
    let (_, same) = run_with(text, &ctx, &[]);
    assert_eq!(statuses(Some(&first), &same), ["CACHED"; 4]);
    // A session does the same, run after run.
    let analysis = Analysis::new(text);
    let checked = analysis.check(text, &CheckOptions::default());
    let mut session = Session::new();
    let (_, initial) = session.simulate(text, &analysis, &checked, &ctx, &catalog());
    let (_, again) = session.simulate(text, &analysis, &checked, &ctx, &catalog());
    assert!(initial.iter().all(|s| s.status != cache::CacheStatus::Cached));
    assert!(again.iter().all(|s| s.status == cache::CacheStatus::Cached));

    // A source file changes: its COPY and everything after it miss, except the --link copy.
    let edited = context(&[("/app/main.c", "int main();\n"), ("/app/util.c", "int u;\n"), ("/README", "hi\n")], None);
    let (_, after_edit) = run_with(text, &edited, &[]);
    assert_eq!(
        statuses(Some(&first), &after_edit),
        ["these source files changed: /app/main.c", "a step before it changed", "CACHED", "a step before it changed"]
    );

    // An edited instruction.
    let (_, new_run) = run_with(&text.replace("make V=$V", "make all V=$V"), &ctx, &[]);
    assert_eq!(statuses(Some(&first), &new_run)[..2], ["CACHED".to_string(), "the instruction changed".to_string()]);

    // A build arg the RUN sees (the shell expands $V, so the instruction is the same).
    let (_, new_arg) = run_with(text, &ctx, &[("V", "2")]);
    assert_eq!(statuses(Some(&first), &new_arg)[..2], ["CACHED".to_string(), "these variables changed: V".to_string()]);
    let text_env = "FROM alpine:3.20\nARG V=1\nRUN make\n";
    let (_, one) = run_with(text_env, &ctx, &[]);
    let (_, two) = run_with(text_env, &ctx, &[("V", "2")]);
    assert_eq!(statuses(Some(&one), &two), ["these variables changed: V"]);
}

#[test]
fn build_log_in_buildkit_style() {
    let text = "FROM alpine:3.20 AS build\nCOPY app/ /app/\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n";
    let ctx = context(&[("/app/main.c", "int main;\n")], None);
    let (checked, first) = run_with(text, &ctx, &[]);
    let (_, second) = run_with(text, &ctx, &[]);
    let log = cache::build_log(&checked, &second, &cache::compare(Some(&first), &second), "Dockerfile");
    let expected = "\
#1 [internal] load build definition from Dockerfile
#1 DONE

#2 [internal] load metadata for docker.io/library/alpine:3.20
#2 DONE

#3 [internal] load .dockerignore
#3 DONE

#4 [build 1/3] FROM docker.io/library/alpine:3.20
#4 CACHED

#5 [build 2/3] COPY app/ /app/
#5 CACHED

#6 [build 3/3] RUN make
#6 CACHED

#7 [stage-1 1/1] COPY --from=build /app /app
#7 CACHED

#8 exporting to image
#8 DONE

";
    assert_eq!(log, expected);
    let fresh = cache::build_log(&checked, &first, &cache::compare(None, &first), "Dockerfile");
    assert!(fresh.contains("#6 [build 3/3] RUN make\n#6 DONE (simulated: modeled)\n"), "{fresh}");
}

#[test]
fn add_extracts_local_archives() {
    let mut tarball = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(6);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    tarball.append_data(&mut h, "tool-1.0/bin/tool", &b"binary"[..]).unwrap();
    let plain = tarball.into_inner().unwrap();
    let mut gz = Vec::new();
    {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
        enc.write_all(&plain).unwrap();
        enc.finish().unwrap();
    }
    let mut files = Snapshot::new();
    files.insert("/tool.tar.gz", Entry::file(Content::bytes(gz), Meta::FILE)).unwrap();
    files.insert("/notes.txt", Entry::file(Content::bytes(&b"not an archive\n"[..]), Meta::FILE)).unwrap();
    let ctx = BuildContext { files, dockerignore: None, unknown: false };
    let (_, sim) =
        run("FROM scratch\nADD tool.tar.gz /opt/\nADD notes.txt /opt/\nCOPY tool.tar.gz /copied/\n", &ctx, None);
    let stage = sim.stage(0).unwrap();
    assert_eq!(stage.snapshot.stat("/opt/tool-1.0/bin/tool").map(|e| (e.meta.mode, e.size())), Some((0o755, 6)));
    assert!(stage.snapshot.stat("/opt/tool.tar.gz").is_none(), "ADD extracts instead of copying");
    assert!(stage.snapshot.stat("/opt/notes.txt").is_some());
    assert!(stage.snapshot.stat("/copied/tool.tar.gz").is_some(), "COPY never extracts");
    assert!(stage.steps.iter().all(|s| s.fidelity == Fidelity::Exact));
}

#[test]
fn copy_parents_keeps_source_paths() {
    let ctx = context(&[("/src/a/one.txt", "1\n"), ("/src/b/two.txt", "2\n"), ("/top.txt", "t\n")], None);
    let text = "FROM scratch\nCOPY --parents src/*/*.txt top.txt /dst/\nCOPY --parents src/./a/one.txt /pivot/\n";
    let (_, sim) = run(text, &ctx, None);
    let s = &sim.stage(0).unwrap().snapshot;
    for path in ["/dst/src/a/one.txt", "/dst/src/b/two.txt", "/dst/top.txt", "/pivot/a/one.txt"] {
        assert!(
            s.stat(path).is_some(),
            "{path} missing: {:?}",
            s.walk("/").iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()
        );
    }
    assert!(s.stat("/pivot/src").is_none());
}

/// The report's sizes: the image against the largest stage and against one stage doing
/// every step (the largest base plus every stage's own layers).
#[test]
fn sizes_compare_the_image_with_a_single_stage_build() {
    let big = "x".repeat(5000);
    let ctx = context(&[("/src/big.o", &big), ("/src/app", "binary")], None);
    let text = "FROM alpine AS build\nCOPY src /src\nFROM scratch\nCOPY --from=build /src/app /app\n";
    let (checked, sim) = run(text, &ctx, None);
    let report =
        crate::report::sim::SimulationReport::summary(&checked, &sim, text, None, crate::text::ColumnUnit::Char);
    let sizes = report.sizes.expect("sizes");
    assert_eq!(sizes.image, 6);
    let alpine = tree_from_listing(ALPINE).expect("listing").size();
    assert_eq!(alpine, 808_712 + 101 + 49, "busybox, passwd, group");
    assert_eq!(sizes.largest_stage.index, 0);
    assert_eq!(sizes.largest_stage.size, alpine + 5006);
    // alpine, the build stage's 5,006 bytes, the final stage's 6.
    assert_eq!(sizes.single_stage, alpine + 5006 + 6);
}

/// A copy from a stage with opaque steps is at best modeled: the steps may have added or
/// changed files under the copied path.
#[test]
fn copies_from_opaque_stages_are_not_exact() {
    let ctx = context(&[("/src/app.py", "print(1)\n")], None);
    let text = "FROM alpine AS build\nCOPY src /src\nRUN make -C /src\nFROM scratch\nCOPY --from=build /src /src\n";
    let (checked, sim) = run(text, &ctx, None);
    let last = &sim.stage(1).expect("stage 1").steps[0];
    assert_eq!(last.fidelity, Fidelity::Modeled);
    assert!(sim.diagnostics.iter().any(|d| d.message.contains("comes from a source with opaque steps")));
    let report =
        crate::report::sim::SimulationReport::summary(&checked, &sim, text, None, crate::text::ColumnUnit::Char);
    let sizes = report.sizes.expect("sizes");
    assert!(sizes.largest_stage.lower_bound && sizes.single_stage_lower_bound);
    // Without the RUN, the same copy is exact and nothing is a lower bound.
    let text = "FROM alpine AS build\nCOPY src /src\nFROM scratch\nCOPY --from=build /src /src\n";
    let (checked, sim) = run(text, &ctx, None);
    assert_eq!(sim.stage(1).expect("stage 1").steps[0].fidelity, Fidelity::Exact);
    let report =
        crate::report::sim::SimulationReport::summary(&checked, &sim, text, None, crate::text::ColumnUnit::Char);
    let sizes = report.sizes.expect("sizes");
    assert!(!sizes.image_lower_bound && !sizes.largest_stage.lower_bound && !sizes.single_stage_lower_bound);
}

/// RUN --mount: what is mounted is there during the step and not in its layer; a mount point
/// that did not exist is left as an empty directory.
#[test]
fn run_mounts_are_not_in_the_layer() {
    let ctx = context(&[("/src/app.txt", "app\n")], None);
    let text = "FROM alpine:3.20\nRUN --mount=type=bind,source=src,target=/mnt/src cp /mnt/src/app.txt /copied && touch /mnt/src/../x 2>/dev/null; true\nRUN --mount=type=tmpfs,target=/tmp/scratch touch /tmp/scratch/gone && echo kept > /kept\nRUN --mount=type=cache,target=/root/.cache echo cached > /root/.cache/c && cat /copied > /again\n";
    let (_, sim) = run(text, &ctx, None);
    let stage = sim.stage(0).expect("stage");
    let fidelities: Vec<Fidelity> = stage.steps.iter().map(|s| s.fidelity).collect();
    assert_eq!(fidelities, [Fidelity::Exact, Fidelity::Exact, Fidelity::Modeled], "{:?}", sim.diagnostics);
    let snap = &stage.snapshot;
    assert!(snap.stat("/copied").is_some() && snap.stat("/kept").is_some() && snap.stat("/again").is_some());
    assert!(snap.stat("/mnt/src/app.txt").is_none() && snap.stat("/tmp/scratch/gone").is_none());
    assert!(snap.stat("/root/.cache/c").is_none());
    assert!(
        snap.stat("/mnt/src").is_some_and(|e| e.as_dir().is_some_and(crate::fs::DirNode::is_empty)),
        "the mount point stays, empty"
    );
}

/// A cache mount keeps what one RUN left in it for the next RUN that mounts it.
#[test]
fn cache_mounts_keep_their_content_between_steps() {
    let ctx = context(&[], None);
    let text = "FROM alpine:3.20\nRUN --mount=type=cache,id=c,target=/cache echo warm > /cache/f\nRUN --mount=type=cache,id=c,target=/other cat /other/f > /seen\n";
    let (_, sim) = run(text, &ctx, None);
    let stage = sim.stage(0).expect("stage");
    let seen = stage.snapshot.stat("/seen").expect("/seen");
    assert_eq!(seen.size(), 5, "{:?}", sim.diagnostics);
    assert!(stage.snapshot.stat("/cache/f").is_none(), "the cache is not in the layer");
    assert_eq!(stage.steps[1].fidelity, Fidelity::Exact, "the second step found the cache filled: exact");
}

/// A bind mount of a file the context does not have fails the step as BuildKit does; one
/// from a stage with opaque steps mounts what is known and the step is modeled.
#[test]
fn bind_mounts_of_missing_and_partly_known_sources() {
    let ctx = context(&[("/src/a.txt", "a\n")], None);
    let text =
        "FROM alpine AS build\nRUN make -C /\nFROM alpine\nRUN --mount=type=bind,source=missing.txt,target=/m cat /m\n";
    let (_, sim) = run(text, &ctx, None);
    let step = &sim.stage(1).expect("stage 1").steps[0];
    assert_eq!(step.fidelity, Fidelity::Failed);
    assert!(messages(&sim, Code::SimulationError).iter().any(|m| m.contains("\"/missing.txt\": not found")));
    let text = "FROM alpine AS build\nRUN make -C /\nFROM alpine\nRUN --mount=type=bind,from=build,source=/,target=/b ls /b > /listing\n";
    let (_, sim) = run(text, &ctx, None);
    let stage = sim.stage(1).expect("stage 1");
    assert_eq!(stage.steps[0].fidelity, Fidelity::Modeled, "{:?}", sim.diagnostics);
    assert!(stage.snapshot.stat("/listing").is_some());
    assert!(
        stage.snapshot.stat("/b").is_some_and(|e| e.as_dir().is_some_and(crate::fs::DirNode::is_empty)),
        "the mount is not in the layer"
    );
}

#[test]
fn a_context_not_given_stands_in_with_files_of_unknown_content() {
    let text = "FROM alpine:3.20\nCOPY package.json .mvn /app/\nUSER node\nWORKDIR /home/node/w\nCOPY src /app/src\nCOPY --chown=node *.lock ./\nRUN ls /app/src\n";
    let (_, sim) = run(text, &BuildContext::unknown(), None);
    let stage = sim.stage(0).expect("stage 0");
    let fidelities: Vec<Fidelity> =
        stage.steps.iter().filter(|s| !s.text.starts_with("USER")).map(|s| s.fidelity).collect();
    // No failure from files the context would have had: each step is modeled, and says why.
    assert!(fidelities.iter().all(|f| *f == Fidelity::Modeled), "{fidelities:?} {:?}", sim.diagnostics);
    let file = stage.snapshot.stat("/app/package.json").expect("a file stands in for package.json");
    assert!(!file.is_dir());
    assert!(stage.snapshot.stat("/app/src").is_some_and(|e| e.is_dir()), "a directory stands in for src");
    // The user the context's steps would have made: 1000 stands for it, and the note says so.
    assert_eq!(stage.snapshot.stat("/home/node/w").map(|e| (e.meta.uid, e.meta.gid)), Some((1000, 1000)));
    let notes = messages(&sim, Code::SimulationNote);
    assert!(notes.iter().any(|m| m.contains("the build context is not given; a file of unknown content stands in for package.json")), "{notes:?}");
    assert!(notes.iter().any(|m| m.contains("the user node is not in the files known here")), "{notes:?}");
    // A given, empty context is a real one: the same COPY fails as Docker's does.
    let (_, sim) = run("FROM alpine:3.20\nCOPY package.json ./\n", &context(&[], None), None);
    assert_eq!(sim.stage(0).expect("stage 0").steps[0].fidelity, Fidelity::Failed);
}

#[test]
fn run_in_a_windows_image_is_cmd_or_powershell_not_sh() {
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN setx /M PATH \"%PATH%;C:\\bin\" & echo (a)\nSHELL [\"powershell\", \"-Command\"]\nRUN $h = (Get-FileHash a).Hash\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    let runs: Vec<Fidelity> = stage.steps.iter().filter(|s| s.text.starts_with("RUN")).map(|s| s.fidelity).collect();
    // cmd's line runs as cmd reads it (setx's registry is not kept: modeled); PowerShell's
    // runs as far as its subset goes (a .NET property of a cmdlet's result is not in it).
    // Neither is read as a POSIX shell's: no syntax error is reported for it.
    assert_eq!(runs, [Fidelity::Modeled, Fidelity::Opaque]);
    assert!(messages(&sim, Code::SimulationError).is_empty(), "{:?}", sim.diagnostics);
    assert!(messages(&sim, Code::SimulationNote).iter().any(|m| m.contains("setx writes the registry")));
    let gaps = messages(&sim, Code::SimulationGap);
    assert!(gaps.iter().any(|m| m.starts_with("`PowerShell's expression (Get-FileHash a).Hash`")), "{gaps:?}");
    // SHELL's own words come first: `-Command` joins them with the line.
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\nRUN New-Item -ItemType Directory -Path C:\\\\data; Set-Content C:\\\\data\\\\v.txt 1.0\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    assert_eq!(stage.steps.last().map(|s| s.fidelity), Some(Fidelity::Modeled), "{:?}", sim.diagnostics);
    assert!(stage.snapshot.lstat("/data/v.txt").is_some());
    // A SHELL may name PowerShell 7 by its Windows path.
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"C:\\\\Program Files\\\\PowerShell\\\\7\\\\pwsh.exe\", \"-Command\"]\nRUN New-Item -ItemType Directory -Path C:\\\\app\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    assert!(stage.snapshot.lstat("/app").is_some(), "{:?}", sim.diagnostics);
    assert!(windows_image("mcr.microsoft.com/dotnet/framework/sdk:4.8.1"));
    assert!(windows_image("example/app:1.0-nanoserver-ltsc2022"));
    assert!(!windows_image("mcr.microsoft.com/dotnet/sdk:8.0-bookworm-slim"));
}

#[test]
fn run_heredocs_as_buildkit_runs_them() {
    // BuildKit's dispatchRun: a heredoc alone is the script (`<<-` strips its tabs); one that
    // starts with `#!` is mounted at /dev/pipes and run itself; a command with heredocs goes
    // to the shell with each body and delimiter after the line. (The daemon here, Docker
    // 20.10, has no heredocs in its built-in frontend, so these are checked against the rules,
    // not a build.)
    let text = "FROM alpine:3.20\n\
RUN <<EOF\necho alone > /alone\nEOF\n\
RUN <<-EOF\n\techo tabbed > /tabbed\n\tEOF\n\
RUN <<EOF\n#!/bin/sh\necho \"shebang $0\" > /shebang\nEOF\n\
RUN <<EOF sh\necho piped > /piped\nEOF\n\
RUN cat <<EOF > /cat && cat <<'EOT' >> /cat\none $HOME\nEOF\ntwo $HOME\nEOT\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    assert!(stage.steps.iter().all(|s| s.fidelity == Fidelity::Exact), "{:?}", sim.diagnostics);
    let text_of = |p: &str| match stage.snapshot.stat(p).map(|e| e.node) {
        Some(Node::File { content, .. }) => String::from_utf8(content.as_bytes().unwrap_or_default().to_vec()).unwrap(),
        other => panic!("{p}: {other:?}"),
    };
    assert_eq!(text_of("/alone"), "alone\n");
    assert_eq!(text_of("/tabbed"), "tabbed\n");
    assert_eq!(text_of("/shebang"), "shebang /dev/pipes/EOF\n");
    assert_eq!(text_of("/piped"), "piped\n");
    assert_eq!(text_of("/cat"), "one /root\ntwo $HOME\n");
    // The pipe is not left in the image.
    assert!(stage.snapshot.lstat("/dev/pipes").is_none());
}

/// /dev is the container's own during a RUN: what a step writes there is not in the layer, and
/// the random devices read as a fixed sequence, so a step reading them is modeled, not exact.
#[test]
fn dev_is_the_containers_and_random_bytes_are_modeled() {
    let text = "FROM alpine:3.20\n\
RUN cat /dev/urandom > /token\n\
RUN mkdir -p /dev/shm/x && echo hi > /dev/shm/x/f && echo plain > /plain\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    let fidelity: Vec<Fidelity> = stage.steps.iter().map(|s| s.fidelity).collect();
    assert_eq!(fidelity, [Fidelity::Modeled, Fidelity::Exact], "{:?}", sim.diagnostics);
    match stage.snapshot.stat("/token").map(|e| e.node) {
        Some(Node::File { content, .. }) => assert_eq!(content.as_bytes().map(<[u8]>::len), Some(1 << 20)),
        other => panic!("/token: {other:?}"),
    }
    assert!(stage.snapshot.lstat("/dev/urandom").is_none() && stage.snapshot.lstat("/dev/shm/x").is_none());
    assert!(stage.snapshot.lstat("/plain").is_some());
}

/// A Windows stage's paths lose their drive letter as BuildKit's `NormalizePath` has it
/// (`C:\app` is `/app` in the layer, `\app` in the config), and a Windows WORKDIR with a drive
/// is not "relative".
#[test]
fn windows_stages_normalize_their_paths() {
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\\\app\nCOPY x.txt .\nCOPY x.txt C:/data/\nWORKDIR sub\n\
RUN mkdir c:\\\\config && curl -fsSL -o c:\\\\config\\\\Caddyfile https://example.com/Caddyfile\n\
RUN powershell -Command Get-Process\n";
    let (checked, sim) = run(text, &context(&[("/x.txt", "x")], None), None);
    assert!(!checked.diagnostics.iter().any(|d| d.code == Code::WorkdirRelativePath), "{:?}", checked.diagnostics);
    let stage = sim.stage(0).expect("stage 0");
    for path in ["/app/x.txt", "/data/x.txt", "/app/sub"] {
        assert!(stage.snapshot.lstat(path).is_some(), "{path}");
    }
    assert_eq!(stage.config.workdir, "\\app\\sub");
    // cmd's command line runs (modeled); PowerShell does not.
    let fidelity: Vec<Fidelity> = stage.steps.iter().rev().take(2).map(|s| s.fidelity).collect();
    assert_eq!(fidelity, [Fidelity::Opaque, Fidelity::Modeled], "{:?}", sim.diagnostics);
    assert!(stage.snapshot.lstat("/config/Caddyfile").is_some());
    // Sources lose the drive too, from the context and from another stage.
    let text = "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 AS build\nCOPY C:\\\\x.txt C:\\\\out\\\\\n\
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\\\out C:\\\\app\n";
    let (_, sim) = run(text, &context(&[("/x.txt", "x")], None), None);
    let last = sim.stage(1).expect("stage 1");
    assert!(last.snapshot.lstat("/app/x.txt").is_some(), "{:?}", sim.diagnostics);
    assert!(messages(&sim, Code::SimulationError).is_empty(), "{:?}", sim.diagnostics);
    // Another drive is refused, as BuildKit refuses it.
    let (checked, _) =
        run("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR D:\\\\x\n", &context(&[], None), None);
    assert!(
        checked.diagnostics.iter().any(|d| d.message.contains("not on the system drive (C:)")),
        "{:?}",
        checked.diagnostics
    );
}

/// A SHELL with a wrapper before the shell (`conda run -n ENV /bin/sh -c`): the script runs
/// through that shell, modeled, with a note that names the wrapper.
#[test]
fn a_wrapped_shell_runs_the_script() {
    let text = "FROM alpine:3.20\nSHELL [\"conda\", \"run\", \"-n\", \"env\", \"/bin/sh\", \"-c\"]\nRUN echo hi > /f\n";
    let (_, sim) = run(text, &context(&[], None), None);
    let stage = sim.stage(0).expect("stage 0");
    assert_eq!(stage.steps.last().map(|s| s.fidelity), Some(Fidelity::Modeled), "{:?}", sim.diagnostics);
    assert!(stage.snapshot.lstat("/f").is_some());
    assert!(messages(&sim, Code::SimulationNote).iter().any(|m| m.contains("as conda run -n env would run it")));
}
