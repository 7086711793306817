//! The Docker daemon the daemon tests build with (`../shared/notes/docker.md`): Debian's
//! `docker.io` started without a bridge network or iptables, and a `local/busybox:1` base
//! image made from Debian's `busybox-static` (no registry is reachable). Installed and
//! started only on Debian as root; elsewhere the tests skip loudly (and fail under CI).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, output, root, run};

pub(crate) const BASE_IMAGE: &str = "local/busybox:1";

/// The image's config: `docker run IMAGE ls` needs a `PATH`, which `docker import` does not set.
const PATH_ENV: &str = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn daemon_answers() -> bool {
    output(Command::new("docker").args(["version", "--format", "{{.Server.APIVersion}}"])).is_some()
}

fn can_install() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0")
        && output(Command::new("apt-get").arg("--version")).is_some()
}

fn apt_install(packages: &[&str]) -> Result {
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get").args(["install", "-y", "-qq"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The daemon's TLS listener (`DOCKER_HOST=tcp://127.0.0.1:2376 DOCKER_TLS_VERIFY=1
/// DOCKER_CERT_PATH=$TMPDIR/stagecraft-docker-tls`).
const TLS_HOST: &str = "tcp://127.0.0.1:2376";

/// A test CA, a server certificate for 127.0.0.1 and a client certificate, in
/// `$TMPDIR/stagecraft-docker-tls` (`ca.pem`, `cert.pem` and `key.pem` are what Docker's CLI
/// reads): one place per machine, since one daemon serves every checkout's tests.
fn tls_certs() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join("stagecraft-docker-tls");
    if dir.join("key.pem").exists() && dir.join("server-cert.pem").exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("server-ext.cnf"),
        "subjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("client-ext.cnf"), "extendedKeyUsage = clientAuth\n").map_err(|e| e.to_string())?;
    let openssl = |args: &[&str]| -> Result {
        let out = Command::new("openssl").current_dir(&dir).args(args).output().map_err(|e| format!("openssl: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)))
        }
    };
    openssl(&["genrsa", "-out", "ca-key.pem", "2048"])?;
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-days",
        "3650",
        "-key",
        "ca-key.pem",
        "-subj",
        "/CN=stagecraft test CA",
        "-out",
        "ca.pem",
    ])?;
    for (key, csr, cert, cn, ext) in [
        ("server-key.pem", "server.csr", "server-cert.pem", "/CN=127.0.0.1", "server-ext.cnf"),
        ("key.pem", "client.csr", "cert.pem", "/CN=client", "client-ext.cnf"),
    ] {
        openssl(&["genrsa", "-out", key, "2048"])?;
        openssl(&["req", "-new", "-key", key, "-subj", cn, "-out", csr])?;
        openssl(&[
            "x509",
            "-req",
            "-days",
            "3650",
            "-in",
            csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            cert,
            "-extfile",
            ext,
        ])?;
    }
    Ok(dir)
}

/// A running daemon and the base image, when this machine allows it.
pub(crate) fn ensure() -> Result {
    if !daemon_answers() {
        if !can_install() {
            eprintln!("xtask: no Docker daemon answers and this is not Debian as root: the daemon tests will skip");
            return Ok(());
        }
        if output(Command::new("dockerd").arg("--version")).is_none()
            || !Path::new("/bin/busybox").exists()
            || output(Command::new("docker").arg("--version")).is_none()
        {
            apt_install(&["docker.io", "busybox-static"])?;
        }
        let log_path = root().join("target/dockerd.log");
        let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        // A TLS listener too (127.0.0.1:2376, certificates made here), for the tests of
        // DOCKER_TLS_VERIFY; without openssl, the unix socket only.
        let tls = tls_certs().map_err(|e| eprintln!("xtask: no TLS listener for the daemon: {e}")).ok();
        let mut args: Vec<String> =
            ["--bridge=none", "--iptables=false", "--ip6tables=false"].map(String::from).to_vec();
        if let Some(dir) = &tls {
            args.extend([
                "-H".into(),
                "unix:///var/run/docker.sock".into(),
                "-H".into(),
                TLS_HOST.into(),
                "--tlsverify".into(),
            ]);
            for (flag, file) in
                [("--tlscacert", "ca.pem"), ("--tlscert", "server-cert.pem"), ("--tlskey", "server-key.pem")]
            {
                args.push(format!("{flag}={}", dir.join(file).display()));
            }
        }
        eprintln!("+ dockerd {} (log: {})", args.join(" "), log_path.display());
        Command::new("dockerd")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start dockerd: {e}"))?;
        let start = Instant::now();
        while !daemon_answers() {
            if start.elapsed() > Duration::from_mins(1) {
                return Err(format!("dockerd did not answer within 60 s: see {}", log_path.display()));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    // An image made before the base had a `PATH` (and applets pointing at `/bin/busybox`)
    // is made again.
    if output(Command::new("docker").args(["image", "inspect", "-f", "{{json .Config.Env}}", BASE_IMAGE]))
        .is_some_and(|env| env.contains("PATH="))
    {
        return Ok(());
    }
    if !Path::new("/bin/busybox").exists() {
        if !can_install() {
            eprintln!("xtask: /bin/busybox is missing (apt-get install busybox-static): the daemon tests will skip");
            return Ok(());
        }
        apt_install(&["busybox-static"])?;
    }
    base_image()
}

/// `local/busybox:1`: busybox with its applets as symlinks, root and an unprivileged `app`
/// user (1000) with a home, `/tmp` 1777.
fn base_image() -> Result {
    let rootfs = root().join("target/busybox-rootfs");
    let _ = std::fs::remove_dir_all(&rootfs);
    for dir in ["bin", "etc", "tmp", "root", "home/app"] {
        std::fs::create_dir_all(rootfs.join(dir)).map_err(|e| e.to_string())?;
    }
    std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).map_err(|e| format!("copy busybox: {e}"))?;
    // `busybox --install -s DIR` would point every applet at this machine's path to the
    // binary; inside the image they must point at `/bin/busybox`.
    let list = Command::new("/bin/busybox").arg("--list").output().map_err(|e| format!("busybox --list: {e}"))?;
    for applet in String::from_utf8_lossy(&list.stdout).lines().filter(|a| !a.is_empty() && *a != "busybox") {
        std::os::unix::fs::symlink("/bin/busybox", rootfs.join("bin").join(applet))
            .map_err(|e| format!("link {applet}: {e}"))?;
    }
    let write = |path: &str, text: &str| std::fs::write(rootfs.join(path), text).map_err(|e| e.to_string());
    write(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    )?;
    write("etc/group", "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n")?;
    run(Command::new("chmod").arg("1777").arg(rootfs.join("tmp")))?;
    run(Command::new("chown").arg("1000:1000").arg(rootfs.join("home/app")))?;
    run(Command::new("sh").arg("-c").arg(format!(
        "tar --numeric-owner -C '{}' -c . | docker import --change '{PATH_ENV}' - {BASE_IMAGE}",
        rootfs.display()
    )))
}
