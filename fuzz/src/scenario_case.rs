//! The `scenario` target: `hipc explore`'s kernel scenario generator
//! (`hipc_conformance::explore::scenario`) driven by the fuzzer's input instead of
//! a seeded random stream, so that coverage guides which worlds, messages and
//! step sequences get tried.
//!
//! # Input format
//!
//! The generator's own: a byte string read front to back as decisions, a missing
//! byte reading as zero, the simplest choice (`hipc_conformance::explore::choices`).
//! `make-seeds` writes the first cases of `hipc explore --seed 1` as seeds.
//!
//! # What it checks
//!
//! The scenario is built as `hipc explore` builds a case: generated for a kernel
//! declaring every capability of the model, run on the reference model, its
//! behaviour recorded as the expectation with the final state appended (`explore::
//! case::build`). Then:
//!
//! * building never fails: a failure is a generator that wrote a vector the model
//!   cannot run, or the model refusing what the format allows — bugs of hipc;
//! * the recorded vector passes on a fresh model (the model is deterministic and
//!   agrees with its own recording), and so does the same vector written as text
//!   and loaded again (what explore writes, `hipc run` reads);
//! * it passes on Atmosphère's model (no generated message carries the PID
//!   passthrough value, the only difference: kernel-semantics.md §9 **PID
//!   passthrough**) and on the model whose syscall glue writes 0 to the out index
//!   wherever the kernel leaves it unwritten: no recorded expectation may assert
//!   what §9 **out_index on failure** leaves unspecified.

use hipc_conformance::explore::case::{Case, build};
use hipc_conformance::explore::scenario::Allowed;
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::{Flavour, ModelKernel, ModelOptions};
use hipc_conformance::record::to_vector_json;
use hipc_conformance::runner::{Status, run_test};
use hipc_conformance::vector::{VectorFile, load_str};

/// Runs the case's tests on `kernel`; panics, naming `who` and the failure, unless
/// every one passes.
fn assert_passes(kernel: &mut dyn Kernel, file: &VectorFile, who: &str, case: &Case) {
    let info = kernel.info();
    for test in file.tests() {
        let outcome = run_test(kernel, &info, file, test);
        assert_eq!(
            outcome.status,
            Status::Passed,
            "the recorded scenario does not pass on {who}: {:?}\n{}",
            outcome.failure,
            to_vector_json(&case.file)
        );
    }
}

/// Builds and checks one scenario; panics on a property violation.
pub fn run(data: &[u8]) {
    let mut model = ModelKernel::new();
    let allowed = Allowed::of(&model.info().capabilities);
    let case = match build(&mut model, allowed, data, "fuzz-scenario") {
        Ok(case) => case,
        Err(e) => panic!("the model cannot build a generated scenario: {e}"),
    };
    assert_passes(
        &mut ModelKernel::new(),
        &case.loaded,
        "a fresh model",
        &case,
    );
    let text = to_vector_json(&case.file);
    let reloaded = load_str("fuzz-scenario.json", &text)
        .unwrap_or_else(|e| panic!("the written vector does not load: {e}\n{text}"));
    assert!(reloaded.errors.is_empty(), "{:?}", reloaded.errors);
    assert_passes(
        &mut ModelKernel::new(),
        &reloaded,
        "the model, reloaded",
        &case,
    );
    assert_passes(
        &mut ModelKernel::atmosphere(),
        &case.loaded,
        "the Atmosphère model",
        &case,
    );
    let zero = Flavour::parse("zero-out-index").expect("a flavour name");
    let mut glue = ModelKernel::with_options(ModelOptions {
        flavour: zero,
        ..ModelOptions::default()
    });
    assert_passes(&mut glue, &case.loaded, "the zero-out-index model", &case);
}
