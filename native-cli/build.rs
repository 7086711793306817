//! Embeds the base-image catalog (`core/catalog-data`: `index.json` and the listings it
//! names) into the binary, each listing deflated so that the binary stays small; the CLI
//! inflates only the listings a build needs.

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
    std::fs::write(out.join("catalog_data.rs"), table).expect("write OUT_DIR");
}
