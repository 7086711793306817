//! `stagecraft build` against a real Docker daemon: a multi-stage build honouring `--target`
//! and `--build-arg` whose image runs, both builders, a failing RUN tied to its line, links
//! out of the context kept as links, JSON progress; and the failures that must never reach
//! the daemon (a Dockerfile error, a line the classic builder cannot build) or that have no
//! daemon to reach. The daemon tests skip loudly without one, and fail under `CI`.

use std::path::{Path, PathBuf};
use std::process::Command;

use stagecraft_tests::{skip_or_fail, stagecraft_bin};

const BASE: &str = "local/busybox:1";

/// A fresh context directory with `files` (path, content).
fn context(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stagecraft-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn stagecraft(dir: &Path, args: &[&str], docker_host: Option<&str>) -> Run {
    let mut cmd = Command::new(stagecraft_bin());
    cmd.current_dir(dir).args(args).env("NO_COLOR", "1");
    if let Some(host) = docker_host {
        cmd.env("DOCKER_HOST", host);
    }
    let out = cmd.output().expect("run stagecraft");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn docker(args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker").args(args).output().map_err(|e| format!("cannot run docker: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// True when a daemon and the base image are there; otherwise skips loudly (fails in CI).
fn daemon_ready() -> bool {
    if docker(&["version", "--format", "{{.Server.APIVersion}}"]).is_err() {
        skip_or_fail("stagecraft build tests need a Docker daemon (cargo xtask test starts one on Debian as root)");
        return false;
    }
    if docker(&["image", "inspect", BASE]).is_err() {
        skip_or_fail(&format!("stagecraft build tests need the base image {BASE} (cargo xtask test makes it)"));
        return false;
    }
    true
}

const MULTI: &str = "\
ARG GREETING=hello
FROM local/busybox:1 AS base
ARG GREETING
RUN echo \"$GREETING from base\" > /msg
COPY data.txt /data.txt

FROM local/busybox:1 AS app
COPY --from=base /msg /msg
COPY --from=base /data.txt /data.txt
CMD [\"cat\", \"/msg\", \"/data.txt\"]

FROM app AS broken
RUN exit 7
";

#[test]
fn multi_stage_build_honours_target_and_build_args_and_runs() {
    if !daemon_ready() {
        return;
    }
    let dir = context("multi", &[("Dockerfile", MULTI), ("data.txt", "data\n")]);
    for builder in ["classic", "buildkit"] {
        let tag = format!("stagecraft-test/multi-{builder}:1");
        let run = stagecraft(
            &dir,
            &[
                "build",
                ".",
                "-t",
                &tag,
                "--target",
                "app",
                "--build-arg",
                "GREETING=hi",
                "--network",
                "none",
                "--builder",
                builder,
            ],
            None,
        );
        assert_eq!(run.code, 0, "{builder}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("image sha256:"), "{builder}: {}", run.stdout);
        let output = docker(&["run", "--rm", "--network", "none", &tag]).expect("docker run");
        assert_eq!(output, "hi from base\ndata\n", "{builder}");
        // Without the build arg, the global default.
        let run = stagecraft(
            &dir,
            &["build", ".", "-t", &tag, "--target", "app", "--network", "none", "--builder", builder],
            None,
        );
        assert_eq!(run.code, 0, "{builder}: {}{}", run.stdout, run.stderr);
        assert_eq!(docker(&["run", "--rm", "--network", "none", &tag]).expect("docker run"), "hello from base\ndata\n");
        let _ = docker(&["rmi", &tag]);
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn a_failing_run_gives_its_exit_status_and_line() {
    if !daemon_ready() {
        return;
    }
    let dir = context("failing", &[("Dockerfile", MULTI), ("data.txt", "data\n")]);
    for (builder, message) in [("classic", "returned a non-zero code: 7"), ("buildkit", "exit code: 7")] {
        let run = stagecraft(&dir, &["build", ".", "--network", "none", "--builder", builder], None);
        assert_eq!(run.code, 1, "{builder}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{builder}: {}", run.stderr);
        assert!(
            run.stderr.contains("Dockerfile:13:1") && run.stderr.contains("RUN exit 7"),
            "{builder}: {}",
            run.stderr
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn links_out_of_the_context_are_sent_as_links() {
    if !daemon_ready() {
        return;
    }
    let dir = context(
        "links",
        &[
            ("Dockerfile", "FROM local/busybox:1\nCOPY tree/ /tree/\nCMD [\"readlink\", \"/tree/escape\"]\n"),
            ("tree/file", "x\n"),
        ],
    );
    std::os::unix::fs::symlink("/etc/shadow", dir.join("tree/escape")).expect("symlink");
    let tag = "stagecraft-test/links:1";
    let run = stagecraft(&dir, &["build", ".", "-t", tag, "--network", "none"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(docker(&["run", "--rm", "--network", "none", tag]).expect("docker run"), "/etc/shadow\n");
    let _ = docker(&["rmi", tag]);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn json_progress_is_one_event_per_line_with_lines() {
    if !daemon_ready() {
        return;
    }
    let dir = context("json", &[("Dockerfile", MULTI), ("data.txt", "data\n")]);
    let run = stagecraft(
        &dir,
        &[
            "build",
            ".",
            "--target",
            "app",
            "--network",
            "none",
            "--builder",
            "buildkit",
            "--no-cache",
            "--progress",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let events: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"start"));
    assert_eq!(kinds.last(), Some(&"built"));
    // The RUN of stage base is step "[base 2/3]", on line 4.
    let lines: Vec<u64> =
        events.iter().filter(|e| e["event"] == "step").filter_map(|e| e["at"]["line"].as_u64()).collect();
    assert!(lines.contains(&4) && lines.contains(&8), "{lines:?}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// No daemon is needed for these: nothing may be sent.
const NO_DAEMON: &str = "unix:///nonexistent/docker.sock";

#[test]
fn a_dockerfile_with_an_error_is_stopped_before_the_daemon() {
    let dir = context("error", &[("Dockerfile", "FROM local/busybox:1\nCOPY --frm=base a /a\n")]);
    let run = stagecraft(&dir, &["build", "."], Some(NO_DAEMON));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unknown flag: --frm"), "{}", run.stderr);
    assert!(run.stderr.contains("Dockerfile:2:6"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was sent to the Docker daemon"), "{}", run.stderr);
    assert!(!run.stderr.contains("cannot reach"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn lines_the_classic_builder_cannot_build_are_named_before_the_daemon() {
    let dir = context(
        "classic",
        &[("Dockerfile", "FROM local/busybox:1\nRUN --mount=type=tmpfs,target=/t touch /t/x\nCOPY --chmod=600 a /a\n")],
    );
    let run = stagecraft(&dir, &["build", ".", "--builder", "classic"], Some(NO_DAEMON));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("RUN --mount needs BuildKit") && run.stderr.contains("Dockerfile:2:5"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("COPY --chmod needs BuildKit") && run.stderr.contains("Dockerfile:3:6"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("cannot reach"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn no_daemon_is_a_clear_error() {
    let dir = context("down", &[("Dockerfile", "FROM local/busybox:1\n")]);
    let run = stagecraft(&dir, &["build", "."], Some(NO_DAEMON));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot reach the Docker daemon at unix:///nonexistent/docker.sock"), "{}", run.stderr);
    assert!(run.stderr.contains("Is it running?"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn verify_agrees_on_shell_builtin_cases() {
    if !daemon_ready() {
        return;
    }
    let dir = stagecraft_tests::workspace_root().join("tests/fixtures/daemon/run-builtins");
    let run = stagecraft(&dir, &["build", ".", "--target", "build", "--network", "none", "--verify"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("bases from the daemon: local/busybox:1"), "{}", run.stdout);
    assert!(run.stdout.contains("verify: the simulation agrees with the real image"), "{}", run.stdout);
}

#[test]
fn verify_reports_what_the_simulation_missed() {
    if !daemon_ready() {
        return;
    }
    // `od` is not one of the utilities the simulation runs yet: its output is missing
    // from the simulation, and the step is named as the reason.
    let dir = context(
        "verify-gap",
        &[("Dockerfile", "FROM local/busybox:1\nRUN mkdir /out && od -c /etc/passwd > /out/numbers\nENV MODE=test\n")],
    );
    let run = stagecraft(&dir, &["build", ".", "--network", "none", "--verify", "--progress", "json"], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let verify = run
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event"] == "verify")
        .expect("a verify event");
    assert_eq!(verify["agrees"], false);
    // The shell made the file before running `od` (redirections come first), so the
    // simulation has it, empty: its content differs.
    assert_eq!(verify["report"]["differing"][0][0], "/out/numbers", "{verify}");
    assert_eq!(verify["report"]["differing"][0][1], "content", "{verify}");
    assert_eq!(verify["report"]["only_real"], serde_json::json!([]), "{verify}");
    assert_eq!(verify["report"]["config"], serde_json::json!([]), "{verify}");
    let gaps = verify["report"]["gaps"].to_string();
    assert!(gaps.contains("`od` is not simulated yet"), "{gaps}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn an_image_snapshot_is_a_catalog_the_simulation_reads() {
    if !daemon_ready() {
        return;
    }
    let dir = context(
        "snapshot",
        &[("Dockerfile", "FROM local/busybox:1\nRUN mkdir -p /srv/www && echo hi > /srv/www/index.html\n")],
    );
    let run = stagecraft(&dir, &["image", "snapshot", BASE, "-o", "busybox.json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("busybox.json")).expect("written")).expect("JSON");
    let image = &file["images"][0];
    assert_eq!((image["name"].as_str(), image["tags"][0].as_str()), (Some("local/busybox"), Some("1")));
    assert_eq!(image["shell"]["flavour"], "busybox-ash");
    assert!(image["config"]["env"].to_string().contains("PATH"), "{}", image["config"]);
    let files = image["files"].as_array().expect("files");
    let busybox = files.iter().find(|f| f["path"] == "/bin/busybox").expect("/bin/busybox");
    assert_eq!(busybox["sha256"].as_str().map(str::len), Some(64));
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "/etc/passwd" && f["content"].as_str().is_some_and(|c| c.starts_with("root:")))
    );
    let run = stagecraft(&dir, &["simulate", ".", "--catalog", "busybox.json", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let layers = &report["stages"][0]["layers"];
    assert_eq!(layers[0]["fidelity"], "exact", "{layers}");
    assert!(report["image"]["files"].as_array().expect("files").iter().any(|f| f["path"] == "/srv/www/index.html"));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// Peak resident memory (`VmHWM`, KiB) of `stagecraft build` on `dir`, sampled until it ends.
fn peak_memory_kib(dir: &Path) -> (u64, Run) {
    let child = Command::new(stagecraft_bin())
        .current_dir(dir)
        .args(["build", ".", "--network", "none", "--progress", "plain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run stagecraft");
    let status_path = format!("/proc/{}/status", child.id());
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
            // A zombie has no memory left to report: stop there.
            if status.lines().any(|l| l.starts_with("State:") && l.contains('Z')) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        peak
    });
    let out = child.wait_with_output().expect("wait");
    let peak = sampler.join().expect("sampler");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (peak, run)
}

#[test]
fn a_context_of_gigabytes_streams_in_bounded_memory() {
    if !daemon_ready() {
        return;
    }
    let dockerfile = "FROM local/busybox:1\nCOPY small.txt /small.txt\n";
    let small = context("ctx-small", &[("Dockerfile", dockerfile), ("small.txt", "x\n")]);
    let big = context("ctx-big", &[("Dockerfile", dockerfile), ("small.txt", "x\n")]);
    // 2 GiB, sparse on disk, all of it read and sent.
    let file = std::fs::File::create(big.join("big.bin")).expect("create");
    file.set_len(2 << 30).expect("set_len");
    drop(file);
    let (small_peak, run) = peak_memory_kib(&small);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (big_peak, run) = peak_memory_kib(&big);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sent: u64 = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("context: 3 entries, ")?.strip_suffix(" bytes of files")?.parse().ok())
        .unwrap_or_else(|| panic!("no context line: {}", run.stdout));
    assert!(sent > 2 << 30, "{sent}");
    eprintln!("peak memory: {small_peak} KiB with a 3-byte context, {big_peak} KiB with 2 GiB");
    assert!(
        big_peak < small_peak + 32 * 1024,
        "{big_peak} KiB against {small_peak} KiB: memory grows with the context"
    );
    std::fs::remove_dir_all(&small).expect("clean up");
    std::fs::remove_dir_all(&big).expect("clean up");
}

#[test]
fn an_interrupted_build_is_cancelled_on_the_daemon() {
    if !daemon_ready() {
        return;
    }
    let dir =
        context("interrupt", &[("Dockerfile", "FROM local/busybox:1\nRUN sleep 300 # stagecraft-interrupt-test\n")]);
    let mut child = Command::new(stagecraft_bin())
        .current_dir(&dir)
        .args(["build", ".", "--network", "none", "--no-cache"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run stagecraft");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    // Wait until the RUN container is running.
    while std::io::BufRead::read_line(&mut stdout, &mut line).expect("read") > 0 && !line.contains("Running in") {
        line.clear();
    }
    assert!(line.contains("Running in"), "the RUN step did not start");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let started = std::time::Instant::now();
    let status = child.wait().expect("wait");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "Ctrl-C did not end the build");
    assert_eq!(status.code(), Some(2));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("read");
    assert!(stderr.contains("build cancelled"), "{stderr}");
    // The daemon stops the step and removes its container.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let left = docker(&["ps", "-a", "--no-trunc", "--format", "{{.Command}}"]).expect("docker ps");
        if !left.contains("stagecraft-interrupt-test") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the RUN container is still there: {left}");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn builds_over_tls_as_docker_tls_verify_says() {
    if !daemon_ready() {
        return;
    }
    // `cargo xtask docker` starts the daemon with a TLS listener and these certificates.
    let certs = std::env::temp_dir().join("stagecraft-docker-tls");
    let tls_host = "tcp://127.0.0.1:2376";
    let answers = certs.join("key.pem").exists()
        && Command::new("docker")
            .args(["--tlsverify", "-H", tls_host, "version"])
            .env("DOCKER_CERT_PATH", &certs)
            .output()
            .is_ok_and(|o| o.status.success());
    if !answers {
        skip_or_fail("no daemon answers with TLS at 127.0.0.1:2376 (cargo xtask docker starts one with it)");
        return;
    }
    let dir = context("tls", &[("Dockerfile", MULTI), ("data.txt", "data\n")]);
    let tag = "stagecraft-test/tls:1";
    let mut cmd = Command::new(stagecraft_bin());
    cmd.current_dir(&dir)
        .args(["build", ".", "-t", tag, "--target", "app", "--network", "none"])
        .env("NO_COLOR", "1")
        .env("DOCKER_HOST", tls_host)
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", &certs);
    let out = cmd.output().expect("run stagecraft");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("at {tls_host}")) && stdout.contains("image sha256:"), "{stdout}");
    assert_eq!(docker(&["run", "--rm", "--network", "none", tag]).expect("docker run"), "hello from base\ndata\n");
    let _ = docker(&["rmi", tag]);
    // Without DOCKER_TLS_VERIFY the daemon refuses, and the message says what to set.
    let run = stagecraft(&dir, &["build", ".", "--target", "app"], Some(tls_host));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("DOCKER_TLS_VERIFY=1"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
