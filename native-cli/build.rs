//! Embeds the base-image catalog (`core/catalog-data`: `index.json` and the listings it
//! names) into the binary, each listing deflated so that the binary stays small; the CLI
//! inflates only the listings a build needs. Embeds the built playground (`web/dist`, made by
//! `cargo xtask dist`) when it exists, for `stagecraft serve`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/catalog-data");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", data.display());
    let index = data.join("index.json");
    println!("cargo:rerun-if-changed={}", index.display());
    let text = std::fs::read_to_string(&index).expect("core/catalog-data/index.json");
    let images: Vec<serde_json::Value> = serde_json::from_str(&text).expect("index.json is a JSON array");
    let mut names: Vec<String> = images
        .iter()
        .flat_map(|i| i["layers"].as_array().expect("layers").iter().map(|l| l.as_str().expect("name").to_string()))
        .collect();
    names.sort();
    names.dedup();
    let mut table = String::from(
        "/// The catalog's listings by file name, deflated.\npub(crate) static LISTINGS: &[(&str, &[u8])] = &[\n",
    );
    for name in &names {
        let path = data.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&raw).expect("deflate");
        let packed = out.join(format!("{name}.deflate"));
        std::fs::write(&packed, z.finish().expect("deflate")).expect("write OUT_DIR");
        writeln!(table, "    ({name:?}, include_bytes!({:?})),", packed.display().to_string())
            .expect("write to a String");
    }
    table.push_str("];\n");
    writeln!(
        table,
        "/// `core/catalog-data/index.json`.\npub(crate) static INDEX: &str = include_str!({:?});",
        index.display().to_string()
    )
    .expect("write to a String");
    // The package catalog (`cargo xtask packages`), deflated too.
    let packages = data.join("packages/debian-bookworm.txt");
    println!("cargo:rerun-if-changed={}", packages.display());
    let raw = std::fs::read(&packages).unwrap_or_else(|e| panic!("{}: {e}", packages.display()));
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&raw).expect("deflate");
    let packed = out.join("debian-bookworm-packages.deflate");
    std::fs::write(&packed, z.finish().expect("deflate")).expect("write OUT_DIR");
    writeln!(
        table,
        "/// `core/catalog-data/packages/debian-bookworm.txt`, deflated.\npub(crate) static PACKAGES: &[u8] = include_bytes!({:?});",
        packed.display().to_string()
    )
    .expect("write to a String");
    std::fs::write(out.join("catalog_data.rs"), table).expect("write OUT_DIR");
    playground(&out);
}

/// `web/dist`'s files as `(path, bytes)`, empty when the playground was not built. `web/` is
/// watched when `dist` is missing, so that building it later rebuilds the CLI with it.
fn playground(out: &Path) {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    let dist = web.join("dist");
    let mut table = String::from(
        "/// The playground's files (`web/dist`), by path.\npub(crate) static PLAYGROUND: &[(&str, &[u8])] = &[\n",
    );
    if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
        let mut stack = vec![dist.clone()];
        let mut files = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read web/dist").filter_map(Result::ok) {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&dist).expect("under dist").to_string_lossy().replace('\\', "/");
            writeln!(table, "    ({rel:?}, include_bytes!({:?})),", file.display().to_string())
                .expect("write to a String");
        }
    } else {
        println!("cargo:rerun-if-changed={}", web.join("package.json").display());
        println!("cargo:rerun-if-changed={}", web.display());
    }
    table.push_str("];\n");
    std::fs::write(out.join("playground.rs"), table).expect("write OUT_DIR");
}
