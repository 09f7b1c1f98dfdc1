//! A kernel that lacks a capability sees every vector using it skipped, never
//! failed (kernel-semantics.md §1.4), whether or not the vector's `requires` list
//! names it: the runner derives what a test uses from the test itself
//! (`vector::uses`, vectors/README.md "Capabilities").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};

use hipc_conformance::kernel::{Capability, Kernel};
use hipc_conformance::model::ModelKernel;
use hipc_conformance::runner::scenario::skip_reason;
use hipc_conformance::vector::uses::capabilities_used;
use hipc_conformance::vector::{Test, load_file, vector_paths};
use serde_json::Value;

/// Every kernel test of the corpus: its JSON and its loaded form.
fn corpus() -> Vec<(Value, hipc_conformance::vector::KernelTest)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let mut out = Vec::new();
    for path in vector_paths(&[root]).unwrap() {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if file["kind"] != "kernel" {
            continue;
        }
        let loaded = load_file(&PathBuf::from(&path)).unwrap();
        let json = file["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap().clone());
        for (json, test) in json.zip(loaded.tests()) {
            let Test::Kernel(k) = test else {
                panic!("a codec test in a kernel file")
            };
            assert_eq!(json["id"], k.id.as_str());
            out.push((json, k.as_ref().clone()));
        }
    }
    assert!(out.len() > 400, "only {} kernel tests found", out.len());
    out
}

#[test]
fn a_kernel_lacking_a_capability_skips_every_vector_using_it() {
    let corpus = corpus();
    let full = ModelKernel::new().info();
    for &lacking in Capability::ALL {
        let mut info = full.clone();
        info.capabilities.retain(|&c| c != lacking);
        let mut using = 0;
        for (json, test) in &corpus {
            if !capabilities_used(json).contains(&lacking) {
                continue;
            }
            using += 1;
            let reason = skip_reason(&info, test).unwrap_or_else(|| {
                panic!(
                    "{} uses {} but runs on a kernel without it",
                    test.id,
                    lacking.name()
                )
            });
            assert!(
                reason.contains(lacking.name()),
                "{}: the skip does not name {}: {reason}",
                test.id,
                lacking.name()
            );
        }
        eprintln!("{}: {using} vectors use it", lacking.name());
    }
}

#[test]
fn the_model_runs_every_vector_its_capabilities_allow() {
    // The model declares everything but the Atmosphère extension: deriving needs
    // from what a test uses skips nothing more on it than `requires` did.
    let info = ModelKernel::new().info();
    let corpus = corpus();
    let skipped: Vec<&str> = corpus
        .iter()
        .filter(|(_, t)| skip_reason(&info, t).is_some())
        .map(|(_, t)| t.id.as_str())
        .collect();
    assert!(
        skipped
            .iter()
            .all(|id| id.starts_with("pid-ams-passthrough")),
        "{skipped:?}"
    );
}
