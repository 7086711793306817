//! The built-in image configs: the environment, working directory, user and command of the
//! official images tutorials use, from their Dockerfiles at the tags studied in
//! `../shared/notes/catalog-sources.md` (section 4). Version values belong to those tags;
//! the variable names, which the build checks rely on, hold across tags. The simulation's
//! catalog (file trees, sizes, per-tag data) replaces this summary.

use super::{Entry, ImageConfig};

const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn entry(
    name: &str,
    env: &[(&str, &str)],
    working_dir: &str,
    cmd: &[&str],
    entrypoint: &[&str],
    ports: &[&str],
) -> Entry {
    let list = |l: &[&str]| (!l.is_empty()).then(|| l.iter().map(|s| (*s).to_string()).collect());
    Entry {
        name: name.into(),
        tags: Vec::new(),
        config: ImageConfig {
            env: env.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            working_dir: working_dir.into(),
            cmd: list(cmd),
            entrypoint: list(entrypoint),
            exposed_ports: ports.iter().map(|s| (*s).to_string()).collect(),
            ..ImageConfig::empty_linux()
        },
        tree: None,
        shell: shell_of(name),
        source: "official image Dockerfiles, tags studied in ../shared/notes/catalog-sources.md section 4 (environment names and defaults; versions move with the tag)".into(),
    }
}

/// The default shell of the images the built-in entries describe (`/bin/sh` in each, or none).
fn shell_of(name: &str) -> Option<super::Shell> {
    let flavour = match name {
        "scratch" | "gcr.io/distroless/static" | "gcr.io/distroless/base" => return None,
        "alpine" | "busybox" => "busybox-ash",
        _ => "dash",
    };
    Some(super::Shell { path: Some("/bin/sh".into()), flavour: Some(flavour.into()) })
}

const JAVA: [(&str, &str); 5] = [
    ("JAVA_HOME", "/opt/java/openjdk"),
    ("LANG", "en_US.UTF-8"),
    ("LANGUAGE", "en_US:en"),
    ("LC_ALL", "en_US.UTF-8"),
    ("JAVA_VERSION", "jdk-21.0.12+8"),
];

pub(super) fn entries() -> Vec<Entry> {
    let java_path = "/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    let with_java = |extra: &[(&'static str, &'static str)]| {
        let mut env: Vec<(&str, &str)> = vec![("PATH", java_path)];
        env.extend_from_slice(&JAVA);
        env.extend_from_slice(extra);
        env
    };
    let mut nginx = entry(
        "nginx",
        &[
            ("PATH", PATH),
            ("NGINX_VERSION", "1.27.4"),
            ("NJS_VERSION", "0.8.7"),
            ("NJS_RELEASE", "1~bookworm"),
            ("PKG_RELEASE", "1~bookworm"),
            ("DYNPKG_RELEASE", "1~bookworm"),
        ],
        "",
        &["nginx", "-g", "daemon off;"],
        &["/docker-entrypoint.sh"],
        &["80/tcp"],
    );
    nginx.config.stop_signal = Some("SIGQUIT".into());
    let mut gradle = entry(
        "gradle",
        &with_java(&[("GRADLE_HOME", "/opt/gradle"), ("GRADLE_VERSION", "9.0.0")]),
        "/home/gradle",
        &["gradle"],
        &[],
        &[],
    );
    gradle.config.user = String::new();
    vec![
        entry("scratch", &[], "", &[], &[], &[]),
        entry("alpine", &[("PATH", PATH)], "", &["/bin/sh"], &[], &[]),
        entry("busybox", &[("PATH", PATH)], "", &["sh"], &[], &[]),
        entry("debian", &[("PATH", PATH)], "", &["bash"], &[], &[]),
        entry("ubuntu", &[("PATH", PATH)], "", &["/bin/bash"], &[], &[]),
        entry(
            "python",
            &[
                ("PATH", "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ("GPG_KEY", "7169605F62C751356D054A26A821E680E5FA6305"),
                ("PYTHON_VERSION", "3.13.14"),
            ],
            "",
            &["python3"],
            &[],
            &[],
        ),
        entry(
            "node",
            &[("PATH", PATH), ("NODE_VERSION", "22.12.0"), ("YARN_VERSION", "1.22.22")],
            "",
            &["node"],
            &["docker-entrypoint.sh"],
            &[],
        ),
        entry(
            "golang",
            &[
                ("PATH", "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ("GOLANG_VERSION", "1.26.7"),
                ("GOTOOLCHAIN", "local"),
                ("GOPATH", "/go"),
            ],
            "/go",
            &["bash"],
            &[],
            &[],
        ),
        nginx,
        entry(
            "rust",
            &[
                ("RUSTUP_HOME", "/usr/local/rustup"),
                ("CARGO_HOME", "/usr/local/cargo"),
                ("PATH", "/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ("RUST_VERSION", "1.94.1"),
            ],
            "",
            &["bash"],
            &[],
            &[],
        ),
        entry("eclipse-temurin", &with_java(&[]), "", &["jshell"], &["/__cacert_entrypoint.sh"], &[]),
        entry(
            "maven",
            &with_java(&[("MAVEN_HOME", "/usr/share/maven"), ("MAVEN_CONFIG", "/root/.m2")]),
            "",
            &["mvn"],
            &["/usr/local/bin/mvn-entrypoint.sh"],
            &[],
        ),
        gradle,
        entry(
            "tomcat",
            &with_java(&[
                ("CATALINA_HOME", "/usr/local/tomcat"),
                ("TOMCAT_NATIVE_LIBDIR", "/usr/local/tomcat/native-jni-lib"),
                ("LD_LIBRARY_PATH", "/usr/local/tomcat/native-jni-lib"),
                ("TOMCAT_MAJOR", "10"),
                ("TOMCAT_VERSION", "10.1.59"),
            ]),
            "/usr/local/tomcat",
            &["catalina.sh", "run"],
            &[],
            &["8080/tcp"],
        ),
        entry(
            "gcr.io/distroless/static",
            &[("PATH", PATH), ("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")],
            "",
            &[],
            &[],
            &[],
        ),
        entry(
            "gcr.io/distroless/base",
            &[("PATH", PATH), ("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")],
            "",
            &[],
            &[],
            &[],
        ),
    ]
}
