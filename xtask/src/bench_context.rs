//! `cargo xtask bench-context`: sending a large build context, `stagecraft build` against
//! `docker build` with the classic builder, side by side in one run on the same context
//! (20,000 files of 10 KiB in 200 directories, 200 MiB) and the same daemon: wall time and
//! the client's peak resident memory, medians of alternating runs, printed as ratios.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, cargo, docker, root, run};

const FILES: usize = 20_000;
const DIRS: usize = 200;
const SIZE: usize = 10 * 1024;
const ROUNDS: usize = 5;

/// Wall time and peak resident memory (KiB, `VmHWM` sampled from `/proc`) of `cmd`.
fn measure(mut cmd: Command) -> Result<(Duration, u64)> {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().map_err(|e| format!("{cmd:?}: {e}"))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok((elapsed, peak))
}

fn make_context(dir: &Path) -> Result {
    if dir.join("Dockerfile").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..FILES {
        let sub = dir.join(format!("d{:03}", i % DIRS));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        // Incompressible bytes, different in every file.
        let bytes: Vec<u8> = (0..SIZE)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed.to_le_bytes()[0]
            })
            .collect();
        std::fs::write(sub.join(format!("f{i:05}.bin")), bytes).map_err(|e| e.to_string())?;
    }
    std::fs::write(dir.join("Dockerfile"), "FROM local/busybox:1\nCOPY d000/f00000.bin /marker\n")
        .map_err(|e| e.to_string())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_u64(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

pub(crate) fn bench() -> Result {
    docker::ensure()?;
    run(cargo().args(["build", "--release", "-p", "stagecraft-cli"]))?;
    let bin = root().join("target/release/stagecraft");
    let dir = root().join("target/bench-context");
    make_context(&dir)?;
    let (mut ours, mut theirs) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for round in 0..ROUNDS {
        // Alternate who goes first, so neither always meets a warm page cache alone.
        for which in [round % 2, 1 - round % 2] {
            if which == 0 {
                let mut cmd = Command::new(&bin);
                cmd.current_dir(&dir).args([
                    "build",
                    ".",
                    "--network",
                    "none",
                    "--builder",
                    "classic",
                    "--progress",
                    "plain",
                    "-t",
                    "stagecraft-bench:ours",
                ]);
                let (t, m) = measure(cmd)?;
                ours.0.push(t);
                ours.1.push(m);
            } else {
                let mut cmd = Command::new("docker");
                cmd.current_dir(&dir).env("DOCKER_BUILDKIT", "0").args([
                    "build",
                    "--network",
                    "none",
                    "-q",
                    "-t",
                    "stagecraft-bench:docker",
                    ".",
                ]);
                let (t, m) = measure(cmd)?;
                theirs.0.push(t);
                theirs.1.push(m);
            }
        }
    }
    let (ot, om) = (median(ours.0), median_u64(ours.1));
    let (dt, dm) = (median(theirs.0), median_u64(theirs.1));
    println!(
        "context: {FILES} files of {} KiB in {DIRS} directories ({} MiB); medians of {ROUNDS} alternating runs",
        SIZE / 1024,
        (FILES * SIZE) >> 20
    );
    println!("  stagecraft build (classic builder): {:>7.2} s, peak {:>7} KiB", ot.as_secs_f64(), om);
    println!("  docker build (DOCKER_BUILDKIT=0):   {:>7.2} s, peak {:>7} KiB", dt.as_secs_f64(), dm);
    #[allow(clippy::cast_precision_loss)]
    let memory = om as f64 / dm.max(1) as f64;
    println!("  time ratio (ours / docker): {:.2}x; memory ratio: {memory:.2}x", ot.as_secs_f64() / dt.as_secs_f64());
    let _ = Command::new("docker").args(["rmi", "stagecraft-bench:ours", "stagecraft-bench:docker"]).output();
    Ok(())
}
