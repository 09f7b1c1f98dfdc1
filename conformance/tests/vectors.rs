//! The vector corpus (`vectors/` at the workspace root) as `cargo test` tests: one
//! libtest trial per vector, named `<file-stem>::<id>`, run against the reference
//! model kernel (a test only the Atmosphère model can run, on that one). A test
//! neither model runs (a missing capability) fails with the reason: every vector
//! must check the model. A malformed file or test is a failing trial named after
//! the file (and the test id when known).
//!
//! `cargo test -p hipc-conformance --test vectors -- pid` runs the vectors whose name
//! contains `pid`; `-- --list` lists them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hipc_conformance::cli::run::run_one;
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::ModelKernel;
use hipc_conformance::report::plain;
use hipc_conformance::runner::{Status, TestOutcome};
use hipc_conformance::vector::{LoadError, Test, VectorFile, load_corpus};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn stem(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_owned(), |s| s.to_string_lossy().into_owned())
}

fn load_error_trial(error: LoadError) -> Trial {
    let name = match &error.test_id {
        Some(id) => format!("{}::{id}", stem(&error.file)),
        None => format!("{}::(file)", stem(&error.file)),
    };
    Trial::test(name, move || {
        Err(Failed::from(plain::load_error_block(&error)))
    })
}

fn run_on(kernel: &mut ModelKernel, file: &VectorFile, test: &Test) -> TestOutcome {
    let info = kernel.info();
    run_one(kernel, &info, file, test)
}

fn main() {
    let args = Arguments::from_args();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors: PathBuf = manifest.parent().unwrap_or(manifest).join("vectors");
    let (files, errors) = load_corpus(&[vectors]);
    let mut trials = Vec::new();
    for file in files {
        let file = Arc::new(file);
        let file_stem = stem(&file.path);
        for test in file.tests() {
            let name = format!("{file_stem}::{}", test.id());
            let (file, test) = (Arc::clone(&file), test.clone());
            trials.push(Trial::ignorable_test(name, move || {
                // A model per trial: trials run on several threads. A test the
                // official model skips (the Atmosphère PID passthrough, kernel-semantics.md
                // §9 PID passthrough) runs on the Atmosphère model instead, so that every
                // vector checks the model (scripts/mutants.sh relies on it).
                let mut kernel = ModelKernel::new();
                let mut outcome = run_on(&mut kernel, &file, &test);
                if outcome.status == Status::Skipped {
                    kernel = ModelKernel::atmosphere();
                    outcome = run_on(&mut kernel, &file, &test);
                }
                // Again on the same kernel: `hipc run` replays the corpus on one
                // kernel, reset before each vector, so what a vector left behind
                // must not change the next one's outcome (kernel-semantics.md
                // §6.4: closing everything frees everything).
                let again = run_on(&mut kernel, &file, &test);
                if again.status != outcome.status || again.failure != outcome.failure {
                    return Err(Failed::from(format!(
                        "run again on the same kernel after its reset, the vector gives \
                         another outcome: {:?} then {:?}\n{}",
                        outcome.status,
                        again.status,
                        plain::failure_block(&again)
                    )));
                }
                match outcome.status {
                    Status::Passed => Ok(Completion::Completed),
                    // A vector that neither model runs checks nothing: an error
                    // (a capability the model stopped declaring, say).
                    Status::Skipped => Err(Failed::from(format!(
                        "neither the official nor the Atmosphère model runs this vector: {}",
                        outcome.reason.unwrap_or_default()
                    ))),
                    Status::Failed => Err(Failed::from(plain::failure_block(&outcome))),
                }
            }));
        }
    }
    for error in errors {
        trials.push(load_error_trial(error));
    }
    libtest_mimic::run(&args, trials).exit();
}
