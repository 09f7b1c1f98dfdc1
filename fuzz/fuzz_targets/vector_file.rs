//! Arbitrary bytes as a vector file: a clear error or a loaded file, never a panic;
//! the tests of a file that loads run against the model kernel (the runner never
//! panics either).
#![no_main]

use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::ModelKernel;
use hipc_conformance::runner::run_test;
use hipc_conformance::vector::load_str;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match load_str("fuzz.json", &text) {
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with("fuzz.json"),
                "the error does not name the file: {message}"
            );
        }
        Ok(file) => {
            for e in &file.errors {
                let _ = e.to_string();
            }
            let mut kernel = ModelKernel::new();
            let info = kernel.info();
            for test in file.tests() {
                kernel.reset().expect("the model resets");
                let outcome = run_test(&mut kernel, &info, &file, test);
                let _ = (outcome.status, outcome.reason);
            }
        }
    }
});
