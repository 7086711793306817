use super::*;
use crate::fs::{Content, Entry, Meta, Node, Snapshot};

/// A busybox-like root: /bin/sh and applets as links to /bin/busybox, /etc/passwd, /tmp.
fn busybox() -> Snapshot {
    let mut fs = Snapshot::new();
    for dir in ["/bin", "/etc", "/tmp", "/root", "/home/app"] {
        fs.mkdir_all(dir, Meta::DIR).unwrap();
    }
    fs.insert("/home/app", Entry::dir(Meta::new(0o755, 1000, 1000))).unwrap();
    fs.insert("/bin/busybox", Entry::file(Content::synthetic(1000, "busybox"), Meta::new(0o755, 0, 0))).unwrap();
    for applet in [
        "sh", "echo", "mkdir", "touch", "rm", "cp", "mv", "ln", "chmod", "chown", "cat", "test", "[", "printf", "true",
        "false", "id", "wc", "head", "tee", "basename", "dirname", "apk", "awk",
    ] {
        fs.insert(&format!("/bin/{applet}"), Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
    }
    fs.insert(
        "/etc/passwd",
        Entry::file(
            Content::bytes(b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n".to_vec()),
            Meta::FILE,
        ),
    )
    .unwrap();
    fs.insert("/etc/group", Entry::file(Content::bytes(b"root:x:0:\napp:x:1000:\n".to_vec()), Meta::FILE)).unwrap();
    fs
}

/// The busybox root with more applets linked to busybox.
fn busybox_with(applets: &[&str]) -> Snapshot {
    let mut fs = busybox();
    for applet in applets {
        fs.insert(&format!("/bin/{applet}"), Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
    }
    fs
}

fn start(fs: Snapshot) -> Start {
    Start {
        snapshot: fs,
        env: vec![("PATH".into(), crate::plan::dispatch::DEFAULT_PATH.into())],
        workdir: "/".into(),
        uid: 0,
        gid: 0,
        userland: Userland::Busybox,
        dialect: Dialect::Posix,
        partial: false,
        network_none: false,
        packages: None,
    }
}

fn run(script: &str) -> Finished {
    run_script(script, start(busybox()))
}

fn file(f: &Finished, path: &str) -> (String, Meta) {
    match f.snapshot.lstat(path) {
        Some(Entry { node: Node::File { content, .. }, meta }) => {
            (String::from_utf8_lossy(content.as_bytes().expect("bytes")).into_owned(), meta)
        }
        other => panic!("{path}: {other:?}"),
    }
}

#[test]
fn files_made_by_builtins() {
    let f = run(
        "mkdir -p /opt/app/data && echo hello > /opt/app/greeting && chmod 600 /opt/app/greeting && ln -s /opt/app/greeting /opt/link && touch /opt/app/empty",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(f.stopped, None);
    assert_eq!(file(&f, "/opt/app/greeting"), ("hello\n".into(), Meta::new(0o600, 0, 0)));
    assert_eq!(file(&f, "/opt/app/empty"), (String::new(), Meta::new(0o644, 0, 0)));
    assert!(matches!(f.snapshot.lstat("/opt/link").unwrap().node, Node::Symlink(ref t) if &**t == "/opt/app/greeting"));
    assert!(f.snapshot.stat("/opt/app/data").unwrap().is_dir());
}

#[test]
fn expansions_loops_and_conditions() {
    let f = run(
        "set -e\nNAME=world; for i in 1 2 3; do echo \"$i ${NAME:-x} ${UNSET:-dflt} $((i * 2))\" >> /tmp/out; done\nif [ -f /tmp/out ]; then echo yes > /tmp/if; else echo no > /tmp/if; fi\ncase $NAME in w*) echo matched > /tmp/case ;; *) echo no > /tmp/case ;; esac\nX=/a/b/c.tar.gz; echo ${X##*/} ${X%.*} $(basename $X .gz) > /tmp/p",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/out").0, "1 world dflt 2\n2 world dflt 4\n3 world dflt 6\n");
    assert_eq!(file(&f, "/tmp/if").0, "yes\n");
    assert_eq!(file(&f, "/tmp/case").0, "matched\n");
    assert_eq!(file(&f, "/tmp/p").0, "c.tar.gz /a/b/c.tar c.tar\n");
}

#[test]
fn set_e_stops_at_the_first_failure_and_statuses_carry() {
    let f = run("set -e; touch /tmp/a; false; touch /tmp/b");
    assert_eq!(f.status, 1);
    assert!(f.snapshot.lstat("/tmp/a").is_some() && f.snapshot.lstat("/tmp/b").is_none());
    let f = run("false || touch /tmp/ok; ! true; exit 3");
    assert_eq!(f.status, 3);
    assert!(f.snapshot.lstat("/tmp/ok").is_some());
    let f = run("nosuchcommand");
    assert_eq!(f.status, 127);
    assert!(f.output.contains("nosuchcommand: not found"), "{}", f.output);
    let f = run("mkdir /no/such/parent");
    assert_eq!(f.status, 1);
    assert!(f.output.contains("can't create directory '/no/such/parent': No such file or directory"), "{}", f.output);
}

#[test]
fn globs_pipes_and_redirections() {
    let f = run(
        "mkdir /d; touch /d/a.txt /d/b.txt /d/c.log; for f in /d/*.txt; do echo $f; done > /tmp/list; echo one two | wc -w > /tmp/count; cat /tmp/list | head -n 1 > /tmp/first; ls_missing 2>/dev/null; echo $? > /tmp/status",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/list").0, "/d/a.txt\n/d/b.txt\n");
    assert_eq!(file(&f, "/tmp/count").0, "2\n");
    assert_eq!(file(&f, "/tmp/first").0, "/d/a.txt\n");
    assert_eq!(file(&f, "/tmp/status").0, "127\n");
}

#[test]
fn users_and_permissions() {
    let mut s = start(busybox());
    s.uid = 1000;
    s.gid = 1000;
    let f = run_script("touch /home/app/mine; touch /etc/theirs", s);
    assert_eq!(f.status, 1);
    assert_eq!(file(&f, "/home/app/mine").1, Meta::new(0o644, 1000, 1000));
    assert!(f.output.contains("Permission denied"), "{}", f.output);
    let f = run("mkdir -p /srv/x && touch /srv/x/f && chown -R app:app /srv/x");
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/srv/x/f").1, Meta::new(0o644, 1000, 1000));
    assert_eq!(f.snapshot.stat("/srv/x").unwrap().meta, Meta::new(0o755, 1000, 1000));
}

#[test]
fn unknown_commands_and_endless_loops_stop_the_interpreter() {
    let f = run("touch /tmp/before && awk '{ print }' /etc/passwd && touch /tmp/after");
    assert!(matches!(f.stopped, Some(Stop::Unknown { ref command, .. }) if command == "awk"));
    assert!(f.snapshot.lstat("/tmp/before").is_some() && f.snapshot.lstat("/tmp/after").is_none());
    let f = run("while true; do :; done");
    assert!(matches!(f.stopped, Some(Stop::Budget { .. })));
}

#[test]
fn exec_form_runs_without_a_shell() {
    let f = run_exec(&["mkdir".into(), "-p".into(), "/x/y".into()], start(busybox()));
    assert_eq!(f.status, 0);
    assert!(f.snapshot.stat("/x/y").unwrap().is_dir());
    let f = run_exec(&["nope".into()], start(busybox()));
    assert_eq!(f.status, 127);
}

#[test]
fn echo_and_printf_escapes() {
    let f = run(
        r"echo -e 'a\tb\\c' > /tmp/e; echo 'raw\n' > /tmp/r; printf '%s-%03d|%-4s|\n' x 7 ab > /tmp/p; printf 'tab\there\n' >> /tmp/p",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/e").0, "a\tb\\c\n");
    assert_eq!(file(&f, "/tmp/r").0, "raw\\n\n");
    assert_eq!(file(&f, "/tmp/p").0, "x-007|ab  |\ntab\there\n");
    // dash's echo interprets escapes without -e.
    let mut s = start(busybox());
    s.userland = Userland::Gnu;
    let f = run_script(r"echo 'raw\n' > /tmp/r", s);
    assert_eq!(file(&f, "/tmp/r").0, "raw\n\n");
}

#[test]
fn read_xargs_env_and_text_tools() {
    let mut fs = busybox();
    for applet in ["xargs", "env", "sort", "uniq", "grep", "sed", "cut", "tr", "seq", "find"] {
        fs.insert(&format!("/bin/{applet}"), Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
    }
    let script = "printf 'a 1\\nb 2\\n' > /tmp/in\n\
                  while read name n; do echo \"$n-$name\"; done < /tmp/in > /tmp/read\n\
                  echo /tmp/x1 /tmp/x2 | xargs touch\n\
                  env GREETING=hi sh -c 'echo $GREETING' > /tmp/env 2>&1 || echo no-sh > /tmp/env\n\
                  seq 3 | sort -r | sed 's/^/n/' | grep -v n2 > /tmp/pipe\n\
                  find /tmp -name 'x*' > /tmp/found";
    let f = run_script(script, start(fs));
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/read").0, "1-a\n2-b\n");
    assert!(f.snapshot.lstat("/tmp/x1").is_some() && f.snapshot.lstat("/tmp/x2").is_some());
    assert_eq!(file(&f, "/tmp/pipe").0, "n3\nn1\n");
    assert_eq!(file(&f, "/tmp/found").0, "/tmp/x1\n/tmp/x2\n");
    assert_eq!(file(&f, "/tmp/env").0, "hi\n");
    assert_eq!(f.stopped, None);
}

#[test]
fn package_managers_and_openssl_are_modeled() {
    let mut fs = busybox();
    fs.mkdir_all("/sbin", Meta::DIR).unwrap();
    fs.mkdir_all("/etc/apk", Meta::DIR).unwrap();
    fs.insert("/sbin/apk", Entry::file(Content::synthetic(69_648, "apk"), Meta::new(0o755, 0, 0))).unwrap();
    fs.insert("/etc/apk/world", Entry::file(Content::bytes(b"alpine-baselayout\nbusybox\n".to_vec()), Meta::FILE))
        .unwrap();
    let script = "apk add --no-cache openssl curl=8.9.1-r0 && openssl req -x509 -nodes -newkey rsa:4096 -out /src/cert.pem -keyout /src/cert.key -subj /CN=x";
    let mut s = start(fs);
    s.workdir = "/".into();
    let f = run_script(&format!("mkdir /src && {script}"), s);
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(f.stopped, None);
    assert!(f.modeled.iter().any(|m| m.starts_with("apk installs")), "{:?}", f.modeled);
    assert!(f.modeled.iter().any(|m| m.starts_with("openssl")), "{:?}", f.modeled);
    assert_eq!(file(&f, "/etc/apk/world").0, "alpine-baselayout\nbusybox\ncurl\nopenssl\n");
    let key = f.snapshot.stat("/src/cert.key").unwrap();
    assert_eq!((key.meta.mode, key.size()), (0o600, 3408));
    assert_eq!(f.snapshot.stat("/src/cert.pem").unwrap().size(), 2588);
    assert!(f.snapshot.stat("/usr/bin/openssl").is_some() && f.snapshot.stat("/usr/bin/curl").is_some());
}

#[test]
fn checksums_are_checked() {
    let mut fs = busybox();
    fs.insert("/bin/sha256sum", Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
    let good = "printf abc > /tmp/f && echo 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /tmp/f' | sha256sum -c - > /tmp/ok";
    let f = run_script(good, start(fs.clone()));
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/ok").0, "/tmp/f: OK\n");
    let f = run_script(
        "printf abd > /tmp/f && echo 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /tmp/f' | sha256sum -c -",
        start(fs),
    );
    assert_eq!(f.status, 1);
}

#[test]
fn bash_tests_and_expansions() {
    let mut s = start(busybox());
    s.dialect = Dialect::Bash;
    let script = r#"v=hello-world.tar.gz
echo "${v/-/_} ${v//o/0} ${v/#hello/bye} ${v/%.gz/.xz} ${v:6} ${v:0:5} ${v: -6} ${v^^} ${v^}" > /tmp/exp
if [[ $v == *.tar.gz && -d /tmp ]]; then echo yes > /tmp/t1; fi
[[ $v =~ ^hello-(w[a-z]+) ]] && echo match > /tmp/t2
[[ ! -e /nope || 1 -eq 2 ]] && echo or > /tmp/t3
(( 2 * 3 == 6 )) && echo arith > /tmp/t4
[[ "a b" == "a b" ]] && echo quoted > /tmp/t5"#;
    let f = run_script(script, s);
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(f.stopped, None);
    assert_eq!(
        file(&f, "/tmp/exp").0,
        "hello_world.tar.gz hell0-w0rld.tar.gz bye-world.tar.gz hello-world.tar.xz world.tar.gz hello tar.gz HELLO-WORLD.TAR.GZ Hello-world.tar.gz\n"
    );
    for (path, text) in [
        ("/tmp/t1", "yes\n"),
        ("/tmp/t2", "match\n"),
        ("/tmp/t3", "or\n"),
        ("/tmp/t4", "arith\n"),
        ("/tmp/t5", "quoted\n"),
    ] {
        assert_eq!(file(&f, path).0, text, "{path}");
    }
}

#[test]
fn network_none_makes_downloads_fail() {
    let mut fs = busybox();
    fs.insert("/bin/wget", Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
    let mut s = start(fs.clone());
    s.network_none = true;
    let f = run_script("wget -O /tmp/x https://example.com/x", s);
    assert_eq!(f.status, 1, "{}", f.output);
    assert!(f.output.contains("wget: bad address"), "{}", f.output);
    assert!(f.snapshot.lstat("/tmp/x").is_none());
    // With the network, the download is modeled.
    let f = run_script("wget -O /tmp/x https://example.com/x", start(fs));
    assert_eq!(f.status, 0);
    assert!(f.snapshot.lstat("/tmp/x").is_some() && !f.modeled.is_empty());
}

#[test]
fn md5_hard_links_and_byte_counts() {
    let fs = busybox_with(&["md5sum", "ln", "tail"]);
    let f = run_script(
        "printf abc > /tmp/a && md5sum /tmp/a > /tmp/sum && ln /tmp/a /tmp/b && printf hello | head -c 3 > /tmp/h && printf hello | tail -c 2 > /tmp/t",
        start(fs),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/sum").0, "900150983cd24fb0d6963f7d28e17f72  /tmp/a\n");
    assert_eq!(file(&f, "/tmp/b").0, "abc");
    let (Some(Entry { node: Node::File { link: a, .. }, .. }), Some(Entry { node: Node::File { link: b, .. }, .. })) =
        (f.snapshot.lstat("/tmp/a"), f.snapshot.lstat("/tmp/b"))
    else {
        panic!("two files");
    };
    assert!(a.is_some() && a == b, "one file, two names");
    assert_eq!(file(&f, "/tmp/h").0, "hel");
    assert_eq!(file(&f, "/tmp/t").0, "lo");
    assert_eq!(md5_of_empty(), "d41d8cd98f00b204e9800998ecf8427e");
}

fn md5_of_empty() -> String {
    let f = run_script("printf '' | md5sum > /tmp/e", {
        let mut fs = busybox();
        fs.insert("/bin/md5sum", Entry::symlink("/bin/busybox", Meta::SYMLINK)).unwrap();
        start(fs)
    });
    file(&f, "/tmp/e").0.split_whitespace().next().unwrap_or_default().to_string()
}

#[test]
fn runaway_scripts_stop_within_bounds() {
    for script in [
        "f() { f; }; f",
        "x=a; while :; do x=$x$x; done",
        "x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do echo $x $x $x $x $x $x $x $x; done",
        "f() { f | f; }; f",
        "eval 'eval \"eval :\"'; s='eval \"$s\"'; eval \"$s\"",
    ] {
        let f = run(script);
        assert!(
            matches!(f.stopped, Some(Stop::Budget { .. })) || f.status != 0,
            "{script}: {:?} {}",
            f.stopped,
            f.status
        );
    }
}

/// `sort -n`: numbers by value (a line without one counts as 0), ties by the whole line;
/// `-r` reverses, `-u` keeps one line per number.
#[test]
fn numeric_sort_orders_by_value_then_line() {
    let fs = busybox_with(&["sort"]);
    let f = run_script(
        "printf '10\\nb\\n9\\n-1.5\\na\\n10\\n3.25\\n' > /in && sort -n /in > /n && sort -rn /in > /r && sort -nu /in > /u",
        start(fs),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/n").0, "-1.5\na\nb\n3.25\n9\n10\n10\n");
    assert_eq!(file(&f, "/r").0, "10\n10\n9\n3.25\nb\na\n-1.5\n");
    assert_eq!(file(&f, "/u").0, "-1.5\na\n3.25\n9\n10\n");
}

/// The busybox root with `files` (path, text) and executables `tools` (paths) added.
fn project(files: &[(&str, &str)], tools: &[&str]) -> Snapshot {
    let mut fs = busybox();
    for (path, text) in files {
        fs.mkdir_all(path.rsplit_once('/').map_or("/", |(d, _)| d), Meta::DIR).unwrap();
        fs.insert(path, Entry::file(Content::bytes(text.as_bytes().to_vec()), Meta::FILE)).unwrap();
    }
    for tool in tools {
        fs.mkdir_all(tool.rsplit_once('/').map_or("/", |(d, _)| d), Meta::DIR).unwrap();
        fs.insert(tool, Entry::file(Content::synthetic(100, *tool), Meta::new(0o755, 0, 0))).unwrap();
    }
    fs
}

fn run_in(fs: Snapshot, workdir: &str, script: &str) -> Finished {
    run_script(script, Start { workdir: workdir.into(), ..start(fs) })
}

/// A file's size, whatever is known of its content.
fn size(f: &Finished, path: &str) -> u64 {
    match f.snapshot.lstat(path) {
        Some(Entry { node: Node::File { content, .. }, .. }) => content.size(),
        other => panic!("{path}: {other:?}"),
    }
}

#[test]
fn npm_scripts_run_through_the_shell_and_tsc_emits_per_source() {
    let mut fs = project(
        &[
            (
                "/app/package.json",
                r#"{"name":"web","scripts":{"prebuild":"echo pre > /app/pre.txt","build":"tsc -p tsconfig.json"}}"#,
            ),
            (
                "/app/tsconfig.json",
                "{\n  // comments and trailing commas, as tsc allows\n  \"compilerOptions\": {\"rootDir\": \"src\", \"outDir\": \"dist\", \"declaration\": true,},\n  \"include\": [\"src\"]\n}",
            ),
            ("/app/src/main.ts", "export const x: number = 1;\n"),
            ("/app/src/lib/util.ts", "export function f() {}\n"),
            ("/app/src/types.d.ts", "declare const y: string;\n"),
        ],
        &["/usr/local/lib/node_modules/npm/bin/npm-cli.js"],
    );
    // npm is a link to npm-cli.js, as in the node images: known by the name it is called by.
    fs.mkdir_all("/usr/local/bin", Meta::DIR).unwrap();
    fs.insert("/usr/local/bin/npm", Entry::symlink("../lib/node_modules/npm/bin/npm-cli.js", Meta::SYMLINK)).unwrap();
    let f = run_in(fs.clone(), "/app", "npm ci && npm run build");
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none());
    assert_eq!(file(&f, "/app/pre.txt").0, "pre\n");
    for out in ["/app/dist/main.js", "/app/dist/main.d.ts", "/app/dist/lib/util.js"] {
        assert!(f.snapshot.lstat(out).is_some(), "{out} missing");
    }
    assert_eq!(size(&f, "/app/dist/main.js"), 28, "a .js is sized as its source");
    assert!(f.snapshot.lstat("/app/dist/types.js").is_none(), "declarations emit nothing");
    assert!(f.snapshot.lstat("/app/dist/main.js.map").is_none(), "no sourceMap configured");
    assert!(f.modeled.iter().any(|m| m.contains("tsc")), "{:?}", f.modeled);
    // A script package.json does not have fails as npm does; --if-present does not.
    let f = run_in(fs.clone(), "/app", "npm run lint");
    assert_eq!(f.status, 1);
    assert!(f.output.contains("Missing script: \"lint\""), "{}", f.output);
    assert_eq!(run_in(fs.clone(), "/app", "npm run lint --if-present").status, 0);
    // No package.json: npm ci fails (status 254).
    let f = run_in(fs, "/", "npm ci");
    assert_eq!(f.status, 254, "{}", f.output);
}

#[test]
fn maven_and_gradle_name_their_artifacts_from_the_build_files() {
    let pom = "<project><parent><artifactId>parent</artifactId><version>9</version></parent>\
        <artifactId>shop</artifactId><version>2.1</version><packaging>pom</packaging>\
        <modules><module>api</module></modules></project>";
    let api = "<project><parent><version>2.1</version></parent><artifactId>shop-api</artifactId><packaging>war</packaging>\
        <dependencies><dependency><artifactId>junit</artifactId><version>5</version></dependency></dependencies></project>";
    let single = "<project><artifactId>hello</artifactId><version>1.0.0</version><packaging>war</packaging>\
        <build><finalName>app</finalName></build></project>";
    let fs = project(&[("/src/pom.xml", pom), ("/src/api/pom.xml", api), ("/one/pom.xml", single)], &["/usr/bin/mvn"]);
    let f = run_in(fs.clone(), "/src", "mvn -B package && cd /one && mvn -q clean package");
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(
        f.snapshot.lstat("/src/api/target/shop-api-2.1.war").is_some(),
        "the module's war, versioned by its parent"
    );
    assert!(f.snapshot.lstat("/src/target").is_none(), "a pom-packaged parent builds no artifact");
    assert!(f.snapshot.lstat("/one/target/app.war").is_some(), "finalName names the war");
    assert!(f.snapshot.lstat("/root/.m2/repository").is_some());
    let f = run_in(fs, "/", "mvn package");
    assert_eq!(f.status, 1, "no POM here");

    let settings = "rootProject.name = 'hello-boot'\n";
    let boot = "plugins { id 'org.springframework.boot' version '3.4.4' }\nversion = '1.0.0'\n\
        tasks.named('bootJar') {\n    archiveFileName = 'app.jar'\n}\n";
    let plain = "plugins { id 'java' }\nversion = '0.3'\n";
    let fs = project(
        &[
            ("/p/settings.gradle", settings),
            ("/p/build.gradle", boot),
            ("/q/settings.gradle.kts", "rootProject.name = \"lib\"\n"),
            ("/q/build.gradle", plain),
        ],
        &["/usr/bin/gradle"],
    );
    let f = run_in(fs, "/p", "gradle --no-daemon build && cd /q && gradle jar");
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.snapshot.lstat("/p/build/libs/app.jar").is_some(), "archiveFileName names the boot jar");
    assert!(f.snapshot.lstat("/p/build/libs/hello-boot-1.0.0-plain.jar").is_some(), "Spring Boot's plain jar");
    assert!(f.snapshot.lstat("/q/build/libs/lib-0.3.jar").is_some());
}

#[test]
fn dotnet_and_cargo_outputs_are_named_from_the_project() {
    let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net8.0</TargetFramework>\
        <AssemblyName>Shop.Api</AssemblyName></PropertyGroup></Project>";
    let cargo =
        "[package]\nname = \"server\"\nversion = \"0.1.0\"\n\n[[bin]]\nname = \"shopd\"\npath = \"src/main.rs\"\n";
    let fs = project(
        &[
            ("/src/Shop/Shop.csproj", csproj),
            ("/src/Shop/appsettings.json", "{\"Logging\":{}}\n"),
            ("/src/Shop/wwwroot/site.css", "body{}\n"),
            ("/rs/Cargo.toml", cargo),
        ],
        &["/usr/bin/dotnet", "/usr/local/cargo/bin/cargo"],
    );
    let f = run_in(
        fs.clone(),
        "/src/Shop",
        "dotnet restore && dotnet publish -c Release -o /app --no-restore && cd /rs && /usr/local/cargo/bin/cargo build --release --target x86_64-unknown-linux-musl",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    for out in
        ["/app/Shop.Api.dll", "/app/Shop.Api.runtimeconfig.json", "/app/Shop.Api", "/src/Shop/obj/project.assets.json"]
    {
        assert!(f.snapshot.lstat(out).is_some(), "{out} missing");
    }
    assert_eq!(file(&f, "/app/appsettings.json").0, "{\"Logging\":{}}\n", "content files are copied as they are");
    assert_eq!(file(&f, "/app/wwwroot/site.css").0, "body{}\n");
    assert!(f.snapshot.lstat("/rs/target/x86_64-unknown-linux-musl/release/shopd").is_some());
    // No project: dotnet says so, with MSBuild's code.
    let f = run_in(fs, "/tmp", "dotnet build");
    assert_eq!(f.status, 1);
    assert!(f.output.contains("MSB1003"), "{}", f.output);
}

#[test]
fn over_partly_unknown_files_a_missing_path_is_taken_to_be_there() {
    let partial = |script: &str| run_script(script, Start { partial: true, ..start(busybox()) });
    // A COPY from a context not given: the file is one of the unknown ones.
    let f = partial("set -e; chmod +x /app/gradlew; cd /app/sub; echo done > /tmp/ok; echo x >> /var/new/log");
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/ok").0, "done\n");
    assert_eq!(file(&f, "/var/new/log").0, "x\n");
    assert!(f.modeled.iter().any(|m| m.contains("taken to be there")), "{:?}", f.modeled);
    // Over known files the same script fails as it would.
    let f = run("set -e; chmod +x /app/gradlew; echo after > /tmp/ok");
    assert_eq!(f.status, 1);
    assert!(f.snapshot.lstat("/tmp/ok").is_none());
    // A failure that is not about a missing path still fails.
    assert_eq!(partial("false").status, 1);
    // Users made by an unknown step: their ids are estimated, as said.
    let f = partial("touch /tmp/x && chown jenkins:jenkins /tmp/x");
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/x").1.uid, 1000);
    assert!(f.modeled.iter().any(|m| m.contains("jenkins")), "{:?}", f.modeled);
    assert_eq!(run("touch /tmp/x && chown jenkins /tmp/x").status, 1, "over known files an unknown user fails");
}

#[test]
fn appending_to_a_file_known_by_size_keeps_its_size_known() {
    let mut fs = busybox();
    fs.insert("/etc/app.conf", Entry::file(Content::synthetic(1000, "base conf"), Meta::FILE)).unwrap();
    let f = run_script("echo 'extra=1' >> /etc/app.conf", start(fs));
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none());
    assert_eq!(size(&f, "/etc/app.conf"), 1008);
    assert!(!f.modeled.is_empty());
}

#[test]
fn downloads_piped_into_tar_and_saved_by_redirection_are_unknown_files() {
    let fs = project(&[], &["/usr/bin/curl", "/usr/bin/wget", "/bin/tar", "/usr/bin/sha256sum", "/bin/sh"]);
    let f = run_script(
        "set -e; mkdir -p /usr/local/go; curl -fsSL https://go.dev/dl/go.tgz | tar -xz -C /usr/local; \
         wget -qO- https://x.test/key.asc > /tmp/key.asc; curl -fsSLo /tmp/a.tgz https://x.test/a.tgz; \
         wget -P /opt/dl https://x.test/b.zip https://x.test/c.zip",
        start(fs.clone()),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert_eq!(size(&f, "/tmp/key.asc"), 1_000_000);
    assert_eq!(size(&f, "/tmp/a.tgz"), 1_000_000);
    assert!(f.snapshot.lstat("/opt/dl/b.zip").is_some() && f.snapshot.lstat("/opt/dl/c.zip").is_some());
    assert!(f.estimated, "what tar unpacked is not known: the files are partly unknown after it");
    // A downloaded script run by a shell is not known: the interpreter stops there.
    let f = run_script("curl -fsSL https://x.test/install.sh | sh", start(fs.clone()));
    assert!(
        matches!(f.stopped, Some(Stop::Unknown { ref command, .. }) if command.contains("download")),
        "{:?}",
        f.stopped
    );
    // A substitution whose value is a download gives a stand-in text, and the files are
    // partly unknown from there; a test or a `case` on that text stops the interpreter.
    let f = run_script(
        "V=$(curl -fsSL https://x.test/latest) && echo \"v=$V\" > /tmp/v && \
         echo \"$(curl -fsSL https://x.test/a.tgz.sha256)  /tmp/a.tgz\" > /tmp/sum && \
         curl -fsSLo /tmp/a.tgz https://x.test/a.tgz && sha256sum -c /tmp/sum",
        start(fs.clone()),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none() && f.estimated, "{:?}", f.stopped);
    // What echo printed of it is not known: the file's content is not.
    assert!(matches!(f.snapshot.lstat("/tmp/v"), Some(Entry { node: Node::File { content, .. }, .. })
        if content.as_bytes().is_none()));
    assert!(f.modeled.iter().any(|m| m.contains("prints the download of https://x.test/latest")), "{:?}", f.modeled);
    // A checksum list of it on standard input is taken to pass.
    let f = run_script(
        "curl -fsSLo /tmp/a.tgz https://x.test/a.tgz && echo \"$(curl -fsSL https://x.test/a.tgz.sha512)  /tmp/a.tgz\" | sha512sum -c -",
        start(fs.clone()),
    );
    assert!(f.status == 0 && f.stopped.is_none(), "{} {:?}", f.output, f.stopped);
    // Anything that decides on it, or makes a path, a number or a pattern of it, stops.
    for script in [
        "V=$(curl -fsSL https://x.test/latest); [ \"$V\" = 1 ] && touch /x",
        "case \"$(curl -fsSL https://x.test/latest)\" in 1*) touch /x;; esac",
        "test -n \"$(curl -fsSL https://x.test/latest)\"",
        "V=$(curl -fsSL https://x.test/v); /usr/bin/test -n \"$V\"",
        "V=$(curl -fsSL https://x.test/v); grep -q \"$V\" /etc/passwd",
        "S=$(curl -fsSL https://x.test/v); [ ${#S} -eq 64 ] || exit 9",
        "V=$(curl -fsSL https://x.test/v); M=${V:0:0}; echo $M",
        "for p in $(curl -fsSL https://x.test/v); do touch /$p; done",
        "mkdir -p /opt/$(curl -fsSL https://x.test/v)",
        "exit $(curl -fsSL https://x.test/v)",
        "V=$(curl -fsSL https://x.test/v); cat > /tmp/o <<EOF\nversion=$V\nEOF",
        "echo hi > /tmp/$(curl -fsSL https://x.test/v)",
    ] {
        let f = run_script(script, start(fs.clone()));
        assert!(
            matches!(f.stopped, Some(Stop::Unknown { ref command, .. }) if command.contains("not known here")),
            "{script}: {:?}",
            f.stopped
        );
    }
    let mut bash = start(fs);
    bash.dialect = Dialect::Bash;
    let f = run_script("[[ -z $(curl -fsSL https://x.test/latest) ]] && touch /x", bash);
    assert!(f.stopped.is_some());
    // A package named by that text is not known: nothing is added for it.
    let fs = project(&[], &["/usr/bin/curl", "/sbin/apk"]);
    let f = run_script("apk add --no-cache $(curl -fsSL https://x.test/deps) curl", start(fs));
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.snapshot.lstat("/usr/bin/\u{2026}").is_none());
    assert!(f.modeled.iter().any(|m| m.contains("whose names are not known")), "{:?}", f.modeled);
}

#[test]
fn system_tools_edit_etc_as_the_real_tools_do() {
    let fs = project(
        &[("/etc/apache2/mods-available/rewrite.load", "LoadModule rewrite_module x\n")],
        &[
            "/usr/sbin/usermod",
            "/usr/sbin/userdel",
            "/usr/bin/getent",
            "/usr/bin/update-alternatives",
            "/usr/bin/dpkg",
            "/usr/sbin/a2enmod",
            "/usr/local/bin/docker-php-ext-install",
            "/usr/bin/gpg",
        ],
    );
    let f = run_script(
        "set -e; usermod -aG root app; getent passwd app > /tmp/app; cat /etc/group > /tmp/group; \
         update-alternatives --install /usr/bin/java java /opt/jdk/bin/java 100; \
         dpkg --print-architecture > /tmp/arch; a2enmod rewrite; docker-php-ext-install -j4 pdo_mysql opcache; \
         gpg --batch --verify /tmp/x.asc /tmp/x; userdel app",
        start(fs),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/group").0, "root:x:0:app\napp:x:1000:\n", "usermod -aG adds app to root");
    assert_eq!(file(&f, "/etc/group").0, "root:x:0:\n", "userdel takes app out of its groups, and its own group");
    assert_eq!(file(&f, "/etc/passwd").0, "root:x:0:0:root:/root:/bin/sh\n");
    assert_eq!(file(&f, "/tmp/app").0, "app:x:1000:1000:app:/home/app:/bin/sh\n");
    assert_eq!(file(&f, "/tmp/arch").0, "amd64\n");
    let link = |p: &str| match f.snapshot.lstat(p) {
        Some(Entry { node: Node::Symlink(t), .. }) => t.to_string(),
        other => panic!("{p}: {other:?}"),
    };
    assert_eq!(link("/usr/bin/java"), "/etc/alternatives/java");
    assert_eq!(link("/etc/alternatives/java"), "/opt/jdk/bin/java");
    assert_eq!(link("/etc/apache2/mods-enabled/rewrite.load"), "../mods-available/rewrite.load");
    assert_eq!(file(&f, "/usr/local/etc/php/conf.d/docker-php-ext-pdo_mysql.ini").0, "extension=pdo_mysql\n");
    assert_eq!(file(&f, "/usr/local/etc/php/conf.d/docker-php-ext-opcache.ini").0, "zend_extension=opcache\n");
    assert!(f.snapshot.lstat("/usr/local/lib/php/extensions/no-debug-non-zts-20230831/pdo_mysql.so").is_some());
    // usermod of a user that does not exist fails with its status.
    let f = run_script("usermod -aG root nobody", start(project(&[], &["/usr/sbin/usermod"])));
    assert_eq!(f.status, 6, "{}", f.output);
}

#[test]
fn sudo_gosu_and_rsync_run_as_the_real_tools() {
    let fs = project(
        &[("/src/a/one.txt", "1\n"), ("/src/a/sub/two.txt", "2\n")],
        &["/usr/sbin/gosu", "/usr/bin/sudo", "/usr/bin/rsync"],
    );
    let f = run_script(
        "gosu app touch /home/app/by-app && sudo -u app mkdir /home/app/dir && rsync -a /src/a/ /dst && rsync -av /src/a /copy",
        start(fs),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/home/app/by-app").1.uid, 1000);
    assert_eq!(f.snapshot.lstat("/home/app/dir").expect("dir").meta.uid, 1000);
    // Back as root after them.
    assert!(f.snapshot.lstat("/dst").is_some_and(|e| e.meta.uid == 0));
    assert_eq!(file(&f, "/dst/one.txt").0, "1\n", "a source ending in / copies its content");
    assert_eq!(file(&f, "/dst/sub/two.txt").0, "2\n");
    assert_eq!(file(&f, "/copy/a/sub/two.txt").0, "2\n", "without / the directory itself goes in");
}

#[test]
fn md5_constants_are_the_rfcs_formula() {
    for (i, k) in super::text::MD5_K.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let formula = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
        assert_eq!(*k, formula, "K[{i}]");
    }
}

/// Every line of the tool table has the form the engine reads: tools, a condition, ops of
/// known kinds, and the note (when there is one) last, so that no note is cut at a `; `.
#[test]
fn the_tool_table_is_well_formed() {
    let table = include_str!("tools.txt");
    let mut lines = 0;
    for line in table.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        lines += 1;
        let (head, ops) = line.split_once(": ").unwrap_or_else(|| panic!("no `: ` in {line}"));
        assert!(head.split_once(' ').is_some(), "{line}: tools and a condition");
        let ops: Vec<&str> = ops.split("; ").collect();
        for (i, op) in ops.iter().enumerate() {
            let kind = op.chars().next().unwrap_or(' ');
            assert!("wxktdulLrosipn".contains(kind) && op.chars().nth(1).is_none_or(|c| c == ' '), "{line}: op {op}");
            assert!(kind != 'n' || i + 1 == ops.len(), "{line}: the note must come last");
        }
        assert_eq!(line.matches('{').count(), line.matches('}').count(), "{line}: braces");
    }
    assert!(lines > 60, "{lines} lines");
}

#[test]
fn build_systems_and_runtimes_from_the_table() {
    let fs = project(
        &[("/src/Makefile", "all:\n\tcc -o app main.c\n")],
        &["/usr/bin/make", "/opt/jdk/bin/jlink", "/usr/bin/pip"],
    );
    let f = run_in(
        fs.clone(),
        "/src",
        "make && /opt/jdk/bin/jlink --add-modules java.base --strip-debug --output /javaruntime",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.estimated, "what make's recipes write is not known: the files are partly unknown after it");
    assert!(f.snapshot.lstat("/javaruntime/bin/java").is_some_and(|e| e.meta.mode == 0o755));
    assert!(f.modeled.iter().any(|m| m.starts_with("make runs")), "{:?}", f.modeled);
    // pip with a requirements file that is not there fails as pip does.
    let f = run_in(fs, "/src", "pip install -r requirements.txt");
    assert_eq!(f.status, 1);
    assert!(f.output.contains("Could not open requirements file"), "{}", f.output);
}

#[test]
fn bash_arrays_for_simple_cases() {
    let bash = |script: &str| run_script(script, Start { dialect: Dialect::Bash, ..start(busybox()) });
    let f = bash(
        "dirs=(/opt/a \"/opt/b c\" /opt/d); mkdir -p \"${dirs[@]}\"; echo ${#dirs[@]} \"${dirs[1]}\" $dirs > /tmp/out; \
         for d in \"${dirs[@]}\"; do echo \"[$d]\"; done >> /tmp/out; echo ${dirs[*]} >> /tmp/out; i=2; echo ${dirs[i]} >> /tmp/out",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert_eq!(
        file(&f, "/tmp/out").0,
        "3 /opt/b c /opt/a\n[/opt/a]\n[/opt/b c]\n[/opt/d]\n/opt/a /opt/b c /opt/d\n/opt/d\n"
    );
    assert!(f.snapshot.lstat("/opt/b c").is_some(), "one field per element, spaces kept");
    // sh has no arrays: the interpreter says so rather than guess.
    assert!(run("a=(x y)").stopped.is_some());
}

/// `head` over a file whose name starts with a character of several bytes (found by the
/// mutation test: the check for `-5` sliced the word at byte 1 and panicked).
#[test]
fn head_of_a_file_named_in_any_characters() {
    let f = run("echo one > /tmp/\u{e9}t\u{e9} && cd /tmp && head \u{e9}t\u{e9} > /tmp/out");
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert!(file(&f, "/tmp/out").0.contains("one"), "{}", f.output);
    assert_eq!(file(&run("head -1 /etc/passwd > /tmp/first"), "/tmp/first").0, "root:x:0:0:root:/root:/bin/sh\n");
}

/// Findings of a review, each as the real tool behaves.
#[test]
fn review_findings_behave_as_the_real_tools() {
    let fs = project(
        &[("/tmp/e.sh", "X=1\n")],
        &["/usr/bin/curl", "/bin/tar", "/usr/sbin/deluser", "/usr/sbin/userdel", "/usr/sbin/usermod", "/usr/bin/yes"],
    );
    // A download piped into tar whose first option is -C: unpacked as unknown files.
    let f = run_script(
        "mkdir -p /usr/local && curl -fsSL https://x.test/go.tgz | tar -C /usr/local -xz",
        start(fs.clone()),
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none() && f.estimated, "{:?}", f.stopped);
    // `.` looks on PATH only in sh (dash and busybox say "not found" and exit 2).
    let f = run_script("cd /tmp && . e.sh; echo after > /tmp/after", start(fs.clone()));
    assert_eq!(f.status, 2);
    assert!(f.snapshot.lstat("/tmp/after").is_none());
    // deluser USER GROUP takes the user out of the group; userdel of nobody fails with 6.
    let f = run_script("usermod -aG root app && deluser app root", start(fs.clone()));
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/etc/group").0, "root:x:0:\napp:x:1000:\n");
    assert!(file(&f, "/etc/passwd").0.contains("app:x:1000"), "the user stays");
    assert_eq!(run_script("userdel nobody", start(fs.clone())).status, 6);
    // usermod -g NAME writes the group's id.
    let f = run_script("usermod -g root app", start(fs.clone()));
    assert!(file(&f, "/etc/passwd").0.contains("app:x:1000:0:"), "{}", file(&f, "/etc/passwd").0);
    // yes with a long line stays bounded.
    let f = run_script("x=$(printf '%4000s' a); yes \"$x\" | head -c 10 > /tmp/y", start(fs));
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    // An empty bash array quoted with @ makes no field.
    let f = run_script(
        "a=(); for x in \"${a[@]}\"; do echo \"[$x]\"; done > /tmp/out",
        Start { dialect: Dialect::Bash, ..start(busybox()) },
    );
    assert_eq!(file(&f, "/tmp/out").0, "");
}

/// A Debian 12 root (busybox's applets, apt-get, dpkg's records of libc6) with a package
/// catalog of three packages.
fn debian_with_packages() -> Start {
    let mut fs = busybox_with(&["apt-get", "ls", "grep", "dpkg"]);
    fs.mkdir_all("/var/lib/dpkg/info", Meta::DIR).unwrap();
    fs.insert("/etc/debian_version", Entry::file(Content::bytes(b"12.9\n".to_vec()), Meta::FILE)).unwrap();
    fs.insert("/var/lib/dpkg/info/libc6:amd64.list", Entry::file(Content::bytes(b"/.\n".to_vec()), Meta::FILE))
        .unwrap();
    fs.insert("/var/lib/dpkg/status", Entry::file(Content::synthetic(1000, "status"), Meta::FILE)).unwrap();
    let catalog = "package\tcurl\t7.88.1-10\tx\n\
depends\tlibc6\tlibcurl4\n\
d\t755\t/usr\n\
d\t755\t/usr/bin\n\
f\t755\t280000\t/usr/bin/curl\n\
package\tlibcurl4\t7.88.1-10\ty\n\
recommends\tca-certificates\n\
d\t755\t/usr/lib\n\
f\t644\t700000\t/usr/lib/libcurl.so.4.8.0\n\
l\t/usr/lib/libcurl.so.4\tlibcurl.so.4.8.0\n\
package\tca-certificates\t20230311\tz\n\
d\t755\t/usr/share/ca-certificates\n\
f\t644\t2000\t/usr/share/ca-certificates/a.crt\n";
    Start { packages: Some(std::sync::Arc::new(crate::catalog::Packages::parse(catalog).unwrap())), ..start(fs) }
}

#[test]
fn apt_get_install_unpacks_the_catalogs_packages_and_their_dependencies() {
    let out = run_script("apt-get install -y curl", debian_with_packages());
    assert_eq!(out.status, 0, "{}", out.output);
    let curl = out.snapshot.stat("/usr/bin/curl").unwrap();
    assert_eq!((curl.meta.mode & 0o7777, curl.size()), (0o755, 280_000));
    // The dependency, and what it recommends (apt installs Recommends by default).
    assert_eq!(out.snapshot.stat("/usr/lib/libcurl.so.4.8.0").unwrap().size(), 700_000);
    assert!(
        matches!(out.snapshot.lstat("/usr/lib/libcurl.so.4").unwrap().node, Node::Symlink(ref t) if &**t == "libcurl.so.4.8.0")
    );
    assert!(out.snapshot.stat("/usr/share/ca-certificates/a.crt").is_some());
    // dpkg's record of what each package brought, as dpkg writes it.
    let list = out.snapshot.stat("/var/lib/dpkg/info/curl.list").unwrap();
    let Node::File { content, .. } = &list.node else { panic!("curl.list is a file") };
    assert_eq!(content.as_bytes(), Some(&b"/.\n/usr\n/usr/bin\n/usr/bin/curl\n"[..]));
    assert!(out.modeled.iter().any(|m| m.contains("installs 3 packages")), "{:?}", out.modeled);
    // libc6 is installed already: nothing of it is unpacked again (the catalog lacks it anyway).
    let out = run_script("apt-get install -y --no-install-recommends curl", debian_with_packages());
    assert!(out.snapshot.stat("/usr/share/ca-certificates/a.crt").is_none());
    assert!(out.modeled.iter().any(|m| m.contains("installs 2 packages")), "{:?}", out.modeled);
    // A package the catalog does not have gets the estimate, and says so.
    let out =
        run_script("apt-get install -y -o Dpkg::Options::=--force-confold curl frobnicate", debian_with_packages());
    assert!(out.snapshot.stat("/usr/bin/curl").is_some());
    assert!(out.snapshot.stat("/usr/bin/frobnicate").is_some());
    assert!(out.snapshot.stat("/usr/bin/Dpkg::Options::=--force-confold").is_none());
}

#[test]
fn the_catalog_is_for_debian_12_only() {
    let mut start = debian_with_packages();
    start
        .snapshot
        .insert("/etc/debian_version", Entry::file(Content::bytes(b"bookworm/sid\n".to_vec()), Meta::FILE))
        .unwrap();
    let out = run_script("apt-get install -y curl", start);
    // Ubuntu's (or another release's) curl is not bookworm's: the estimate stands in.
    assert!(out.snapshot.stat("/usr/lib/libcurl.so.4.8.0").is_none());
    assert!(out.snapshot.stat("/usr/bin/curl").is_some());
}

#[test]
fn a_program_asked_for_its_version_changes_no_file() {
    // Over partly unknown files a program the files lack may be there; `--version` alone is
    // modeled as printing, whatever the program.
    let out = run_script("vector --version && touch /done", Start { partial: true, ..start(busybox()) });
    assert_eq!(out.status, 0);
    assert!(out.stopped.is_none());
    assert!(out.snapshot.stat("/done").is_some());
    assert!(out.modeled.iter().any(|m| m.contains("`vector --version` prints what it is")), "{:?}", out.modeled);
    // With other arguments it is not known what it does.
    let out = run_script("vector --config /x", Start { partial: true, ..start(busybox()) });
    assert!(out.stopped.is_some());
    // Over known files a missing program is "not found", as in a real build.
    assert_eq!(run("vector --version").status, 127);
}

#[test]
fn install_reads_its_long_options() {
    let out = run_script(
        "install --directory --mode 0750 --owner=1000 --group app /srv/data",
        start(busybox_with(&["install"])),
    );
    assert_eq!(out.status, 0, "{}", out.output);
    let dir = out.snapshot.stat("/srv/data").unwrap();
    assert_eq!((dir.meta.mode & 0o7777, dir.meta.uid, dir.meta.gid), (0o750, 1000, 1000));
}

#[test]
fn go_install_puts_the_command_in_gopath_bin() {
    let mut fs = busybox();
    fs.mkdir_all("/usr/local/go/bin", Meta::DIR).unwrap();
    fs.insert("/usr/local/go/bin/go", Entry::file(Content::synthetic(1, "go"), Meta::new(0o755, 0, 0))).unwrap();
    let go = Start {
        env: vec![("PATH".into(), "/go/bin:/usr/local/go/bin:/bin".into()), ("GOPATH".into(), "/go".into())],
        ..start(fs)
    };
    let out = run_script(
        "go install mvdan.cc/gofumpt@v0.6.0 && go install github.com/a/b/v2/cmd/tool@latest && gofumpt --version",
        go,
    );
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(out.snapshot.stat("/go/bin/gofumpt").is_some_and(|e| e.meta.mode & 0o111 != 0));
    assert!(out.snapshot.stat("/go/bin/tool").is_some(), "the major version is not the name");
}

#[test]
fn chmod_copies_a_class_and_takes_an_operator_before_octal_digits() {
    // Expected modes from GNU chmod 9.1 (this machine's): `g=u` on 0750 gives 0770, `o+g`
    // then 0777; `=2775` sets 2775, `-2000` clears the setgid bit.
    let mut fs = busybox_with(&["stat"]);
    fs.mkdir_all("/usr/bin", Meta::DIR).unwrap();
    let out = run_script(
        "mkdir /x && chmod 750 /x && chmod g=u /x && stat -c %a /x && chmod o+g /x && stat -c %a /x",
        start(fs.clone()),
    );
    assert_eq!(out.output, "770\n777\n", "{}", out.output);
    let gnu = Start { userland: Userland::Gnu, ..start(fs.clone()) };
    let out = run_script("mkdir /y && chmod =2775 /y && stat -c %a /y && chmod -2000 /y && stat -c %a /y", gnu);
    assert_eq!(out.output, "2775\n775\n", "{}", out.output);
    // busybox's chmod takes no operator before digits.
    let out = run_script("mkdir /z && chmod =2775 /z", start(fs));
    assert_eq!(out.status, 1);
}

#[test]
fn sha384sum_and_a_checksum_list_of_unknown_content() {
    let mut fs = busybox_with(&["sha384sum", "sha512sum"]);
    let out = run_script("printf abc | sha384sum", start(fs.clone()));
    assert_eq!(
        out.output,
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7  -\n"
    );
    // A list downloaded with the archive: not known here, taken to pass (modeled).
    fs.insert("/tmp/a.tar.gz.sha512", Entry::file(Content::synthetic(140, "download"), Meta::FILE)).unwrap();
    let out = run_script("sha512sum -c /tmp/a.tar.gz.sha512 && touch /ok", start(fs));
    assert!(out.snapshot.stat("/ok").is_some(), "{}", out.output);
    assert!(out.modeled.iter().any(|m| m.contains("checksum list whose content is not known")), "{:?}", out.modeled);
}

#[test]
fn find_evaluates_its_expression_and_runs_exec() {
    // Expected output from GNU find 4.9 (this machine's) over the same tree, sorted where the
    // real order is the filesystem's.
    let setup =
        "mkdir -p /t/a/b /t/c && cd /t && touch a/x.a a/b/y.a c/z.txt && chmod 755 c/z.txt && ln -s a/x.a link && ";
    let fs = busybox_with(&["find", "sort", "ls"]);
    let gnu =
        |script: &str| run_script(&format!("{setup}{script}"), Start { userland: Userland::Gnu, ..start(fs.clone()) });
    assert_eq!(gnu("find . -type f -name '*.a' | sort").output, "./a/b/y.a\n./a/x.a\n");
    assert_eq!(gnu("find . -type f -executable -not \\( -name '*tkinter*' \\)").output, "./c/z.txt\n");
    assert_eq!(gnu("find . \\( -name b -prune \\) -o -type f -print | sort").output, "./a/x.a\n./c/z.txt\n");
    let out = gnu("find -type f -name '*.a' -delete; find . | sort");
    assert_eq!(out.output, ".\n./a\n./a/b\n./c\n./c/z.txt\n./link\n");
    assert!(out.snapshot.stat("/t/a/x.a").is_none());
    assert_eq!(gnu("find . -perm -100 -type f").output, "./c/z.txt\n");
    assert_eq!(gnu("mkdir e && find . -empty -type d").output, "./e\n");
    assert_eq!(gnu("find c -exec echo X {} \\;").output, "X c\nX c/z.txt\n");
    assert_eq!(gnu("find c -type f -exec echo Y {} +").output, "Y c/z.txt\n");
    let out = gnu("find /t/nope");
    assert_eq!((out.status, out.output.as_str()), (1, "find: '/t/nope': No such file or directory\n"));
    // -exec runs what the shell runs: here it removes what it finds.
    let out = gnu("find /t -name '*.txt' -exec rm {} \\; && ls /t/c");
    assert_eq!(out.output, "");
    assert!(out.snapshot.stat("/t/c/z.txt").is_none());
    // A predicate the model lacks stops the step (opaque) rather than guess.
    let out = gnu("find /t -newer /t/a");
    assert!(out.stopped.is_some());
}

#[test]
fn awk_over_nothing_prints_nothing_and_tar_reads_spaced_long_options() {
    // Pattern-action rules over an empty input: nothing, whatever the rules (checked with
    // this machine's gawk and busybox awk).
    let out = run("printf '' | awk '/=>/ { so = $(NF-1); print so }' > /tmp/o && echo ok");
    assert_eq!((out.status, out.output.as_str()), (0, "ok\n"));
    // With input, or BEGIN/END, awk's program would have to run: the step stops there.
    assert!(run("echo a | awk '{ print $1 }'").stopped.is_some());
    assert!(run("printf '' | awk 'END { print NR }'").stopped.is_some());
    // `tar --extract --file F --directory D`, GNU's spaced long options.
    let mut fs = busybox_with(&["tar"]);
    let mut archive = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    header.set_cksum();
    archive.append_data(&mut header, "a.txt", &b"hi\n"[..]).unwrap();
    fs.insert("/tmp/a.tar", Entry::file(Content::bytes(archive.into_inner().unwrap()), Meta::FILE)).unwrap();
    let out = run_script("mkdir /out && tar --extract --no-same-owner --file /tmp/a.tar --directory /out", start(fs));
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(out.snapshot.stat("/out/a.txt").is_some());
}

#[test]
fn unknown_text_passes_through_filters_to_records_only_tools() {
    // docker-library's pattern: the libraries of built files, kept as manually installed.
    let mut fs = busybox_with(&["sort", "xargs", "apt-mark", "ldd", "tr"]);
    fs.mkdir_all("/usr/local/lib", Meta::DIR).unwrap();
    fs.insert("/usr/local/lib/x.so", Entry::file(Content::synthetic(100, "built"), Meta::new(0o755, 0, 0))).unwrap();
    let out = run_script(
        "ldd /usr/local/lib/x.so | awk '/=>/ { print $(NF-1) }' | sort -u | xargs -r apt-mark manual && touch /done",
        Start { partial: true, ..start(fs.clone()) },
    );
    assert!(out.stopped.is_none(), "{:?}", out.stopped);
    assert!(out.snapshot.stat("/done").is_some());
    // A filter's unknown output is still unknown: a command that would act on it stops.
    let out = run_script("ldd /usr/local/lib/x.so | tr a b | xargs rm", Start { partial: true, ..start(fs) });
    assert!(out.stopped.is_some());
}

#[test]
fn account_tools_read_long_options_with_equals() {
    let out = run_script(
        "addgroup --gid=1654 svc && adduser --uid=1654 --ingroup=svc --home=/srv/app -D svc && grep svc /etc/passwd /etc/group",
        start(busybox_with(&["addgroup", "adduser", "grep"])),
    );
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(out.output.contains("/etc/passwd:svc:x:1654:1654:"), "{}", out.output);
    assert!(out.output.contains(":/srv/app:"), "{}", out.output);
    assert!(out.output.contains("/etc/group:svc:x:1654:"), "{}", out.output);
}

#[test]
fn an_account_that_exists_is_refused_and_two_operands_join_a_group() {
    let fs = busybox_with(&["addgroup", "adduser", "useradd", "groupadd", "grep"]);
    // busybox: "adduser: user 'app' in use", status 1.
    let out = run_script("adduser -D app", start(fs.clone()));
    assert_eq!(out.status, 1);
    assert!(out.output.contains("user 'app' in use"), "{}", out.output);
    // shadow's useradd and groupadd: status 9; groupadd -f succeeds.
    let gnu = |s: &str| run_script(s, Start { userland: Userland::Gnu, ..start(fs.clone()) });
    assert_eq!(gnu("useradd app").status, 9);
    assert_eq!(gnu("groupadd app").status, 9);
    assert_eq!(gnu("groupadd -f app").status, 0);
    // `addgroup USER GROUP`: the user joins the group, once.
    let out = run_script("addgroup svc && addgroup app svc && addgroup app svc && grep svc /etc/group", start(fs));
    assert_eq!(out.output, "svc:x:1001:app\n");
}

#[test]
fn apt_get_download_names_the_deb_as_apt_does() {
    let out = run_script("cd /tmp && apt-get download curl frobnicate:arm64 && ls /tmp", debian_with_packages());
    assert_eq!(out.status, 0, "{}", out.output);
    assert_eq!(out.output, "curl_7.88.1-10_amd64.deb\nfrobnicate_0_arm64.deb\n");
}

#[test]
fn groupadd_writes_a_group_and_useradd_makes_the_home_it_is_asked_for() {
    let fs = busybox_with(&["useradd", "groupadd", "grep"]);
    let gnu = Start { userland: Userland::Gnu, ..start(fs) };
    let out = run_script(
        "groupadd --gid 1500 node && useradd --uid 1500 --gid node --create-home node && grep node /etc/passwd /etc/group",
        gnu,
    );
    assert_eq!(out.status, 0, "{}", out.output);
    // Debian's useradd: an empty comment, sh (its /etc/default/useradd).
    assert_eq!(out.output, "/etc/passwd:node:x:1500:1500::/home/node:/bin/sh\n/etc/group:node:x:1500:\n");
    assert_eq!(out.snapshot.stat("/home/node").map(|e| (e.meta.uid, e.meta.gid)), Some((1500, 1500)));
}

#[test]
fn dpkg_lists_a_packages_files_from_its_record_or_the_catalog() {
    let mut start = debian_with_packages();
    // Installed here: dpkg's own record.
    let out = run_script("apt-get install -y --no-install-recommends curl >/dev/null && dpkg -L curl", start.clone());
    assert_eq!(out.output, "/.\n/usr\n/usr/bin\n/usr/bin/curl\n");
    // A record whose bytes are not known (a base image's): the catalog's list, modeled.
    start
        .snapshot
        .insert("/var/lib/dpkg/info/libcurl4:amd64.list", Entry::file(Content::synthetic(90, "base"), Meta::FILE))
        .unwrap();
    let out = run_script("dpkg -L libcurl4 | grep '\\.so\\.4$'", start.clone());
    assert_eq!(out.output, "/usr/lib/libcurl.so.4\n");
    assert!(out.modeled.iter().any(|m| m.contains("as the package catalog lists them")), "{:?}", out.modeled);
    // Not installed: dpkg says so.
    let out = run_script("dpkg -L ca-certificates", start);
    assert_eq!(out.status, 1);
}

#[test]
fn corepack_enable_links_the_shims_beside_node() {
    let mut fs = busybox_with(&["corepack", "readlink"]);
    fs.mkdir_all("/usr/local/bin", Meta::DIR).unwrap();
    let out = run_script("corepack enable && readlink /usr/local/bin/pnpm", start(fs));
    assert_eq!(out.output, "../lib/node_modules/corepack/dist/pnpm.js\n");
}

#[test]
fn review_findings_of_find_xargs_ls_and_apt() {
    let fs = busybox_with(&["find", "xargs", "ls", "sort"]);
    // xargs with an option missing its value: an error, not a panic.
    assert_eq!(run_script("echo a | xargs -P", start(fs.clone())).status, 1);
    // Deep nesting and long chains stay within bounds (the browser's stack is 1 MiB).
    let deep = format!("find / {} -true", "! ".repeat(5000));
    assert!(run_script(&deep, start(fs.clone())).stopped.is_some());
    let long = format!("find /etc {} -print > /dev/null", "-true ".repeat(20_000));
    assert_eq!(run_script(&long, start(fs.clone())).status, 0);
    // A link named last is examined, not followed (find -P); a trailing / follows it.
    let mut linked = fs.clone();
    linked.mkdir_all("/usr/lib/x", Meta::DIR).unwrap();
    linked.insert("/usr/lib/x/libz.so", Entry::file(Content::bytes(b"z".to_vec()), Meta::FILE)).unwrap();
    linked.insert("/lib", Entry::symlink("usr/lib", Meta::SYMLINK)).unwrap();
    assert_eq!(run_script("find /lib -name 'lib*'", start(linked.clone())).output, "/lib\n");
    assert_eq!(run_script("find /lib/ -name 'lib*.so'", start(linked.clone())).output, "/lib/x/libz.so\n");
    assert_eq!(run_script("find /lib/x -maxdepth 0", start(linked)).output, "/lib/x\n");
    // ls options that change which names come, or their order, are not modeled.
    assert!(run_script("ls -t /etc", start(fs.clone())).stopped.is_some());
    assert!(run_script("ls -la /etc", start(fs)).stopped.is_none());
}

#[test]
fn apt_purge_removes_what_the_catalog_installed() {
    let out = run_script(
        "mkdir -p /usr/bin && touch /usr/bin/other && apt-get install -y --no-install-recommends curl && apt-get purge -y curl libcurl4",
        debian_with_packages(),
    );
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(out.snapshot.stat("/usr/bin/curl").is_none());
    assert!(out.snapshot.lstat("/usr/lib/libcurl.so.4").is_none());
    assert!(out.snapshot.stat("/var/lib/dpkg/info/curl.list").is_none());
    // A directory still holding files stays; one left empty goes, as dpkg does.
    assert!(out.snapshot.stat("/usr/bin/other").is_some());
    assert!(out.snapshot.stat("/usr/lib").is_none());
}

#[test]
fn apt_get_update_names_lists_after_the_images_sources() {
    let mut start = debian_with_packages();
    start.snapshot.mkdir_all("/etc/apt/sources.list.d", Meta::DIR).unwrap();
    start
        .snapshot
        .insert(
            "/etc/apt/sources.list.d/docker.list",
            Entry::file(
                Content::bytes(
                    b"deb [arch=amd64 signed-by=/k.gpg] https://example.test/linux/debian bookworm stable\n".to_vec(),
                ),
                Meta::FILE,
            ),
        )
        .unwrap();
    let out = run_script("apt-get update && ls /var/lib/apt/lists", start);
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(out.output.contains("example.test_linux_debian_dists_bookworm_InRelease\n"), "{}", out.output);
    assert!(
        out.output.contains("example.test_linux_debian_dists_bookworm_stable_binary-amd64_Packages.lz4\n"),
        "{}",
        out.output
    );
}

#[test]
fn su_runs_its_command_as_the_user_and_install_d_makes_the_directories() {
    let fs = busybox_with(&["su", "install", "stat"]);
    let out = run_script(
        "su app -c 'touch $HOME/by-app' && su -s /bin/sh -c 'id -u; echo $USER $LOGNAME; pwd' - app",
        start(fs.clone()),
    );
    assert_eq!(out.output, "1000\napp app\n/home/app\n", "{}", out.output);
    assert_eq!(out.snapshot.stat("/home/app/by-app").map(|e| e.meta.uid), Some(1000));
    // Without -c, su would start an interactive shell: not modeled.
    assert!(run_script("su app", start(fs.clone())).stopped.is_some());
    // A user without a login shell is refused; only root may su without a password.
    let mut nologin = fs.clone();
    nologin
        .insert(
            "/etc/passwd",
            Entry::file(
                Content::bytes(b"root:x:0:0::/root:/bin/sh\nsvc:x:100:100::/:/usr/sbin/nologin\n".to_vec()),
                Meta::FILE,
            ),
        )
        .unwrap();
    let out = run_script("su svc -c 'touch /tmp/x'", start(nologin));
    assert_eq!((out.status, out.output.as_str()), (1, "This account is currently not available.\n"));
    let out = run_script("su root -c true", Start { uid: 1000, gid: 1000, ..start(fs.clone()) });
    assert_eq!((out.status, out.output.as_str()), (1, "su: Authentication failure\n"));
    let out = run_script(
        "echo x > /tmp/f && install -D -m 0640 /tmp/f /staging/usr/lib/f && stat -c %a /staging/usr/lib/f",
        start(fs),
    );
    assert_eq!(out.output, "640\n", "{}", out.output);
}

#[test]
fn readlink_canonicalizes_with_e_and_f_and_says_why_with_v() {
    // Expected from GNU readlink 9.1 (this machine's).
    let mut fs = busybox_with(&["readlink"]);
    fs.mkdir_all("/usr/local/bin", Meta::DIR).unwrap();
    fs.insert("/usr/local/bin/python3.12", Entry::file(Content::bytes(b"x".to_vec()), Meta::new(0o755, 0, 0))).unwrap();
    fs.insert("/usr/local/bin/python3", Entry::symlink("python3.12", Meta::SYMLINK)).unwrap();
    let gnu = |s: &str| run_script(s, Start { userland: Userland::Gnu, ..start(fs.clone()) });
    assert_eq!(gnu("readlink /usr/local/bin/python3").output, "python3.12\n");
    assert_eq!(gnu("readlink -ve /usr/local/bin/python3").output, "/usr/local/bin/python3.12\n");
    assert_eq!(gnu("readlink -f /usr/local/bin/nope").output, "/usr/local/bin/nope\n");
    let out = gnu("readlink -ve /usr/local/bin/nope");
    assert_eq!((out.status, out.output.as_str()), (1, "readlink: /usr/local/bin/nope: No such file or directory\n"));
}

#[test]
fn cp_v_says_what_it_copied() {
    // GNU cp 9.1's lines (this machine's).
    let gnu = Start { userland: Userland::Gnu, ..start(busybox()) };
    let out = run_script("cd /tmp && echo x > a && mkdir d && cp -vL a d && cp -v a d/ && cp -v a b", gnu);
    assert_eq!(out.output, "'a' -> 'd/a'\n'a' -> 'd/a'\n'a' -> 'b'\n");
}

#[test]
fn envsubst_replaces_exported_variables_and_timeout_runs_its_command() {
    // Expected from GNU gettext's envsubst 0.21 (this machine's).
    let fs = busybox_with(&["envsubst", "timeout", "nice", "nohup"]);
    let script = "export HOST=example.test PORT=8080; NOT_EXPORTED=x; \
        printf 'server ${HOST}:$PORT $NOT_EXPORTED ${MISSING} ${A:-b} $1 $\\n' | envsubst; \
        printf '$HOST $PORT\\n' | envsubst '$PORT'";
    let out = run_script(script, start(fs.clone()));
    assert_eq!(out.output, "server example.test:8080   ${A:-b} $1 $\n$HOST 8080\n");
    let out = run_script("timeout -s KILL 10 touch /tmp/a && nice -n 5 touch /tmp/b && nohup touch /tmp/c", start(fs));
    assert_eq!(out.status, 0, "{}", out.output);
    assert!(["/tmp/a", "/tmp/b", "/tmp/c"].iter().all(|p| out.snapshot.stat(p).is_some()));
}

#[test]
fn set_a_exports_for_envsubst_readlink_m_and_install_d_permissions() {
    let fs = busybox_with(&["envsubst", "readlink", "install"]);
    let out = run_script("set -a; NAME=app; set +a; LATER=x; printf '$NAME $LATER\\n' | envsubst", start(fs.clone()));
    assert_eq!(out.output, "app \n");
    let gnu = |s: &str| run_script(s, Start { userland: Userland::Gnu, ..start(fs.clone()) });
    assert_eq!(gnu("readlink -m /no/such/../x").output, "/no/x\n");
    // busybox's readlink has no -e or -m.
    assert_eq!(run_script("readlink -e /etc", start(fs.clone())).status, 1);
    // install -D as a user cannot make directories where it may not write.
    let out = run_script(
        "echo x > /home/app/f && install -D /home/app/f /usr/lib/x/f",
        Start { uid: 1000, gid: 1000, ..start(fs) },
    );
    assert_eq!(out.status, 1, "{}", out.output);
    assert!(out.snapshot.stat("/usr/lib/x").is_none());
}

/// Random scripts over this session's utilities and their options (a fixed seed, so a
/// failure repeats): none may panic, and each ends within the step budget.
#[test]
fn random_scripts_over_the_new_utilities_never_panic() {
    const WORDS: &[&str] = &[
        "find",
        "/",
        ".",
        "/t",
        "-name",
        "'*.a'",
        "-type",
        "f",
        "d",
        "-o",
        "-a",
        "!",
        "\\(",
        "\\)",
        "-prune",
        "-print0",
        "-exec",
        "echo",
        "{}",
        "\\;",
        "+",
        "-perm",
        "-100",
        "/u+s",
        "-uid",
        "+1",
        "-maxdepth",
        "1",
        "-delete",
        "-empty",
        "envsubst",
        "'$A'",
        "readlink",
        "-f",
        "-e",
        "-m",
        "-v",
        "-n",
        "su",
        "app",
        "-c",
        "true",
        "-",
        "-s",
        "install",
        "-D",
        "-d",
        "-m",
        "0750",
        "/t/x/y",
        "cp",
        "-v",
        "-L",
        "timeout",
        "nice",
        "nohup",
        "xargs",
        "-P",
        "-I",
        "-rt",
        "chmod",
        "g=u",
        "=2775",
        "o+g",
        "awk",
        "'{print}'",
        "ls",
        "-la",
        "-t",
        "|",
        ";",
        "&&",
        "||",
        "$(",
        ")",
        "\"",
        "'",
        "\\",
        "\n",
        "<<EOF",
        "EOF",
        "set",
        "-a",
        "A=1",
        "export",
        "sort",
        "grep",
        "-q",
        "tar",
        "--file",
        "--directory",
        // This session's: the regex engine, python, npm config.
        "sed",
        "-E",
        "'s/\\(a*\\)*\\1/x/g'",
        "'(a|ab)*c{2,}['",
        "expr",
        ":",
        "python3",
        "-c",
        "\"open('/t/p', 'w'); os.makedirs(\"",
        "Path('x').write_text(",
        "npm",
        "config",
        "set",
    ];
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap_or(0)
    };
    let base = {
        let mut fs = busybox_with(&[
            "find", "envsubst", "readlink", "su", "install", "timeout", "nice", "nohup", "xargs", "sort", "grep",
            "tar", "ls", "sed", "expr", "python3", "npm",
        ]);
        fs.mkdir_all("/t/a/b", Meta::DIR).unwrap();
        fs.insert("/t/a/x.a", Entry::file(Content::bytes(b"x".to_vec()), Meta::FILE)).unwrap();
        fs.insert("/t/l", Entry::symlink("a", Meta::SYMLINK)).unwrap();
        fs
    };
    for case in 0..20_000 {
        let len = 1 + next() % 20;
        let script: Vec<&str> = (0..len).map(|_| WORDS[next() % WORDS.len()]).collect();
        let script = script.join(" ");
        let out = std::panic::catch_unwind(|| run_script(&script, start(base.clone())));
        assert!(out.is_ok(), "case {case} panicked: {script:?}");
    }
}

/// `npm config set|delete` writes the npmrc as npm 11 does here (`npm config --userconfig F set
/// prefix /new audit=false` over `fund=false`, a comment and `prefix=/old` gave
/// `fund=false\nprefix=/new\naudit=false\n`); `-g` writes the global npmrc, and the prefix it
/// sets is where `npm install -g` puts packages.
#[test]
fn npm_config_writes_the_npmrc_as_npm_does() {
    let mut fs = project(
        &[("/root/.npmrc", "fund=false\n; comment\nprefix=/old\n")],
        &["/usr/local/bin/node", "/usr/local/bin/npm"],
    );
    fs.insert("/home/app/.npmrc", Entry::file(Content::bytes(b"".to_vec()), Meta::new(0o644, 1000, 1000))).unwrap();
    let env = vec![("PATH".into(), crate::plan::dispatch::DEFAULT_PATH.into()), ("HOME".into(), "/root".into())];
    let f = run_script(
        "npm config set prefix /new audit=false && npm config delete fund && npm install -g eslint",
        Start { env: env.clone(), ..start(fs.clone()) },
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/root/.npmrc").0, "prefix=/new\naudit=false\n");
    assert!(f.snapshot.lstat("/new/lib/node_modules/.package-lock.json").is_some(), "npm install -g under the prefix");
    // The global npmrc is under Node's own prefix (or the user's npmrc's), whatever it sets.
    let mut own = fs.clone();
    own.remove("/root/.npmrc").unwrap();
    let f = run_script(
        "npm config -g set prefix /opt/g && npm i -g tsc",
        Start { env: vec![env[0].clone()], ..start(own) },
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/usr/local/etc/npmrc").0, "prefix=/opt/g\n");
    assert!(f.snapshot.lstat("/opt/g/lib/node_modules/.package-lock.json").is_some());
    // A user who may not write the global prefix fails as npm does.
    let f = run_script(
        "npm install -g eslint",
        Start { uid: 1000, gid: 1000, env: vec![env[0].clone(), ("HOME".into(), "/home/app".into())], ..start(fs) },
    );
    assert_eq!(f.status, 243, "{}", f.output);
    assert!(f.output.contains("EACCES"), "{}", f.output);
}

/// Tools modeled from the table write as the user they run as (a venv made by a user is the
/// user's), and a file of unknown content edited with `sed -i` stays unknown, its size kept.
#[test]
fn table_models_write_as_the_user_and_sed_keeps_unknown_files_unknown() {
    let mut fs = project(&[], &["/usr/local/bin/python", "/bin/sed", "/bin/sort", "/usr/bin/apk", "/usr/bin/git"]);
    fs.mkdir_all("/srv", Meta::DIR).unwrap();
    fs.insert("/srv/blob", Entry::file(Content::synthetic(5000, "blob"), Meta::FILE)).unwrap();
    let f = run_script("python -m venv /home/app/venv", Start { uid: 1000, gid: 1000, ..start(fs.clone()) });
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    let cfg = f.snapshot.lstat("/home/app/venv/pyvenv.cfg").unwrap();
    assert_eq!((cfg.meta.uid, cfg.meta.gid), (1000, 1000));
    assert_eq!(f.snapshot.lstat("/home/app/venv/bin").unwrap().meta, Meta::new(0o755, 1000, 1000));
    // Where the user may not write, the tool fails rather than the step going opaque.
    let f = run_script("python -m venv /srv/venv", Start { uid: 1000, gid: 1000, ..start(fs.clone()) });
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert_ne!(f.status, 0);
    let f = run_in(fs, "/", "sed -i 's/a/b/' /srv/blob && apk info -vv | sort > /tmp/list && git push origin main");
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    let blob = f.snapshot.lstat("/srv/blob").unwrap();
    assert!(
        blob.size() == 5000 && !matches!(blob.node, Node::File { ref content, .. } if content.as_bytes().is_some())
    );
    assert!(
        f.modeled.iter().any(|m| m.starts_with("sed -i edits a file whose content is not known")),
        "{:?}",
        f.modeled
    );
}

/// sed's matches are POSIX's leftmost-longest, with back-references: each expected line is
/// what GNU sed 4.9 printed here for `printf '%s\n' TEXT | sed [-E] 's/RE/[&]/g'` (and `<\1>`).
#[test]
fn sed_matches_as_gnu_sed_does() {
    let cases = [
        ("-E", "a|ab", "[&]", "abcd", "[ab]cd"),
        ("-E", "(a|ab)(c|bcd)(d*)", "<\\1>", "abcd", "<a>"),
        ("-E", "x*", "[&]", "abc", "[]a[]b[]c[]"),
        ("", "b*", "[&]", "abc", "[]a[b]c[]"),
        ("", "\\(a*\\)\\(ab\\)*b", "<\\1>", "aabab", "<aa><a>"),
        ("-E", "(wee|week)(knights|night)", "<\\1>", "weeknights", "<wee>"),
        ("", "\\([a-z]*\\) \\1", "<\\1>", "hello hello world", "<hello><>world"),
        ("-E", "\\b", "[&]", "ab cd", "[]ab[] []cd[]"),
        ("-E", "(.)(.)\\2\\1", "<\\1>", "xabbay", "x<a>y"),
        ("-E", "(a|b)*c", "<\\1>", "ababc", "<b>"),
        ("-E", "[]x]+", "[&]", "x]]y", "[x]]]y"),
        ("-E", "[a-]+", "[&]", "a-b", "[a-]b"),
        // A repetition of what can match empty, with a back-reference; `^*`; sed's `\t` in a
        // bracket (found by a review, each checked here).
        ("", "\\(x*\\)*\\1y", "Z", "y", "Z"),
        ("", "^*", "X", "*a", "Xa"),
        ("", "[ \\t]*$", "", "print\t ", "print"),
        // Captures come from the passes that matched something; sed's \r and \\ in a bracket.
        ("-E", "(a*)+", "[\\1]", "aa", "[aa]"),
        ("-E", "([^/]*)+", "[\\1]", "usr/lib", "[usr]/[lib]"),
        ("", "\\(a*\\)*\\(x\\)*\\2*", "[\\1]", "aa", "[aa]"),
        ("", "\\r$", "", "a\r", "a"),
        ("", "[\\\\n]", "X", "a\\nb", "aXXb"),
        ("", "b", "\\x27", "abc", "a'c"),
    ];
    for (flag, re, with, text, want) in cases {
        let script = format!("printf '%s\\n' '{text}' | sed {flag} 's\x01{re}\x01{with}\x01g' > /tmp/out");
        let f = run_in(project(&[], &["/bin/sed", "/usr/bin/printf"]), "/", &script);
        assert_eq!(f.status, 0, "{re}: {}", f.output);
        assert_eq!(file(&f, "/tmp/out").0, format!("{want}\n"), "sed {flag} s/{re}/{with}/g on {text}");
    }
}

/// tonistiigi/xx's helpers answer for linux/amd64, the platform simulated, and `find -delete`
/// leaves its starting point `.` alone, as GNU find does (checked here: `find . -not -path
/// './target*' -delete` keeps `.`, `./target` and what is under it, and exits 0).
#[test]
fn xx_helpers_and_find_delete_of_the_start() {
    let fs = project(
        &[("/app/src/main.rs", "fn main() {}\n"), ("/app/target/x/b", "")],
        &["/usr/bin/xx-info", "/usr/bin/xx-cargo", "/usr/bin/find"],
    );
    let f = run_in(
        fs,
        "/app",
        "echo \"$(xx-info debian-arch) $(xx-info) $(xx-cargo --print-target-triple)\" > /tmp/out; xx-info is-cross || echo native >> /tmp/out; find . -not -path './target*' -delete",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/tmp/out").0, "amd64 x86_64-linux-gnu x86_64-unknown-linux-gnu\nnative\n");
    assert!(f.snapshot.lstat("/app/target/x/b").is_some() && f.snapshot.lstat("/app/src").is_none());
    assert!(f.snapshot.lstat("/app").is_some());
}

/// A Python program (`-c`, a file, a heredoc on standard input) is read for what it does to
/// files: paths named by string literals are made or removed, anything else leaves the files
/// partly unknown, and the step is modeled.
#[test]
fn python_programs_are_read_for_their_files() {
    let fs =
        project(&[("/src/gen.py", "import os\nos.remove('/src/old')\n"), ("/src/old", "x")], &["/usr/bin/python3"]);
    let script = "python3 <<'EOF'\nimport os, json\nfrom pathlib import Path\nos.makedirs('conf/d', exist_ok=True)\nwith open('conf/s.json', 'w') as f:\n    json.dump({}, f)\nPath('/src/VERSION').write_text('1\\n')\nopen('readme.md').read()\nEOF\npython3 gen.py && python3 -c 'import shutil; shutil.copy(\"conf/s.json\", \"copy.json\")'";
    let f = run_in(fs.clone(), "/src", script);
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    for made in ["/src/conf/d", "/src/conf/s.json", "/src/VERSION", "/src/copy.json"] {
        assert!(f.snapshot.lstat(made).is_some(), "{made}");
    }
    assert!(f.snapshot.lstat("/src/old").is_none() && f.snapshot.lstat("/src/readme.md").is_none());
    assert!(!f.estimated, "every path was a literal");
    assert!(f.modeled.iter().any(|m| m.starts_with("python runs a program")), "{:?}", f.modeled);
    // A path that is not a literal: the files are partly unknown after it.
    let f = run_in(fs.clone(), "/src", "python3 -c 'p = \"x\"; open(p, \"w\").close()'");
    assert!(f.status == 0 && f.estimated, "{}", f.output);
    // A program file that is not there fails as python does.
    let f = run_in(fs, "/src", "python3 /nope.py");
    assert_eq!(f.status, 2);
    assert!(f.output.contains("can't open file '/nope.py'"), "{}", f.output);
}

/// Well-known installer scripts piped into a shell, `pip wheel`, and Laravel's caches, from
/// the table: each writes where the real one does, its content estimated.
#[test]
fn installers_wheels_and_framework_caches() {
    let fs = project(
        &[("/app/artisan", "<?php\n")],
        &["/usr/bin/curl", "/bin/bash", "/usr/local/bin/pip", "/usr/local/bin/php", "/usr/sbin/update-locale"],
    );
    let f = run_in(
        fs.clone(),
        "/app",
        "curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && curl https://sh.rustup.rs -sSf | bash -s -- -y \
         && pip wheel --wheel-dir /wheels flask gunicorn==22.0 && php artisan config:cache && update-locale LANG=C.UTF-8",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    for path in [
        "/etc/apt/sources.list.d/nodesource.list",
        "/root/.cargo/bin/rustup",
        "/wheels/flask-0-py3-none-any.whl",
        "/wheels/gunicorn-0-py3-none-any.whl",
        "/app/bootstrap/cache/config.php",
    ] {
        assert!(f.snapshot.lstat(path).is_some(), "{path}");
    }
    assert!(
        matches!(f.snapshot.lstat("/root/.cargo/bin/cargo").map(|e| e.node), Some(Node::Symlink(t)) if &*t == "rustup")
    );
    assert_eq!(file(&f, "/etc/default/locale").0, "LANG=C.UTF-8\n");
    // An installer the table does not know stays unknown.
    let f = run_in(fs, "/app", "curl -fsSL https://example.com/install.sh | bash");
    assert!(f.stopped.is_some());
}

/// Over partly unknown files: `cat` of a file not known prints unknown bytes that `grep -q`
/// takes to match; pip in a virtual environment installs into it, and a user who may not write
/// the system's site-packages gets the user's; `sha256sum -c --ignore-missing` skips what is
/// not there as GNU's does (`no file was verified` when nothing is left, checked here).
#[test]
fn partly_unknown_reads_pip_targets_and_ignore_missing() {
    let partial = |script: &str, uid: u32| {
        let mut fs = project(&[], &["/usr/bin/grep", "/usr/local/bin/pip", "/usr/bin/sha256sum", "/usr/bin/cut"]);
        fs.mkdir_all("/usr/local/lib/python3.12/site-packages", Meta::DIR).unwrap();
        let env =
            vec![("PATH".into(), crate::plan::dispatch::DEFAULT_PATH.into()), ("HOME".into(), "/home/app".into())];
        run_script(script, Start { partial: true, uid, gid: uid, env, ..start(fs) })
    };
    let f = partial("cat /etc/os-release | grep -q bookworm && cat /etc/shadow > /tmp/copy", 0);
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert!(
        f.snapshot
            .lstat("/tmp/copy")
            .is_some_and(|e| matches!(e.node, Node::File { ref content, .. } if content.as_bytes().is_none()))
    );
    let f = partial("VIRTUAL_ENV=/home/app/venv pip install flask && pip install requests", 1000);
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.snapshot.lstat("/home/app/venv/lib/python3.12/site-packages/flask/__init__.py").is_some());
    assert!(f.snapshot.lstat("/home/app/.local/lib/python3.12/site-packages/requests/__init__.py").is_some());
    let f = partial(
        "echo x > /tmp/here && sha256sum /tmp/here > /tmp/l && echo '0  /tmp/nothere' >> /tmp/l && sha256sum -c --ignore-missing /tmp/l",
        0,
    );
    assert_eq!((f.status, f.output.as_str()), (0, "/tmp/here: OK\n"));
    let f = partial("echo '0  /tmp/nothere' > /tmp/l && sha256sum -c --ignore-missing /tmp/l", 0);
    assert_eq!(f.status, 1);
    assert!(f.output.contains("/tmp/l: no file was verified"), "{}", f.output);
}

/// Python text in any characters is read without a panic; a relative symlink target stays
/// relative; a download with urlretrieve is a file; a move or a framework's import leaves the
/// files partly unknown (found by a review).
#[test]
fn python_reading_edges() {
    let fs = project(&[], &["/usr/bin/python3"]);
    let f = run_in(fs.clone(), "/tmp", "python3 -c 'x = \"Größe(kg)\"; y = \"→(y)\"; print(x)'");
    assert_eq!(f.status, 0, "{}", f.output);
    let f = run_in(
        fs.clone(),
        "/tmp",
        "python3 -c 'import os, urllib.request; os.symlink(\"libfoo.so.1\", \"/tmp/libfoo.so\"); urllib.request.urlretrieve(\"https://x/get-pip.py\", \"get-pip.py\")'",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(
        matches!(f.snapshot.lstat("/tmp/libfoo.so").map(|e| e.node), Some(Node::Symlink(t)) if &*t == "libfoo.so.1")
    );
    assert!(f.snapshot.lstat("/tmp/get-pip.py").is_some() && !f.estimated);
    // A write the user may not make fails the program as Python's OSError would, not the step.
    let f = run_script("python3 -c 'open(\"/etc/x\", \"w\")'", Start { uid: 1000, gid: 1000, ..start(fs.clone()) });
    assert!(f.stopped.is_none() && f.status == 1, "{:?} {}", f.stopped, f.output);
    assert!(f.output.contains("OSError: Permission denied: '/etc/x'"), "{}", f.output);
    for unfollowed in
        ["import shutil; shutil.move(\"a\", \"b\")", "from django.core.management import execute_from_command_line"]
    {
        let f = run_in(fs.clone(), "/tmp", &format!("python3 -c '{unfollowed}'"));
        assert!(f.status == 0 && f.estimated, "{unfollowed}: {}", f.output);
    }
}

/// Poetry's installer piped into python, ssh-keyscan's keys appended to `known_hosts`, and
/// Spring Boot's layertools, from the table.
#[test]
fn installers_into_python_keyscan_and_layertools() {
    let fs = project(&[], &["/usr/bin/curl", "/usr/bin/python3", "/usr/bin/ssh-keyscan", "/opt/java/bin/java"]);
    let f = run_in(
        fs,
        "/app",
        "curl -sSL https://install.python-poetry.org | python3 - && mkdir -p /root/.ssh && ssh-keyscan github.com >> /root/.ssh/known_hosts \
         && /opt/java/bin/java -Djarmode=layertools -jar app.jar extract",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    for path in ["/root/.local/bin/poetry", "/root/.ssh/known_hosts", "/app/dependencies", "/app/application"] {
        assert!(f.snapshot.lstat(path).is_some(), "{path}");
    }
    // Composer's installer piped into php, with its options after `--`; over partly unknown
    // files php need not be among the known ones.
    let f = run_script(
        "curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer",
        Start { partial: true, ..start(project(&[], &["/usr/bin/curl"])) },
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.snapshot.lstat("/usr/local/bin/composer").is_some_and(|e| e.meta.mode == 0o755));
    // Over fully known files a missing interpreter fails as the shell says.
    let f = run_script("curl -sS https://getcomposer.org/installer | php", start(project(&[], &["/usr/bin/curl"])));
    assert_eq!(f.status, 127, "{}", f.output);
}

/// Tools of Go, OpenTelemetry, Canonical and Jupyter projects from the table: gimme's
/// variables go through `eval`, and each tool writes where its options say.
#[test]
fn gimme_weaver_chisel_and_friends_from_the_table() {
    let tools = [
        "/usr/local/bin/gimme",
        "/usr/local/go/bin/go",
        "/usr/local/bin/go-licenses",
        "/usr/bin/chisel-wrapper",
        "/weaver/weaver",
        "/go/bin/xk6",
        "/usr/bin/shfmt",
        "/usr/bin/doctoc",
    ];
    let fs = project(&[("/src/README.md", "# x\n"), ("/src/go.mod", "module example.com/k\n")], &tools);
    let f = run_in(
        fs.clone(),
        "/src",
        "eval \"$(gimme 1.22.1)\" && echo \"$GOROOT\" > /goroot && go-licenses save --save_path=/_LICENSES ./cmd/k \
         && mkdir -p /rootfs/var/lib/dpkg && chisel-wrapper --generate-dpkg-status /rootfs/var/lib/dpkg/status -- \
            --release ubuntu-24.04 --root /rootfs base-files_base libc6_libs \
         && /weaver/weaver registry generate --registry=/reg markdown /out/docs \
         && /weaver/weaver registry package --registry=/reg --output=/out/schema \
         && /go/bin/xk6 build v2.1.0 --with example.com/x=./x --output ./k6 \
         && shfmt -i 2 -d ./hack && doctoc README.md",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert!(f.stopped.is_none(), "{:?}", f.stopped);
    assert_eq!(file(&f, "/goroot").0, "/root/.gimme/versions/go1.22.1.linux.amd64\n");
    assert!(
        f.snapshot.lstat("/root/.gimme/versions/go1.22.1.linux.amd64/bin/go").is_some_and(|e| e.meta.mode == 0o755)
    );
    for path in ["/_LICENSES", "/rootfs/var/lib/dpkg/status", "/out/docs", "/out/schema", "/src/k6"] {
        assert!(f.snapshot.lstat(path).is_some(), "{path}");
    }
    // doctoc rewrites the file: its size is kept, its content is no longer known.
    assert!(matches!(f.snapshot.lstat("/src/README.md"), Some(Entry { node: Node::File { content, .. }, .. })
        if content.as_bytes().is_none() && content.size() == 4));
    assert!(f.modeled.iter().any(|m| m.starts_with("gimme downloads Go 1.22.1")), "{:?}", f.modeled);
    // shfmt -w rewrites scripts: the files are partly unknown after it.
    let f = run_in(fs.clone(), "/src", "shfmt -l -w -i 2 .");
    assert!(f.estimated && f.stopped.is_none(), "{:?}", f.stopped);
    // Options with values are not files; outputs are the last operand; a version gimme must
    // resolve is not known.
    let mut fs = fs;
    for tool in ["/usr/bin/wasmedgec", "/usr/bin/xx-go"] {
        fs.insert(tool, Entry::file(Content::synthetic(100, tool), Meta::new(0o755, 0, 0))).unwrap();
    }
    fs.insert("/src/in.wasm", Entry::file(Content::bytes(b"\0asm".to_vec()), Meta::FILE)).unwrap();
    let f = run_in(
        fs.clone(),
        "/src",
        "doctoc --maxlevel 3 README.md && wasmedgec --optimize 3 in.wasm out.wasm && xx-go --wrap \
         && /weaver/weaver registry resolve -r /reg -o /out/resolved.json",
    );
    assert_eq!(f.status, 0, "{}", f.output);
    assert_eq!(file(&f, "/src/in.wasm").0, "\0asm", "the input module is kept");
    for path in ["/src/out.wasm", "/root/.config/go/env"] {
        assert!(f.snapshot.lstat(path).is_some(), "{path}");
    }
    assert!(matches!(f.snapshot.lstat("/out/resolved.json"), Some(Entry { node: Node::File { .. }, .. })));
    let f = run_in(fs, "/src", "eval \"$(gimme stable)\"");
    assert!(f.stopped.is_some(), "{}", f.output);
}

/// `mv` of a folder into itself fails, as rename(2) does, and keeps the folder (found by a
/// review: the folder was moved into itself and then removed).
#[test]
fn mv_into_itself_fails_and_keeps_the_folder() {
    let f = run_script("mkdir -p /x/a && touch /x/a/f && mv /x /x/sub", start(busybox()));
    assert_eq!(f.status, 1, "{}", f.output);
    assert!(f.output.contains("can't rename '/x': Invalid argument"), "{}", f.output);
    assert!(f.snapshot.lstat("/x/a/f").is_some() && f.snapshot.lstat("/x/sub").is_none());
}
