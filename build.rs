//! Build script: generates the C header from `src/ffi` with the pinned cbindgen and checks it
//! against the checked-in `include/kmip_keystore.h` (a difference fails the build unless
//! `KMIP_KEYSTORE_UPDATE_HEADER=1`, which rewrites the checked-in header), and gives the shared
//! library (cdylib) its SONAME and its export list (linker version script).
//!
//! SONAME: `libkmip_keystore.so.MAJOR`, except while MAJOR is 0, where every minor release may
//! break the ABI (Cargo's semver rule for 0.x): then `libkmip_keystore.so.0.MINOR`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const HEADER: &str = "include/kmip_keystore.h";
const UPDATE_VAR: &str = "KMIP_KEYSTORE_UPDATE_HEADER";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    for path in [
        "src/ffi",
        "cbindgen.toml",
        HEADER,
        "Cargo.toml",
        "build.rs",
        "src/ffi/kmip_keystore.map",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed={UPDATE_VAR}");

    generate_header(&manifest_dir);
    link_shared_library(&manifest_dir);
}

/// The version macros, from Cargo's package version (never written by hand).
fn version_macros() -> String {
    let var = |name: &str| env::var(name).unwrap_or_else(|_| panic!("{name} is set by Cargo"));
    format!(
        "\n/** Major version of the kmip_keystore this header belongs to. */\n\
         #define KMIP_KEYSTORE_VERSION_MAJOR {}\n\
         /** Minor version of the kmip_keystore this header belongs to. */\n\
         #define KMIP_KEYSTORE_VERSION_MINOR {}\n\
         /** Patch version of the kmip_keystore this header belongs to. */\n\
         #define KMIP_KEYSTORE_VERSION_PATCH {}\n\
         /** The version as a string; kmip_version() returns the library's. */\n\
         #define KMIP_KEYSTORE_VERSION_STRING \"{}\"",
        var("CARGO_PKG_VERSION_MAJOR"),
        var("CARGO_PKG_VERSION_MINOR"),
        var("CARGO_PKG_VERSION_PATCH"),
        var("CARGO_PKG_VERSION"),
    )
}

fn generate_header(manifest_dir: &Path) {
    let mut config = cbindgen::Config::from_file(manifest_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(manifest_dir.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen generates the header from src/ffi");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let generated_path = out_dir.join("kmip_keystore.h");
    bindings.write_to_file(&generated_path);
    let generated = fs::read_to_string(&generated_path).expect("generated header is readable");

    let checked_in_path = manifest_dir.join(HEADER);
    let checked_in = fs::read_to_string(&checked_in_path).unwrap_or_default();
    if checked_in == generated {
        return;
    }
    if env::var(UPDATE_VAR).as_deref() == Ok("1") {
        fs::create_dir_all(checked_in_path.parent().expect("include/")).expect("mkdir include");
        fs::write(&checked_in_path, &generated).expect("write include/kmip_keystore.h");
        println!("cargo:warning=updated {HEADER}");
        return;
    }
    panic!(
        "{HEADER} differs from the header generated from src/ffi (written to {}).\n\
         Review the change and update the checked-in header with:\n    \
         {UPDATE_VAR}=1 cargo build --lib",
        generated_path.display()
    );
}

fn link_shared_library(manifest_dir: &Path) {
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("major version");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("minor version");
    let soname_version = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libkmip_keystore.so.{soname_version}");
    let script = manifest_dir.join("src/ffi/kmip_keystore.map");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        script.display()
    );
}
