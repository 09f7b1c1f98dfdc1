//! The example C kernel (`conformance/examples/c-kernel/`), built with the machine's
//! gcc and make, runs the kernel vectors through the out-of-process protocol: every
//! test it declares the capabilities for passes, every other one is skipped with
//! the missing capabilities as its reason. Without gcc or make the test says so and
//! passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use hipc_conformance::cli::run::run_files;
use hipc_conformance::kernel::{Capability, Kernel};
use hipc_conformance::protocol::client::{ProcessKernel, ProcessKernelConfig};
use hipc_conformance::runner::Status;
use hipc_conformance::runner::scenario::skip_reason;
use hipc_conformance::vector::{Test, load_corpus};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Builds the example into a fresh directory; `None` when gcc or make is missing.
fn build() -> Option<PathBuf> {
    if !have("gcc") || !have("make") {
        eprintln!("gcc or make not found: skipping the C kernel test");
        return None;
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/c-kernel");
    let out = std::env::temp_dir().join(format!("hipc-c-kernel-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let made = Command::new("make")
        .arg("-C")
        .arg(&source)
        .arg(format!("OUT={}", out.display()))
        .output()
        .expect("run make");
    assert!(
        made.status.success(),
        "make failed:\n{}{}",
        String::from_utf8_lossy(&made.stdout),
        String::from_utf8_lossy(&made.stderr)
    );
    Some(out.join("c-kernel"))
}

#[test]
fn the_c_kernel_passes_what_it_declares_and_skips_the_rest() {
    let Some(binary) = build() else {
        return;
    };
    let mut kernel = ProcessKernel::start(ProcessKernelConfig {
        timeout: Duration::from_secs(10),
        ..ProcessKernelConfig::new(format!("'{}'", binary.display()))
    })
    .expect("start the C kernel");
    let info = kernel.info();
    assert_eq!(info.name, "c-kernel");
    let declared: BTreeSet<Capability> = info.capabilities.iter().copied().collect();
    assert_eq!(
        declared,
        BTreeSet::from([
            Capability::TlsBuffer,
            Capability::Pid,
            Capability::CopyHandles,
            Capability::Pointer,
            Capability::MemoryStates
        ])
    );

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = manifest.parent().unwrap_or(manifest).join("vectors/kernel");
    let (files, errors) = load_corpus(&[vectors]);
    assert!(errors.is_empty(), "the kernel vectors load: {errors:?}");
    let entries = run_files(&mut kernel, &info, &files, &errors, &[]);

    // Which tests the declared capabilities select: what each requires, and what
    // its buffers, addresses and attributes need (vectors/README.md "Capabilities").
    let mut runnable = BTreeSet::new();
    for test in files.iter().flat_map(|f| f.tests()) {
        if let Test::Kernel(t) = test {
            if skip_reason(&info, t).is_none() {
                runnable.insert(t.id.clone());
            }
        }
    }
    assert!(runnable.len() > 50, "{} runnable tests", runnable.len());

    let mut passed = 0;
    for entry in &entries {
        let o = &entry.outcome;
        match o.status {
            Status::Passed => {
                assert!(
                    runnable.contains(&o.id),
                    "{} passed but was not runnable",
                    o.id
                );
                passed += 1;
            }
            Status::Skipped => {
                assert!(!runnable.contains(&o.id), "{} was skipped", o.id);
                let reason = o.reason.as_deref().unwrap_or_default();
                assert!(reason.contains("c-kernel"), "{}: reason {reason:?}", o.id);
            }
            Status::Failed => panic!(
                "{} failed: {}\n{:#?}",
                o.id,
                o.reason.as_deref().unwrap_or_default(),
                o.failure
            ),
        }
    }
    assert_eq!(passed, runnable.len());
    eprintln!(
        "c-kernel: {passed} passed, {} skipped, {} process start(s)",
        entries.len() - passed,
        kernel.starts()
    );
    assert_eq!(kernel.starts(), 1, "the C kernel never had to be restarted");
    drop(kernel);
    let _ = std::fs::remove_dir_all(binary.parent().unwrap());
}
