//! Every deliberate bug of the model ([`Fault`]) must be caught by the vector corpus:
//! with the fault applied, at least one vector that the correct model passes must
//! fail, and at least one of those failures must name the field the bug breaks.
//!
//! The table below says, per fault, which failure fields count as "the right field"
//! (substrings of [`Failure::field`], the runner's names: `message.pid`,
//! `handle.valid`, `result`, `client.status`, `memory[0x...]`, `words[0]`, ...).
//! Vectors that already fail on the correct model are left out, so a broken vector
//! cannot pass for a caught fault.
//!
//! [`Failure::field`]: hipc_conformance::runner::Failure::field
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hipc_conformance::cli::run::run_files;
use hipc_conformance::kernel::Kernel;
use hipc_conformance::model::{Fault, ModelKernel};
use hipc_conformance::report::Entry;
use hipc_conformance::runner::Status;
use hipc_conformance::vector::{FileKind, VectorFile, load_corpus};

/// The failure fields that show a fault was caught for the right reason.
fn expected_fields(fault: Fault) -> &'static [&'static str] {
    use Fault::*;
    match fault {
        // The server sees the PID the client wrote.
        PidNotSubstituted => &["message.pid"],
        // The sender's copy handle is gone.
        CopyHandleMoved => &["handle.valid"],
        // The sender still holds the moved handle.
        MoveHandleLeftInSender => &["handle.valid"],
        // The request should be refused with InvalidCombination.
        MoveHandlesAcceptedInRequest => &["result", "client.status"],
        // Pointer data lands at unaligned addresses.
        SingleBufferUnaligned => &["message.x["],
        // Pointer data lands in entry 0's buffer.
        IndexIgnored => &["message.x["],
        // The list is read from the wrong place / a bad offset is not refused.
        RecvListOffsetIgnored => &["message.x[", "result", "client.status"],
        // A zero-size X fails for want of a receive buffer.
        ZeroSizeXRejected => &["result", "client.status"],
        // The reply should be refused.
        MapAliasAllowedInReply => &["result", "client.status"],
        // The client's B buffer lacks the server's bytes after the reply.
        BNotCopiedBack => &["memory[", "mapping.contents["],
        // Attribute 2 should be refused with InvalidCombination.
        Attribute2Accepted => &["result", "client.status"],
        // Handles copied before the failure stay in the receiver.
        NoHandleRollback => &["handle_count", "handle.valid"],
        // The client should get the error; the server should not.
        ErrorToServer => &["client.status", "result"],
        // The server receives the newest request first.
        LifoQueue => &["message.", "words["],
        // The reply should fail with InvalidState.
        ReplyWithoutRequestAccepted => &["result"],
        // W is passed through untranslated: its address, or raw data taken from it.
        WOnlyNotTranslated => &["message.w[", "message.raw_words", "words[", "memory["],
        // The copied pseudo-handle names the wrong process or thread.
        PseudoHandleResolvesToReceiver => &["handle.object"],
        // The server's partial pages hold the client's bytes instead of zeros.
        BPartialPagesCopied => &["mapping.contents[", "memory["],
        // Copying an interrupt event should fail.
        InterruptEventTransferable => &["result", "client.status"],
        // Copy handle 0 should be accepted.
        CopyHandleZeroRejected => &["result", "client.status"],
        // The server can write its A mapping.
        ServerMapsAWritable => &["mapping.permission", "access"],
        // The client can still touch the lent pages.
        ClientPagesNotReprotected => &["mapping.permission", "access"],
        // The result should be ReceiveListBroken.
        ReceiveListNeverBroken => &["result", "client.status"],
    }
}

fn corpus() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("vectors")
}

/// Runs the kernel vectors (codec vectors do not involve the kernel).
fn run(kernel: &mut dyn Kernel, files: &[VectorFile]) -> Vec<Entry> {
    let info = kernel.info();
    run_files(kernel, &info, files, &[], &[])
}

fn key(e: &Entry) -> (String, String) {
    (e.outcome.file.clone(), e.outcome.id.clone())
}

#[test]
fn every_fault_is_caught_by_the_right_field() {
    let (files, _) = load_corpus(&[corpus()]);
    let files: Vec<VectorFile> = files
        .into_iter()
        .filter(|f| f.kind == FileKind::Kernel)
        .collect();
    let baseline = run(&mut ModelKernel::new(), &files);
    let passing: BTreeSet<(String, String)> = baseline
        .iter()
        .filter(|e| e.outcome.status == Status::Passed)
        .map(key)
        .collect();
    assert!(!passing.is_empty(), "the correct model passes no vector");
    let mut problems = String::new();
    let mut summary = String::new();
    for &fault in Fault::ALL {
        let entries = run(&mut ModelKernel::with_fault(fault), &files);
        let caught: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.outcome.status == Status::Failed && passing.contains(&key(e)))
            .collect();
        let fields: BTreeSet<&str> = caught
            .iter()
            .filter_map(|e| e.outcome.failure.as_ref().map(|f| f.field.as_str()))
            .collect();
        let wanted = expected_fields(fault);
        let right = caught.iter().any(|e| {
            e.outcome
                .failure
                .as_ref()
                .is_some_and(|f| wanted.iter().any(|w| f.field.contains(w)))
        });
        let _ = writeln!(
            summary,
            "{:36} {:3} vectors fail; fields {:?}",
            fault.name(),
            caught.len(),
            fields
        );
        if caught.is_empty() {
            let _ = writeln!(problems, "{}: no vector fails", fault.name());
        } else if !right {
            let _ = writeln!(
                problems,
                "{}: {} vectors fail, but none names {:?} (fields: {:?})",
                fault.name(),
                caught.len(),
                wanted,
                fields
            );
        }
    }
    println!("{summary}");
    assert!(
        problems.is_empty(),
        "faults the corpus does not catch:\n{problems}\nall faults:\n{summary}"
    );
}
