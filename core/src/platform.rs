//! Platforms (`linux/amd64`, `linux/arm64/v8`), parsed and normalised as containerd's
//! `platforms` package does, which BuildKit uses for `--platform` and the automatic
//! `TARGETPLATFORM`/`BUILDPLATFORM` arguments.

use serde::Serialize;

/// An OS, architecture and optional variant, normalised.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: String,
}

impl Platform {
    /// `linux/amd64`: the build platform when the caller does not say otherwise.
    #[must_use]
    pub fn linux_amd64() -> Self {
        Self { os: "linux".into(), architecture: "amd64".into(), variant: String::new() }
    }

    /// The host's platform, from Rust's target names (`std::env::consts`), for the adapters.
    #[must_use]
    pub fn from_rust_target(os: &str, arch: &str) -> Self {
        let os = match os {
            "macos" => "darwin",
            other => other,
        };
        let arch = match arch {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            "arm" => "arm",
            other => other,
        };
        let (architecture, variant) = normalize_arch(arch, "");
        Self { os: os.into(), architecture, variant }
    }

    /// containerd's `platforms.Parse`: `os`, `arch`, `os/arch` or `os/arch/variant`, where a
    /// lone OS or architecture takes the rest from `default`.
    pub fn parse(specifier: &str, default: &Platform) -> Result<Self, String> {
        if specifier.contains('*') {
            return Err(format!("{}: wildcards not yet supported: invalid argument", crate::gostr::quote(specifier)));
        }
        let lower = crate::gostr::to_lower(specifier);
        let parts: Vec<&str> = lower.split('/').collect();
        let valid = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        for p in &parts {
            if !valid(p) {
                return Err(format!(
                    "{}: invalid path component {}: must match ^[A-Za-z0-9_-]+$: invalid argument",
                    crate::gostr::quote(specifier),
                    crate::gostr::quote(p)
                ));
            }
        }
        let unknown = || {
            format!("{}: unknown operating system or architecture: invalid argument", crate::gostr::quote(specifier))
        };
        match parts.as_slice() {
            [one] => {
                if is_known_os(one) {
                    let os = normalize_os(one);
                    let (architecture, variant) = (default.architecture.clone(), default.variant.clone());
                    return Ok(Self { os, architecture, variant });
                }
                if is_known_arch(one) {
                    let (architecture, variant) = normalize_arch(one, "");
                    return Ok(Self { os: default.os.clone(), architecture, variant });
                }
                Err(unknown())
            }
            [os, arch] => {
                let (architecture, variant) = normalize_arch(arch, "");
                Ok(Self { os: normalize_os(os), architecture, variant })
            }
            [os, arch, variant] => {
                let (architecture, variant) = normalize_arch(arch, variant);
                Ok(Self { os: normalize_os(os), architecture, variant })
            }
            _ => Err(format!("{}: cannot parse platform specifier: invalid argument", crate::gostr::quote(specifier))),
        }
    }

    /// containerd's `platforms.Format`: `os/arch[/variant]`.
    #[must_use]
    pub fn format(&self) -> String {
        if self.variant.is_empty() {
            format!("{}/{}", self.os, self.architecture)
        } else {
            format!("{}/{}/{}", self.os, self.architecture, self.variant)
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

fn is_known_os(os: &str) -> bool {
    matches!(
        os,
        "aix"
            | "android"
            | "darwin"
            | "macos"
            | "dragonfly"
            | "freebsd"
            | "hurd"
            | "illumos"
            | "ios"
            | "js"
            | "linux"
            | "nacl"
            | "netbsd"
            | "openbsd"
            | "plan9"
            | "solaris"
            | "wasip1"
            | "windows"
            | "zos"
    )
}

fn is_known_arch(arch: &str) -> bool {
    matches!(
        arch,
        "386"
            | "amd64"
            | "amd64p32"
            | "arm"
            | "armbe"
            | "arm64"
            | "arm64be"
            | "loong64"
            | "mips"
            | "mipsle"
            | "mips64"
            | "mips64le"
            | "mips64p32"
            | "mips64p32le"
            | "ppc"
            | "ppc64"
            | "ppc64le"
            | "riscv"
            | "riscv64"
            | "s390"
            | "s390x"
            | "sparc"
            | "sparc64"
            | "wasm"
            | "i386"
            | "x86_64"
            | "x86-64"
            | "aarch64"
            | "armhf"
            | "armel"
    )
}

fn normalize_os(os: &str) -> String {
    match os {
        "macos" => "darwin".into(),
        other => other.into(),
    }
}

/// containerd's `normalizeArch`.
fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    match arch {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => ("amd64".into(), if variant == "v1" { String::new() } else { variant.into() }),
        "aarch64" | "arm64" => {
            let v = match variant {
                "8" | "v8" | "v8.0" => String::new(),
                "9" | "9.0" | "v9.0" => "v9".into(),
                v if v.starts_with(|c: char| c.is_ascii_digit()) => format!("v{v}"),
                v => v.into(),
            };
            ("arm64".into(), v)
        }
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let v = match variant {
                "" | "7" => "v7".into(),
                "5" | "6" | "8" => format!("v{variant}"),
                v => v.into(),
            };
            ("arm".into(), v)
        }
        other => (other.into(), variant.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_containerd() {
        let host = Platform::linux_amd64();
        assert_eq!(Platform::parse("linux/arm64/v8", &host).unwrap().format(), "linux/arm64");
        assert_eq!(Platform::parse("linux/arm", &host).unwrap().format(), "linux/arm/v7");
        assert_eq!(Platform::parse("arm64", &host).unwrap().format(), "linux/arm64");
        assert_eq!(Platform::parse("windows", &host).unwrap().format(), "windows/amd64");
        assert_eq!(Platform::parse("Linux/AMD64", &host).unwrap().format(), "linux/amd64");
        assert_eq!(Platform::parse("darwin/ppc64le", &host).unwrap().format(), "darwin/ppc64le");
        assert!(Platform::parse("linux/amd 64", &host).is_err());
        assert!(Platform::parse("bogus", &host).is_err());
    }
}
