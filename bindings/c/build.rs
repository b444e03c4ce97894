//! Generates `include/callroute.h` from the crate's source with cbindgen. The header is
//! committed; CI rebuilds it and fails when it differs from the committed one.

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).expect("cbindgen.toml");
    let header = format!("{dir}/include/callroute.h");
    cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("generate the C header")
        .write_to_file(header);
}
