//! Tool models declared as data: what a tool writes, read from a table rather than coded
//! one by one. A table of text costs the browser build a fraction of what the same models
//! cost as code, and adding a tool is adding a line.
//!
//! Each line of [`TABLE`] is `TOOLS WHEN: OP; OP; ...`:
//! - `TOOLS`: names separated by `|`;
//! - `WHEN`: `*` (any use), `a|b` (the first operand is one of these: a subcommand), `-x|--y`
//!   (one of these options is given), or `~TEXT` (an argument contains TEXT); the first line
//!   that matches is the model, and when one of its paths cannot be made (an option it needs is
//!   missing) the next line is tried;
//! - `OP`: `w PATH SIZE` a file of unknown content (0644); `x PATH SIZE` the same, executable;
//!   `k PATH SIZE` the same, private (0600); `t PATH TEXT` a file of this text (`\n` for a
//!   newline); `d PATH` removed; `u PATH` rewritten, its content unknown, its size kept; `o
//!   TEXT` printed; `l PATH TARGET` a symbolic link; `s` a stream of unknown bytes printed; `i DB` the operands installed as
//!   packages and recorded in the database file DB; `p` the files are partly unknown from here
//!   on; `n NOTE` what the model estimates (a default note otherwise).
//!
//! An op whose text names `{op}` (an operand after the subcommand) or `{base}` (its file name
//! without the extension) runs once for each operand. The other templates: `{cwd}`, `{home}`,
//! `{tool}`, `{sub}`, `{name}` (the working directory's name), `{o:-x|--y=DEFAULT}` (an option's
//! value), `{e:VAR=DEFAULT}` (a variable), `{phpext}` (PHP's extension directory), `{zend}`
//! (`zend_` for the PHP extensions that are Zend extensions), `{mixapp}` (the app `mix.exs`
//! names). Sizes are estimates, in bytes.

use super::builds::operands;
use super::utils::{Env, read_text};
use crate::fs::{Content, Entry, Meta};

/// The models. See the module's documentation for the form of a line.
const TABLE: &str = r"
gpg|gpg2 --dearmor|--dearmour|--export|--enarmor: w {o:-o|--output} 1200; n gpg writes a key: its bytes are not known
gpg|gpg2 --dearmor|--dearmour|--export|--enarmor: s; n gpg writes a key: its bytes are not known
gpg|gpg2 --recv-keys|--recv-key|--receive-keys|--import|--fetch-keys: w {e:GNUPGHOME={home}/.gnupg}/pubring.kbx 3000; n gpg fetches keys: the keyring's bytes are not known
gpg|gpg2|gpgv|gpgconf *: n gpg checks signatures here: they are taken to be good, as the real build went on
apt-key add|adv: w /etc/apt/trusted.gpg 2500; n apt-key adds a key: the keyring's bytes are not known
apt-key *: n apt-key changes no file the image is known to keep
dpkg --print-architecture: o amd64\n
dpkg -i|--install: i /var/lib/dpkg/status
dpkg-architecture ~MULTIARCH|~GNU_TYPE: o x86_64-linux-gnu\n
dpkg-architecture ~ARCH: o amd64\n
dnf|yum|microdnf|tdnf install|reinstall|groupinstall: w /var/lib/rpm/rpmdb.sqlite 5000000; i /var/lib/rpm/rpmdb.sqlite
dnf|yum|microdnf|tdnf update|upgrade|makecache|clean|remove|erase|autoremove|module|config-manager|check-update: n {tool} {sub} changes only what the package database records
conda|mamba|micromamba install|create|update|upgrade: w {e:CONDA_DIR=/opt/conda}/conda-meta/{op}.json 3000000; w {e:CONDA_DIR=/opt/conda}/pkgs/.stagecraft-cache 50000000; p; n {tool} installs packages from the network: 3 MB each, and a 50 MB cache
conda|mamba|micromamba env: w {e:CONDA_DIR=/opt/conda}/conda-meta/history 50000000; p; n {tool} makes an environment from the network: 50 MB
conda|mamba|micromamba clean: d {e:CONDA_DIR=/opt/conda}/pkgs; n {tool} clean empties the package cache
conda|mamba|micromamba config|init|info|list|shell|run|activate: n {tool} {sub} changes no file the image is known to keep
docker-php-ext-install|install-php-extensions *: x {phpext}/{op}.so 400000; t {e:PHP_INI_DIR=/usr/local/etc/php}/conf.d/docker-php-ext-{op}.ini {zend}extension={op}\n; n {tool} compiles PHP extensions: each .so is about 400 kB
docker-php-ext-enable *: t {e:PHP_INI_DIR=/usr/local/etc/php}/conf.d/docker-php-ext-{op}.ini {zend}extension={op}\n
pecl install: x {phpext}/{op}.so 400000; n pecl compiles PHP extensions: each .so is about 400 kB
docker-php-ext-configure|pecl *: n {tool} configures the build of an extension
docker-php-source extract: w /usr/src/php/configure 3000000; p; n the PHP sources are unpacked: their files are not known
docker-php-source delete: d /usr/src/php
gem install: w {e:GEM_HOME=/usr/local/bundle}/gems/{op}/.stagecraft-gem 500000; p
bundle install: w {e:BUNDLE_PATH=/usr/local/bundle}/gems/.stagecraft-bundle 60000000; p
composer install|update|require: w {cwd}/vendor/autoload.php 30000000; p
pipx install: x {home}/.local/bin/{op} 300000
uv sync: w {cwd}/.venv/pyvenv.cfg 50000000; p
poetry install: w {cwd}/.venv/pyvenv.cfg 50000000; p
luarocks install|make: w /usr/local/lib/luarocks/rocks/.stagecraft-rocks 2000000; p
gem|bundle|composer|poetry|uv|pipx|luarocks config|lock|dump-autoload|clean|cache|update|--version: n {tool} {sub} changes no file the image is known to keep
ldconfig *: w /etc/ld.so.cache 20000; n ldconfig rebuilds the linker cache
update-ca-certificates|c_rehash *: w /etc/ssl/certs/ca-certificates.crt 220000; n {tool} rebuilds the certificate bundle
locale-gen *: w /usr/lib/locale/locale-archive 3000000; n locale-gen compiles locales
fc-cache *: w /var/cache/fontconfig/CACHEDIR.TAG 200; n fc-cache rebuilds the font cache
ssh-keygen -f: k {o:-f} 400; w {o:-f}.pub 100; n ssh-keygen makes a random key
setcap|update-mime-database|systemctl|update-rc.d|mandb|dpkg-reconfigure|chpasswd|passwd *: n {tool} changes what this simulation does not keep (capabilities, services, /etc/shadow dated by the build)
cc|gcc|g++|c++|clang|clang++|musl-gcc|as|ld -o: x {o:-o} 200000; n {tool} compiles: the output's size is estimated
cc|gcc|g++|c++|clang|clang++|musl-gcc -c: w {base}.o 20000; n {tool} compiles: the objects' sizes are estimated
cc|gcc|g++|c++|clang|clang++|musl-gcc *: x a.out 200000; n {tool} compiles: the output's size is estimated
strip|upx *: u {op}; n {tool} rewrites binaries: their new content is not known
unzip *: p; n unzip extracts an archive: its files are not known here
mix local.hex|local.rebar: w {home}/.mix/archives/{sub}.ez 1500000
mix deps.get: w {cwd}/deps/.stagecraft-deps 20000000
mix compile|deps.compile: w {cwd}/_build/{e:MIX_ENV=dev}/lib/{mixapp}/ebin/{mixapp}.app 1000
mix release: x {cwd}/_build/{e:MIX_ENV=dev}/rel/{mixapp}/bin/{mixapp} 6000; w {cwd}/_build/{e:MIX_ENV=dev}/rel/{mixapp}/lib/.stagecraft-libs 25000000
mix assets.deploy|phx.digest|assets.build|esbuild|tailwind: w {cwd}/priv/static/cache_manifest.json 3000
mix *: n mix {sub} runs Elixir tasks: no file the image is known to keep changes
vite|vue-cli-service|astro build: w {o:--outDir|--out-dir|--dest=dist}/index.html 1000; w {o:--outDir|--out-dir|--dest=dist}/assets/.stagecraft-bundle 300000
parcel *: w {o:--dist-dir=dist}/index.html 1000; w {o:--dist-dir=dist}/.stagecraft-bundle 300000
webpack *: w {o:-o|--output-path=dist}/main.js 300000
next build: w .next/BUILD_ID 21; w .next/server/.stagecraft-pages 2000000; w .next/static/.stagecraft-chunks 1000000; w .next/standalone/server.js 6000; w .next/standalone/.stagecraft-traced 20000000; n next build: .next and its standalone server (made when next.config asks for it) are estimated
react-scripts build: w build/index.html 700; w build/static/js/main.js 500000
ng build: w {o:--output-path=dist/{name}}/browser/index.html 1000; w {o:--output-path=dist/{name}}/browser/main.js 300000
nuxt build|generate: w .output/server/index.mjs 300000; w .output/public/.stagecraft-assets 500000
remix build: w build/index.js 100000; w public/build/.stagecraft-assets 300000
esbuild|rollup --outfile|-o|--file: w {o:--outfile|-o|--file} 200000
cargo install: x {e:CARGO_HOME={home}/.cargo}/bin/{op} 8000000; n cargo install compiles crates from the network: 8 MB each
cargo chef: w {o:--recipe-path=recipe.json} 5000; n cargo chef prepare writes the dependency recipe: its bytes are not known
cargo new|init: w {op}/Cargo.toml 100; w {op}/src/main.rs 45; n cargo new writes a manifest and a main.rs: their bytes are not written here
cargo fetch|vendor|test|check|clippy|fmt|doc|update|generate-lockfile|metadata|--version: w {e:CARGO_HOME={home}/.cargo}/registry/.stagecraft-cargo-downloads 80000000; n cargo {sub} fetches crates: the registry as one 80 MB file
dotnet tool: x {o:--tool-path={home}/.dotnet/tools}/{op} 80000; n dotnet tool install downloads the tool: its app host stands for it
dotnet help|--help|--info|--version|--list-sdks|--list-runtimes|nuget|dev-certs|workload|new|clean|format|add: n dotnet {sub} changes no file the image is known to keep here
python|python3 venv|virtualenv: t {op}/pyvenv.cfg home = /usr/local/bin\ninclude-system-site-packages = false\nversion = {e:PYTHON_VERSION=3.11}\n; l {op}/bin/python /usr/local/bin/python3; l {op}/bin/python3 python; x {op}/bin/pip 250; w {op}/lib/.stagecraft-site-packages 12000000; n python -m venv: the usual layout; pyvenv.cfg names /usr/local/bin as the base
python|python3 compileall|ensurepip: n python -m {sub}: byte-code caches are not written here
eslint|prettier|jest|vitest|mocha|stylelint|tslint|npm-run-all|concurrently *: n {tool} checks the sources: it writes nothing an image keeps
";

/// Options whose value is the next word, so that it is not taken for an operand.
const VALUED: [&str; 22] = [
    "-o",
    "-f",
    "-d",
    "-C",
    "-n",
    "-p",
    "-c",
    "-j",
    "-u",
    "-g",
    "-s",
    "-k",
    "--output",
    "--file",
    "--name",
    "--prefix",
    "--channel",
    "--path",
    "--jobs",
    "--ini-name",
    "--root",
    "--outDir",
];

impl Env<'_> {
    /// Runs the declared model of `tool`; `None` when no line of the table is for this use.
    pub(crate) fn declared(&mut self, tool: &str, args: &[String]) -> Option<i32> {
        let words = operands(args, &VALUED);
        let sub = words.first().copied().unwrap_or("");
        for line in TABLE.lines().filter(|l| !l.is_empty()) {
            let (head, ops) = line.split_once(": ")?;
            let (tools, when) = head.split_once(' ')?;
            if !tools.split('|').any(|t| t == tool) {
                continue;
            }
            let matches = when == "*"
                || when.split('|').any(|w| {
                    if let Some(text) = w.strip_prefix('~') {
                        args.iter().any(|a| a.contains(text))
                    } else if w.starts_with('-') {
                        args.iter().any(|a| a == w || a.split_once('=').is_some_and(|(k, _)| k == w))
                    } else {
                        w == sub
                    }
                });
            if !matches {
                continue;
            }
            // The operands after the subcommand (all of them when the line is for options).
            let each: Vec<&str> = if when == "*" || when.starts_with(['-', '~']) {
                words.clone()
            } else {
                words.iter().skip(1).copied().collect()
            };
            if let Some(status) = self.apply(tool, sub, ops, &each, args) {
                return Some(status);
            }
        }
        None
    }

    /// The ops of one line; `None` when a path cannot be made (the next line is tried).
    fn apply(&mut self, tool: &str, sub: &str, ops: &str, each: &[&str], args: &[String]) -> Option<i32> {
        // Every path first: a line whose option is missing changes nothing.
        let mut plan: Vec<(char, String, String)> = Vec::new();
        let mut note = None;
        for op in ops.split("; ") {
            let (kind, rest) = op.split_at(1);
            let rest = rest.trim_start();
            if kind == "n" {
                note = Some(self.template(rest, tool, sub, "", args)?);
                continue;
            }
            let per_operand = rest.contains("{op}") || rest.contains("{base}");
            let operands: &[&str] = if per_operand { each } else { &[""] };
            for operand in operands {
                let (target, value) = match kind {
                    "w" | "x" | "k" | "t" | "l" => rest.split_once(' ')?,
                    _ => (rest, ""),
                };
                let target = self.template(target, tool, sub, operand, args)?;
                let value = self.template(value, tool, sub, operand, args)?;
                plan.push((kind.chars().next()?, target, value));
            }
        }
        for (kind, target, value) in plan {
            let path = self.shell.abs(&target);
            match kind {
                'w' | 'x' | 'k' => {
                    let mode = match kind {
                        'x' => 0o755,
                        'k' => 0o600,
                        _ => 0o644,
                    };
                    self.synthetic(&path, value.parse().ok()?, &format!("{tool} {sub}: {path}"), mode).ok()?;
                }
                't' => {
                    let parent = path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
                    let _ = self.shell.fs.mkdir_all(parent, Meta::DIR);
                    let text = value.replace("\\n", "\n");
                    self.shell.fs.insert(&path, Entry::file(Content::bytes(text.into_bytes()), Meta::FILE)).ok()?;
                }
                'l' => {
                    let parent = path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
                    let _ = self.shell.fs.mkdir_all(parent, super::new_meta(self.shell, true));
                    let link = Meta::new(0o777, self.shell.uid, self.shell.gid);
                    self.shell.fs.insert(&path, Entry::symlink(value.as_str(), link)).ok()?;
                }
                'd' => {
                    let _ = self.shell.fs.remove(&path);
                }
                'u' => match self.shell.fs.stat(&path) {
                    Some(e) => {
                        let mode = e.meta.mode;
                        self.synthetic(&path, e.size(), &format!("{tool} of {path}"), mode).ok()?;
                    }
                    None if self.shell.partial => {}
                    None => return Some(self.fail(&format!("'{target}': No such file"))),
                },
                'o' => self.io.stdout.extend_from_slice(target.replace("\\n", "\n").as_bytes()),
                's' => self.io.unknown_out = Some(format!("the output of {tool}")),
                'i' => {
                    let names: Vec<String> = each
                        .iter()
                        .map(|f| {
                            let base = f.rsplit('/').next().unwrap_or(f);
                            base.split(['_', '=', '<', '>']).next().unwrap_or(base).to_string()
                        })
                        .collect();
                    self.record_installed(&path, &names, tool);
                    self.install_packages(tool, &names);
                }
                'p' => self.shell.partial = true,
                _ => return None,
            }
        }
        let note =
            note.unwrap_or_else(|| format!("{tool} {sub} is modeled: the names are the tool's, the sizes estimates"));
        self.shell.model(&note);
        Some(0)
    }

    /// `text` with its templates filled; `None` when one cannot be (a missing option without
    /// a default).
    fn template(&self, text: &str, tool: &str, sub: &str, operand: &str, args: &[String]) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}')?;
            // A default may hold a template of its own (`{e:GNUPGHOME={home}/.gnupg}`).
            let end = if rest[start + 1..end].contains('{') { end + 1 + rest[end + 1..].find('}')? } else { end };
            let key = &rest[start + 1..end];
            let value = match key {
                "cwd" => self.shell.cwd.trim_end_matches('/').to_string(),
                "home" => self.shell.var("HOME").unwrap_or("/root").trim_end_matches('/').to_string(),
                "tool" => tool.to_string(),
                "sub" => sub.to_string(),
                "op" => operand.to_string(),
                "base" => {
                    let name = operand.rsplit('/').next().unwrap_or(operand);
                    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_string()
                }
                "name" => self.shell.cwd.rsplit('/').find(|n| !n.is_empty()).unwrap_or("app").to_string(),
                "zend" => if matches!(operand, "opcache" | "xdebug") { "zend_" } else { "" }.to_string(),
                "phpext" => self
                    .shell
                    .fs
                    .stat("/usr/local/lib/php/extensions")
                    .and_then(|e| {
                        e.as_dir()
                            .and_then(|d| d.iter().map(|(n, _)| n.to_string()).find(|n| n.starts_with("no-debug")))
                    })
                    .map_or_else(
                        || "/usr/local/lib/php/extensions/no-debug-non-zts-20230831".to_string(),
                        |d| format!("/usr/local/lib/php/extensions/{d}"),
                    ),
                "mixapp" => read_text(self.shell, &format!("{}/mix.exs", self.shell.cwd.trim_end_matches('/')))
                    .and_then(|t| {
                        let rest = t.split("app: :").nth(1)?;
                        let app: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                        (!app.is_empty()).then_some(app)
                    })
                    .unwrap_or_else(|| self.shell.cwd.rsplit('/').find(|n| !n.is_empty()).unwrap_or("app").to_string()),
                _ => {
                    let (kind, spec) = key.split_once(':')?;
                    let (names, default) = spec.split_once('=').map_or((spec, None), |(n, d)| (n, Some(d)));
                    let found = match kind {
                        "e" => self.shell.var(names).filter(|v| !v.is_empty()).map(ToString::to_string),
                        _ => super::builds::opt(args, &names.split('|').collect::<Vec<_>>()),
                    };
                    match (found, default) {
                        (Some(v), _) => v,
                        (None, Some(d)) => self.template(d, tool, sub, operand, args)?,
                        (None, None) => return None,
                    }
                }
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}
