//! Placeholder: replaced by the libtest-mimic vector runner.
fn main() {}
