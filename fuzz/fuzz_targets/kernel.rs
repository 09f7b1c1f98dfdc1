//! A request, a server buffer with its receive list, and a reply through the model
//! kernel: never panics; every failure leaves the state §4.7 / §5.4 require; a
//! success delivers the sender's PID and handles naming the same objects.
//! Input format: `hipc_fuzz::kernel_case`.
#![no_main]

use hipc_fuzz::kernel_case::{KernelCase, run};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    run(&KernelCase::from_bytes(data));
});
