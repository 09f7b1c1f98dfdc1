//! What the published crates carry: the license texts, the READMEs with the
//! specification version, and one codec example shared by the repository README,
//! the codec's README (a doctest of the crate) and the codec's crate documentation.
//!
//! Static checks of the files only, so that they run in milliseconds and need no
//! network; packaging itself is `cargo package --workspace --exclude hipc-benches`
//! (the root README, "Packaging"). Skipped outside a repository checkout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};

fn repo_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .to_path_buf();
    root.join("codec/Cargo.toml").is_file().then_some(root)
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The body of the first fenced block opening with "```rust" in a Markdown text.
fn rust_block(markdown: &str) -> Option<String> {
    let start = markdown.find("```rust\n")? + "```rust\n".len();
    let end = markdown[start..].find("\n```")? + start;
    Some(markdown[start..end].to_owned())
}

#[test]
fn each_published_crate_carries_the_license_texts() {
    let Some(root) = repo_root() else { return };
    for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = read(&root, license);
        assert!(text.len() > 1000, "{license} is not a license text");
        for krate in ["codec", "conformance"] {
            assert_eq!(
                read(&root, &format!("{krate}/{license}")),
                text,
                "{krate}/{license} differs from the repository's {license}"
            );
        }
    }
    assert!(read(&root, "LICENSE-MIT").contains("Copyright (c) the hipc developers"));
    let workspace = read(&root, "Cargo.toml");
    assert!(workspace.contains("license = \"MIT OR Apache-2.0\""));
}

#[test]
fn each_published_crate_has_its_readme() {
    let Some(root) = repo_root() else { return };
    for krate in ["codec", "conformance"] {
        let manifest = read(&root, &format!("{krate}/Cargo.toml"));
        assert!(
            manifest.contains("readme = \"README.md\""),
            "{krate}/Cargo.toml: no readme"
        );
        let readme = read(&root, &format!("{krate}/README.md"));
        assert!(
            readme.contains("hipc-spec/1"),
            "{krate}/README.md does not name the specification version"
        );
    }
    assert!(read(&root, "README.md").contains("hipc-spec/1"));
    assert!(read(&root, "conformance/PROTOCOL.md").starts_with("# "));
}

#[test]
fn the_codec_example_is_the_same_everywhere() {
    let Some(root) = repo_root() else { return };
    let repository = rust_block(&read(&root, "README.md")).expect("README.md: a rust block");
    let crate_readme =
        rust_block(&read(&root, "codec/README.md")).expect("codec/README.md: a rust block");
    assert_eq!(crate_readme, repository, "codec/README.md and README.md");
    // The crate documentation's "Emit, then parse" example, without its `//! `.
    let lib: String = read(&root, "codec/src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let section = lib
        .find("# Emit, then parse")
        .expect("codec/src/lib.rs: the section \"Emit, then parse\"");
    let from_lib = lib[section..]
        .find("```\n")
        .map(|at| {
            let body = &lib[section + at + 4..];
            body[..body.find("\n```").expect("a closing fence")].to_owned()
        })
        .expect("codec/src/lib.rs: the example");
    assert_eq!(from_lib, repository, "codec/src/lib.rs and README.md");
}
