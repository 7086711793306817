//! Build-tool models: compilers and build systems that cannot run here, whose outputs are
//! named from the project's own files (`package.json`, `tsconfig.json`, `pom.xml`,
//! `settings.gradle`, `*.csproj`, `Cargo.toml`, `mix.exs`) read from the simulated
//! filesystem. The names and places are those the real tool uses; contents and sizes are
//! estimates, and every run is noted `modeled`.
//!
//! A project file that is missing over fully known files fails the step as the tool does; over
//! partly unknown files the project is taken to be there, named after its directory.

// File names are matched as the tools match them on Linux: case-sensitively.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use super::utils::{Env, read_text};
use crate::fs::Node;

/// The value of option `names`: `-o X`, `-oX` (one letter), `--out X` or `--out=X`.
pub(crate) fn opt(args: &[String], names: &[&str]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        for n in names {
            if a == n {
                return it.next().cloned();
            }
            if let Some(v) = a.strip_prefix(n) {
                if let Some(v) = v.strip_prefix('=') {
                    return Some(v.to_string());
                }
                if n.len() == 2 && !v.is_empty() && !n.starts_with("--") {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// The operands: words that are not options nor the values of `valued` options.
pub(crate) fn operands<'a>(args: &'a [String], valued: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if valued.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            out.push(a.as_str());
        }
    }
    out
}

/// The text between `<tag>` and `</tag>`, first found.
fn xml_tag<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(text[start..end].trim())
}

/// `text` without the elements `<tag>...</tag>` (nested ones of other names kept inside).
fn xml_without(text: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(&close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// A quoted string after `key` and `=` (or `(`) in a build script: `name = 'x'`,
/// `name = "x"`, `name.set("x")`.
fn assigned<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = text[from..].find(key) {
        let at = from + i + key.len();
        from = at;
        let rest = text[at..].trim_start_matches([' ', '\t']);
        let rest = rest.strip_prefix(".set").unwrap_or(rest).trim_start_matches([' ', '\t', '=', '(']);
        let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { continue };
        let body = &rest[1..];
        return body.find(quote).map(|end| &body[..end]);
    }
    None
}

/// The `{ ... }` block that follows the first `name` in a build script that opens one.
fn block<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = text[from..].find(name) {
        let at = from + i + name.len();
        from = at;
        // `bootJar {`, `tasks.named('bootJar') {`, `tasks.named<BootJar>("bootJar") {`: the
        // brace on the same line.
        let line = text[at..].find(['\n', ';']).unwrap_or(text.len() - at);
        let Some(open) = text[at..at + line].find('{') else { continue };
        let start = at + open + 1;
        let mut depth = 1;
        for (j, c) in text[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&text[start..start + j]);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    None
}

impl Env<'_> {
    fn home(&self) -> String {
        self.shell.var("HOME").filter(|h| !h.is_empty()).unwrap_or("/root").trim_end_matches('/').to_string()
    }

    fn cwd_name(&self) -> String {
        self.shell.cwd.rsplit('/').find(|n| !n.is_empty()).unwrap_or("app").to_string()
    }

    /// A project file at `path`: its text, `Ok(None)` when the files are partly unknown and
    /// it is not known, or the tool's failure.
    fn project_file(&mut self, path: &str, missing: &str, status: i32) -> Result<Option<String>, i32> {
        match read_text(self.shell, &self.shell.abs(path)) {
            Some(text) => Ok(Some(text)),
            None if self.shell.partial || self.shell.fs.stat(&self.shell.abs(path)).is_some() => Ok(None),
            None => {
                self.io.stderr.extend_from_slice(format!("{missing}\n").as_bytes());
                Err(status)
            }
        }
    }

    /// An output of a build, of estimated size, as the user.
    fn output(&mut self, path: &str, size: u64, tool: &str, mode: u32) -> Option<()> {
        let path = self.shell.abs(path);
        self.synthetic(&path, size, &format!("{tool} output {path}"), mode).ok()
    }

    /// A cache a tool downloads into (dependencies), of estimated size.
    fn download_cache(&mut self, dir: &str, size: u64, tool: &str) -> Option<()> {
        let path = format!("{}/.stagecraft-{tool}-downloads", dir.trim_end_matches('/'));
        self.synthetic(&path, size, &format!("{tool} downloads"), 0o644).ok()
    }

    /// Runs a build-tool model; `None` when `applet` is not one.
    pub(crate) fn build_tool(&mut self, applet: &str, args: &[String]) -> Option<i32> {
        let status = match applet {
            "mvn" | "mvnw" => self.maven(args),
            "gradle" | "gradlew" => self.gradle(args),
            "dotnet" => self.dotnet(args),
            // tonistiigi/xx's wrapper builds for the target (here the platform simulated).
            "cargo" | "xx-cargo" if !args.iter().any(|a| a == "--print-target-triple") => self.cargo(args),
            "tsc" => self.tsc(args),
            // Nest builds with tsc over tsconfig.build.json.
            "nest" if args.first().is_some_and(|a| a == "build") => {
                let config = if self.shell.fs.stat(&self.shell.abs("tsconfig.build.json")).is_some() {
                    "tsconfig.build.json"
                } else {
                    "tsconfig.json"
                };
                self.tsc(&["-p".to_string(), config.to_string()])
            }
            _ => return self.system_tool(applet, args),
        }?;
        Some(status)
    }

    /// `mvn [-f POM] GOAL...`: `package`, `install`, `verify` write
    /// `target/<finalName or artifactId-version>.<packaging>` for the project and each module;
    /// every goal fills the local repository (`~/.m2/repository`).
    fn maven(&mut self, args: &[String]) -> Option<i32> {
        let pom = opt(args, &["-f", "--file"]).unwrap_or_else(|| "pom.xml".into());
        let pom = if pom.ends_with(".xml") { pom } else { format!("{}/pom.xml", pom.trim_end_matches('/')) };
        let goals = operands(args, &["-f", "--file", "-pl", "--projects", "-P", "-s", "--settings", "-T"]);
        if goals.is_empty() || args.iter().any(|a| a == "-v" || a == "--version") {
            self.shell.model("mvn without a goal prints its version or help");
            return Some(0);
        }
        let text = match self.project_file(
            &pom,
            "[ERROR] The goal you specified requires a project to execute but there is no POM in this directory. Please verify you invoked Maven from the correct project directory.",
            1,
        ) {
            Ok(t) => t,
            Err(status) => return Some(status),
        };
        let dir = self.shell.abs(&pom).rsplit_once('/').map_or_else(|| "/".into(), |(d, _)| d.to_string());
        let packages = goals.iter().any(|g| matches!(*g, "package" | "install" | "verify" | "deploy"));
        if goals.contains(&"clean") {
            let _ = self.shell.fs.remove(&format!("{dir}/target"));
        }
        if packages {
            self.maven_package(&dir, text.as_deref(), 0)?;
        }
        let repo = args
            .iter()
            .find_map(|a| a.strip_prefix("-Dmaven.repo.local="))
            .map_or_else(|| format!("{}/.m2/repository", self.home()), ToString::to_string);
        self.download_cache(&repo, 40_000_000, "maven")?;
        self.shell.model("mvn downloads dependencies and compiles: the artifacts' names come from the POM, their sizes are estimated (the local repository as one 40 MB file)");
        Some(0)
    }

    fn maven_package(&mut self, dir: &str, pom: Option<&str>, depth: u32) -> Option<()> {
        let Some(pom) = pom else {
            let name = dir.rsplit('/').next().unwrap_or("app").to_string();
            return self.output(&format!("{dir}/target/{name}.jar"), 5_000_000, "mvn", 0o644);
        };
        let own = xml_without(&xml_without(&xml_without(pom, "parent"), "dependencies"), "plugins");
        let own = xml_without(&xml_without(&own, "dependencyManagement"), "profiles");
        let packaging = xml_tag(&own, "packaging").unwrap_or("jar");
        if packaging != "pom" {
            let artifact = xml_tag(&own, "artifactId").unwrap_or("app");
            // A version inherited from the parent.
            let version = xml_tag(&own, "version")
                .or_else(|| xml_tag(pom, "parent").and_then(|p| xml_tag(p, "version")))
                .unwrap_or("1.0");
            let name = xml_tag(&own, "finalName").map_or_else(|| format!("{artifact}-{version}"), ToString::to_string);
            let name = name.replace("${project.artifactId}", artifact).replace("${project.version}", version);
            self.output(&format!("{dir}/target/{name}.{packaging}"), 5_000_000, "mvn", 0o644)?;
            self.shell.fs.mkdir_all(&format!("{dir}/target/classes"), crate::fs::Meta::DIR).ok()?;
        }
        if depth < 4 {
            let modules = xml_tag(&own, "modules").unwrap_or("").to_string();
            let mut seen: Vec<String> = Vec::new();
            for module in modules.split("<module>").skip(1).filter_map(|m| m.split("</module>").next()) {
                // Maven refuses a module listed twice or one that is the project itself.
                let sub = crate::dockerignore::clean(&format!("{dir}/{}", module.trim()));
                if sub == dir || seen.contains(&sub) || seen.len() >= 64 {
                    continue;
                }
                seen.push(sub.clone());
                let text = read_text(self.shell, &format!("{sub}/pom.xml"));
                self.maven_package(&sub, text.as_deref(), depth + 1)?;
            }
        }
        Some(())
    }

    /// `gradle TASK...` (or `./gradlew`): `build`, `assemble`, `jar`, `bootJar` write
    /// `build/libs/<name>-<version>.jar` (the name from `settings.gradle`, the version and an
    /// `archiveFileName` from the build script); `installDist` a distribution; every task fills
    /// the Gradle user home.
    fn gradle(&mut self, args: &[String]) -> Option<i32> {
        let tasks = operands(args, &["-p", "--project-dir", "-b", "--build-file", "-x", "--exclude-task", "-P", "-D"]);
        let dir = opt(args, &["-p", "--project-dir"]).map_or_else(|| self.shell.cwd.clone(), |d| self.shell.abs(&d));
        let dir = dir.trim_end_matches('/').to_string();
        let read = |env: &Self, names: &[&str]| names.iter().find_map(|n| read_text(env.shell, &format!("{dir}/{n}")));
        let settings = read(self, &["settings.gradle", "settings.gradle.kts"]).unwrap_or_default();
        let build = match read(self, &["build.gradle", "build.gradle.kts"]) {
            Some(b) => b,
            None if self.shell.partial || !settings.is_empty() => String::new(),
            None if tasks.iter().any(|t| matches!(*t, "build" | "assemble" | "jar" | "bootJar")) => {
                self.io.stderr.extend_from_slice(
                    format!("FAILURE: Build failed with an exception.\n* What went wrong:\nTask '{}' not found in root project '{}'.\n", tasks[0], dir.rsplit('/').next().unwrap_or("")).as_bytes(),
                );
                return Some(1);
            }
            None => String::new(),
        };
        let name = assigned(&settings, "rootProject.name").map_or_else(|| self.cwd_name(), ToString::to_string);
        let version = assigned(&build, "\nversion").or_else(|| assigned(&build, "version =")).unwrap_or("");
        let stem = if version.is_empty() { name.clone() } else { format!("{name}-{version}") };
        let spring = build.contains("org.springframework.boot");
        let excluded = |task: &str| args.windows(2).any(|w| (w[0] == "-x" || w[0] == "--exclude-task") && w[1] == task);
        let archive = |task: &str| -> Option<Option<String>> {
            match block(&build, task) {
                Some(b) if b.contains("enabled = false") || b.contains("enabled.set(false)") => None,
                Some(b) => Some(assigned(b, "archiveFileName").map(ToString::to_string)),
                None => Some(None),
            }
        };
        let mut jars: Vec<String> = Vec::new();
        for task in &tasks {
            let task = task.rsplit(':').next().unwrap_or(task);
            match task {
                "clean" => {
                    let _ = self.shell.fs.remove(&format!("{dir}/build"));
                }
                "build" | "assemble" | "jar" | "bootJar" | "shadowJar" => {
                    if task != "bootJar"
                        && task != "shadowJar"
                        && !excluded("jar")
                        && let Some(file) = archive("jar")
                    {
                        let plain = if spring { "-plain" } else { "" };
                        jars.push(file.unwrap_or_else(|| format!("{stem}{plain}.jar")));
                    }
                    if (task == "bootJar" || (spring && task != "jar" && task != "shadowJar"))
                        && !excluded("bootJar")
                        && let Some(file) = archive("bootJar")
                    {
                        jars.push(file.unwrap_or_else(|| format!("{stem}.jar")));
                    }
                    if task == "shadowJar" {
                        jars.push(format!("{stem}-all.jar"));
                    }
                }
                "installDist" => {
                    self.output(&format!("{dir}/build/install/{name}/bin/{name}"), 6_000, "gradle", 0o755)?;
                    self.output(&format!("{dir}/build/install/{name}/lib/{stem}.jar"), 5_000_000, "gradle", 0o644)?;
                }
                _ => {}
            }
        }
        jars.dedup();
        for jar in jars {
            // A Spring Boot jar carries its dependencies.
            let size = if spring { 20_000_000 } else { 2_000_000 };
            self.output(&format!("{dir}/build/libs/{jar}"), size, "gradle", 0o644)?;
        }
        let home =
            self.shell.var("GRADLE_USER_HOME").map_or_else(|| format!("{}/.gradle", self.home()), ToString::to_string);
        self.download_cache(&format!("{home}/caches"), 60_000_000, "gradle")?;
        self.shell.model("gradle downloads dependencies and compiles: the jars' names come from the build scripts, their sizes are estimated (its caches as one 60 MB file)");
        Some(0)
    }
}

impl Env<'_> {
    /// `dotnet restore|build|publish|test|tool install|...` over the project named or the one
    /// `*.csproj`/`*.fsproj`/`*.sln` in the working directory: `publish -o DIR` writes the
    /// assembly, its `.pdb`, `.deps.json`, `.runtimeconfig.json`, the app host and the
    /// project's `appsettings*.json` and `wwwroot`.
    fn dotnet(&mut self, args: &[String]) -> Option<i32> {
        let Some(sub) = args.first().map(String::as_str) else { return Some(0) };
        let rest = &args[1..];
        let valued = [
            "-o",
            "--output",
            "-c",
            "--configuration",
            "-r",
            "--runtime",
            "-a",
            "--arch",
            "-f",
            "--framework",
            "-v",
            "--verbosity",
            "-s",
            "--source",
            "--os",
        ];
        if !matches!(sub, "restore" | "build" | "publish" | "test" | "pack") {
            return self.declared("dotnet", args);
        }
        // The project: the operand, a directory's project, or the working directory's.
        let named = operands(rest, &valued).first().map(|p| self.shell.abs(p));
        let project = match named {
            Some(p) if p.ends_with("proj") || p.ends_with(".sln") => Some(p),
            other => {
                let dir = other.unwrap_or_else(|| self.shell.cwd.clone());
                let found: Vec<String> = self
                    .shell
                    .fs
                    .stat(&dir)
                    .and_then(|e| {
                        e.as_dir().map(|d| {
                            d.iter()
                                .map(|(n, _)| n.to_string())
                                .filter(|n| n.ends_with(".csproj") || n.ends_with(".fsproj") || n.ends_with(".vbproj"))
                                .collect()
                        })
                    })
                    .unwrap_or_default();
                match found.as_slice() {
                    [one] => Some(format!("{}/{one}", dir.trim_end_matches('/'))),
                    _ if self.shell.partial => None,
                    _ => {
                        self.io.stderr.extend_from_slice(b"MSBUILD : error MSB1003: Specify a project or solution file. The current working directory does not contain a project or solution file.\n");
                        return Some(1);
                    }
                }
            }
        };
        // The projects a solution lists.
        let mut projects: Vec<String> = Vec::new();
        match &project {
            Some(sln) if sln.ends_with(".sln") => {
                let dir = sln.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                for line in read_text(self.shell, sln).unwrap_or_default().lines().filter(|l| l.starts_with("Project("))
                {
                    if let Some(path) = line.split('"').nth(5).filter(|p| p.ends_with("proj")) {
                        projects.push(format!("{dir}/{}", path.replace('\\', "/")));
                    }
                }
            }
            Some(p) => projects.push(p.clone()),
            None => {}
        }
        let home = self.home();
        if !rest.iter().any(|a| a == "--no-restore") {
            self.download_cache(&format!("{home}/.nuget/packages"), 30_000_000, "nuget")?;
        }
        let configuration = opt(rest, &["-c", "--configuration"])
            .unwrap_or_else(|| if sub == "publish" { "Release".into() } else { "Debug".into() });
        let output = opt(rest, &["-o", "--output"]).map(|o| self.shell.abs(&o));
        if projects.is_empty() {
            let name = self.cwd_name();
            projects.push(format!("{}/{name}.csproj", self.shell.cwd.trim_end_matches('/')));
        }
        for path in projects {
            let text = read_text(self.shell, &path).unwrap_or_default();
            let dir = path.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
            let stem = path.rsplit('/').next().unwrap_or("app").rsplit_once('.').map_or("app", |(s, _)| s);
            let name = xml_tag(&text, "AssemblyName").unwrap_or(stem).to_string();
            let framework = xml_tag(&text, "TargetFramework")
                .or_else(|| xml_tag(&text, "TargetFrameworks").and_then(|f| f.split(';').next()))
                .unwrap_or("net8.0")
                .to_string();
            let obj = format!("{dir}/obj/project.assets.json");
            self.output(&obj, 60_000, "dotnet restore", 0o644)?;
            if sub == "restore" {
                continue;
            }
            let out = output.clone().unwrap_or_else(|| {
                let publish = if sub == "publish" { "/publish" } else { "" };
                format!("{dir}/bin/{configuration}/{framework}{publish}")
            });
            let library = text.contains("<OutputType>Library</OutputType>") || sub == "pack";
            self.output(&format!("{out}/{name}.dll"), 40_000, "dotnet", 0o644)?;
            self.output(&format!("{out}/{name}.pdb"), 20_000, "dotnet", 0o644)?;
            self.output(&format!("{out}/{name}.deps.json"), 2_000, "dotnet", 0o644)?;
            if !library {
                self.output(&format!("{out}/{name}.runtimeconfig.json"), 300, "dotnet", 0o644)?;
                if !text.contains("<UseAppHost>false</UseAppHost>")
                    && !rest.iter().any(|a| a.contains("UseAppHost=false"))
                {
                    self.output(&format!("{out}/{name}"), 72_000, "dotnet", 0o755)?;
                }
            }
            // Content files of web projects come along as they are.
            if sub == "publish" && text.contains("Microsoft.NET.Sdk.Web") {
                for (from, entry) in self.shell.fs.walk(&dir) {
                    // The walk names entries by their resolved paths.
                    let Some(rel) = from.strip_prefix(dir.as_str()) else { continue };
                    let base = rel.rsplit('/').next().unwrap_or("");
                    let content = (base.starts_with("appsettings")
                        && base.ends_with(".json")
                        && !rel.get(1..).unwrap_or("").contains('/'))
                        || rel.starts_with("/wwwroot/");
                    if content && matches!(entry.node, Node::File { .. }) {
                        let to = format!("{out}{rel}");
                        let parent = to.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
                        let _ = self.shell.fs.mkdir_all(&parent, crate::fs::Meta::DIR);
                        let _ = self.shell.fs.insert(&to, entry);
                    }
                }
            }
        }
        self.shell.model(&format!(
            "dotnet {sub} downloads packages and compiles: file names come from the project, sizes are estimated"
        ));
        Some(0)
    }

    /// `cargo build|install|chef cook`: binaries at `target/[TRIPLE/]PROFILE/<name>`, names
    /// from `Cargo.toml` (`[[bin]]` names, or the package's); other uses are in the table.
    fn cargo(&mut self, args: &[String]) -> Option<i32> {
        let valued = [
            "-p",
            "--package",
            "--bin",
            "--target",
            "--profile",
            "--manifest-path",
            "--features",
            "-F",
            "-j",
            "--root",
            "--config",
            "--target-dir",
            "--recipe-path",
        ];
        let words = operands(args, &valued);
        let Some(&sub) = words.first() else { return self.declared("cargo", args) };
        let install_crates = sub == "install" && opt(args, &["--path"]).is_none() && words.len() > 1;
        if !(matches!(sub, "build" | "install" | "auditable") || sub == "chef" && words.get(1) == Some(&"cook"))
            || install_crates
        {
            return self.declared("cargo", args);
        }
        let manifest = self.shell.abs(&opt(args, &["--manifest-path"]).unwrap_or_else(|| "Cargo.toml".into()));
        let dir = manifest.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let Some(toml) = read_text(self.shell, &manifest).or_else(|| self.shell.partial.then(String::new)) else {
            let line = format!("error: could not find `Cargo.toml` in `{dir}` or any parent directory\n");
            self.io.stderr.extend_from_slice(line.as_bytes());
            return Some(101);
        };
        // The binaries: `--bin`, the `[[bin]]` names, `-p`, the package's name.
        let mut bins: Vec<String> = opt(args, &["--bin"]).into_iter().collect();
        let mut section = "";
        for line in toml.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line;
            } else if let Some(v) = line.strip_prefix("name").map(str::trim_start).and_then(|v| v.strip_prefix('='))
                && (section == "[[bin]]" || section == "[package]")
                && opt(args, &["--bin"]).is_none()
            {
                bins.push(format!("{section}{}", v.trim().trim_matches('"')));
            }
        }
        let named: Vec<String> =
            bins.iter().filter_map(|b| b.strip_prefix("[[bin]]").map(ToString::to_string)).collect();
        let bins: Vec<String> = if !named.is_empty() {
            named
        } else if let Some(p) = opt(args, &["-p", "--package"]) {
            vec![p]
        } else {
            let package = bins.iter().find_map(|b| b.strip_prefix("[package]").map(ToString::to_string));
            vec![
                package
                    .or_else(|| opt(args, &["--bin"]))
                    .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or("app").to_string()),
            ]
        };
        let release = args.iter().any(|a| a == "--release" || a == "-r") || sub == "install";
        let profile = opt(args, &["--profile"])
            .filter(|p| p != "dev")
            .unwrap_or_else(|| if release { "release" } else { "debug" }.into());
        let target = opt(args, &["--target-dir"])
            .or_else(|| self.shell.var("CARGO_TARGET_DIR").map(ToString::to_string))
            .unwrap_or_else(|| format!("{dir}/target"));
        let triple = opt(args, &["--target"]).map(|t| format!("/{t}")).unwrap_or_default();
        let out = format!("{}{triple}/{profile}", self.shell.abs(&target));
        let home = self.shell.var("CARGO_HOME").map_or_else(|| format!("{}/.cargo", self.home()), ToString::to_string);
        if sub == "chef" {
            self.output(&format!("{out}/.stagecraft-dependencies"), 150_000_000, "cargo chef cook", 0o644)?;
        }
        for bin in bins.iter().filter(|_| sub != "chef") {
            let wasm = if triple.contains("wasm") { ".wasm" } else { "" };
            let path = if sub == "install" {
                format!("{}/bin/{bin}", opt(args, &["--root"]).unwrap_or_else(|| home.clone()))
            } else {
                format!("{out}/{bin}{wasm}")
            };
            self.output(&path, 8_000_000, "cargo", 0o755)?;
        }
        self.download_cache(&format!("{home}/registry"), 80_000_000, "cargo")?;
        self.shell.model("cargo downloads crates and compiles: binary names come from Cargo.toml, sizes are estimated (8 MB each; the registry as one 80 MB file)");
        Some(0)
    }
}

impl Env<'_> {
    /// `tsc [-p CONFIG] [--outDir DIR]`: one `.js` (and `.d.ts`, `.js.map` as configured) per
    /// TypeScript source under the configuration's `include` (or the project directory), placed
    /// under `outDir` relative to `rootDir`.
    fn tsc(&mut self, args: &[String]) -> Option<i32> {
        if args.iter().any(|a| a == "--noEmit" || a == "-v" || a == "--version") {
            self.shell.model("tsc without output checks types only");
            return Some(0);
        }
        let config = opt(args, &["-p", "--project", "-b", "--build"]).unwrap_or_else(|| "tsconfig.json".into());
        let config = self.shell.abs(&config);
        let config = if self.shell.fs.stat(&config).is_some_and(|e| e.is_dir()) {
            format!("{config}/tsconfig.json")
        } else {
            config
        };
        let dir = config.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
        let options = match read_text(self.shell, &config) {
            Some(text) => match crate::json::parse(&strip_jsonc(&text)) {
                Ok(v) => v,
                Err(e) => {
                    self.io.stdout.extend_from_slice(
                        format!("{config}: error TS5083: Cannot read file: {}\n", e.message).as_bytes(),
                    );
                    return Some(1);
                }
            },
            None if self.shell.partial => crate::json::Value::Null,
            None => {
                self.io
                    .stdout
                    .extend_from_slice(b"error TS5058: The specified path does not exist: 'tsconfig.json'.\n");
                return Some(1);
            }
        };
        let field = |v: &crate::json::Value, key: &str| -> Option<crate::json::Value> {
            match v {
                crate::json::Value::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
                _ => None,
            }
        };
        let string = |v: Option<crate::json::Value>| match v {
            Some(crate::json::Value::String(s)) => Some(s),
            _ => None,
        };
        let compiler = field(&options, "compilerOptions").unwrap_or(crate::json::Value::Null);
        let flag = |key: &str| matches!(field(&compiler, key), Some(crate::json::Value::Bool(true)));
        if flag("noEmit") {
            self.shell.model("tsc with noEmit checks types only");
            return Some(0);
        }
        let join = |d: &str, p: &str| {
            if p.starts_with('/') {
                p.to_string()
            } else {
                crate::dockerignore::clean(&format!("{d}/{}", p.trim_start_matches("./")))
            }
        };
        let out_dir = opt(args, &["--outDir"])
            .map(|o| self.shell.abs(&o))
            .or_else(|| string(field(&compiler, "outDir")).map(|o| join(&dir, &o)));
        let includes: Vec<String> = match field(&options, "include") {
            Some(crate::json::Value::Array(items)) => items
                .into_iter()
                .filter_map(|i| string(Some(i)))
                .map(|i| join(&dir, i.split(['*', '{']).next().unwrap_or("").trim_end_matches('/')))
                .collect(),
            _ => vec![dir.clone()],
        };
        let mut sources: Vec<(String, u64)> = Vec::new();
        for root in &includes {
            for (path, entry) in self.shell.fs.walk(root) {
                let ts = (path.ends_with(".ts") || path.ends_with(".tsx") || path.ends_with(".mts"))
                    && !path.ends_with(".d.ts");
                let skipped = path.contains("/node_modules/")
                    || out_dir.as_ref().is_some_and(|o| path.starts_with(&format!("{o}/")));
                if ts
                    && !skipped
                    && let Node::File { content, .. } = &entry.node
                {
                    sources.push((path, content.size()));
                }
            }
        }
        if sources.is_empty() && !self.shell.partial {
            self.io.stdout.extend_from_slice(
                format!("error TS18003: No inputs were found in config file '{config}'.\n").as_bytes(),
            );
            return Some(2);
        }
        // rootDir: as configured, or the sources' longest common directory.
        let root = string(field(&compiler, "rootDir")).map_or_else(
            || {
                let mut common = sources
                    .first()
                    .map_or(dir.clone(), |(p, _)| p.rsplit_once('/').map_or("/", |(d, _)| d).to_string());
                for (p, _) in &sources {
                    while !p.starts_with(&format!("{common}/")) && common.len() > 1 {
                        common = common
                            .rsplit_once('/')
                            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d })
                            .to_string();
                    }
                }
                common
            },
            |r| join(&dir, &r),
        );
        for (path, size) in sources {
            let rel = path.strip_prefix(&root).unwrap_or(&path);
            let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
            let ext = if path.ends_with(".mts") { "mjs" } else { "js" };
            let base = out_dir.clone().map_or_else(|| format!("{root}{stem}"), |o| format!("{o}{stem}"));
            self.output(&format!("{base}.{ext}"), size, "tsc", 0o644)?;
            if flag("declaration") {
                self.output(&format!("{base}.d.ts"), size / 4 + 1, "tsc", 0o644)?;
            }
            if flag("sourceMap") {
                self.output(&format!("{base}.{ext}.map"), size / 2 + 1, "tsc", 0o644)?;
            }
        }
        self.shell.model("tsc compiles TypeScript: one file per source where tsc puts it, its content not known (its size taken as the source's)");
        Some(0)
    }
}

/// JSON with comments and trailing commas (as `tsconfig.json` allows) made strict JSON.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            ('}' | ']', _) => {
                // A trailing comma before it goes.
                let kept = out.trim_end().len();
                if out[..kept].ends_with(',') {
                    out.truncate(kept - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}
