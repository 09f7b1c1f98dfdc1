//! The out-of-process kernel protocol `hipc-kernel/1` (conformance/PROTOCOL.md): a
//! kernel written in any language runs as a child process and answers the
//! [`Kernel`](crate::kernel::Kernel) operations as JSON lines on its stdin/stdout.
//!
//! * [`Op`]: one request per trait operation, plus the `hello` handshake, and the
//!   request lines (`request.rs`);
//! * the answer shapes ([`HelloAnswer`], [`SendAnswer`], [`StatusAnswer`], ...) and
//!   the answer lines (`answer.rs`);
//! * the fill form of `map_memory`'s contents ([`compact_contents`],
//!   [`expand_fill`]; `fill.rs`);
//! * [`client::ProcessKernel`]: the runner's side, a `Kernel` that spawns the command,
//!   times operations out, and restarts the process after a crash, a hang or garbage
//!   (the child process in `running.rs`, its answer lines read with a deadline in
//!   `line_reader.rs`);
//! * [`server::serve`]: the kernel's side for any in-process `Kernel`, used by
//!   `hipc serve-model`;
//! * [`outcome_with_fault`]: how a fault recorded during a test becomes that test's
//!   failure.
//!
//! Wire shapes: a request is `{"id": N, "op": "NAME", ...arguments}`, an answer
//! `{"id": N, "ok": VALUE}` or `{"id": N, "error": "text"}`. Integers are JSON
//! integers (u64 exact), byte strings are lowercase hex.

mod answer;
pub mod client;
mod fill;
mod line_reader;
pub mod options;
mod request;
mod running;
pub mod server;
pub(crate) mod spawn;
#[cfg(unix)]
pub(crate) mod spin;
pub mod stderr_log;

pub use answer::{
    AsyncAnswer, HelloAnswer, ResultAnswer, SendAnswer, SessionAnswer, StatusAnswer, WaitAnswer,
    answer_line, write_answer,
};
pub use fill::{Fill, FillForm, MAX_PATCHES, Patch, compact_contents, expand_fill};
use request::parse_request_checked;
pub use request::{
    Op, parse_request, parse_request_fast, request_line, write_request, write_request_with_hex,
};

use crate::kernel::KernelError;
use crate::runner::{Failure, Status, TestOutcome};

/// The protocol name and version both sides send in the handshake.
pub const PROTOCOL: &str = "hipc-kernel/1";

/// The protocol feature of the fill form of `map_memory` (`"fill"` and
/// `"patches"` instead of `"contents"`): a kernel that lists it in its `hello`
/// answer's `features` gets a region's contents that way whenever that is shorter.
pub const FEATURE_FILL: &str = "fill";

/// Every protocol feature this crate knows (what `hipc serve-model` declares).
pub const FEATURES: &[&str] = &[FEATURE_FILL];

/// The most bytes [`expand_fill`] makes of a fill form: a region filled with a
/// non-zero byte (or patched) beyond this is refused rather than allocated.
pub const MAX_FILL: u64 = 256 << 20;

/// `outcome`, turned into a failure when the kernel recorded `fault` during the test
/// (see [`crate::kernel::Kernel::take_fault`]). The runner's step and op are kept
/// when it had already failed (the first failing step is where the placeholder
/// value surfaced); the reason, field and values become the fault's. Without a
/// fault the outcome is returned unchanged.
pub fn outcome_with_fault(mut outcome: TestOutcome, fault: Option<KernelError>) -> TestOutcome {
    let Some(KernelError(message)) = fault else {
        return outcome;
    };
    let (first, rest) = match message.split_once('\n') {
        Some((first, rest)) => (first.to_owned(), Some(rest.to_owned())),
        None => (message.clone(), None),
    };
    let (step, op) = match (&outcome.status, &outcome.failure) {
        (Status::Failed, Some(failure)) => (failure.step, failure.op.clone()),
        _ => (None, None),
    };
    outcome.status = Status::Failed;
    outcome.reason = Some(format!("kernel fault: {first}"));
    outcome.failure = Some(Failure {
        step,
        op,
        field: "kernel".into(),
        expected: "an answer to every operation".into(),
        actual: first,
        detail: rest,
        expected_bytes: None,
        actual_bytes: None,
    });
    outcome
}
