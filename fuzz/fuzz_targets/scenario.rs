//! `hipc explore`'s scenario generator under coverage guidance: every generated
//! scenario builds on the model, and its recording passes on a fresh model, after
//! a write and reload, on Atmosphère's model and with out_index zeroed where §9
//! leaves it unspecified. Input format: `hipc_fuzz::scenario_case`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hipc_fuzz::scenario_case::run(data);
});
