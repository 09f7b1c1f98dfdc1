//! `hipc run`: replay vector files against a kernel and report.

use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::kernel::{Kernel, KernelInfo};
use crate::model::{Fault, Flavour, ModelKernel, ModelOptions};
use crate::report::{self, Entry, Format, RunInfo, Summary};
use crate::runner::{
    Failure, Status, TestOutcome, load_error_outcome, probe_kernel_test, run_test,
};
use crate::vector::{FileKind, LoadError, Test, VectorFile, load_corpus};

/// Exit status for a usage error (clap uses the same for bad arguments).
pub const USAGE_ERROR: u8 = 2;

/// Replay test vectors against a kernel and report what passed, failed and was skipped.
///
/// PATHS are vector files or directories (walked recursively for `*.json`, skipping
/// `schema/` and `tools/`); without any, `vectors/` in the current directory.
/// Every test of every file runs: a file or test that is malformed (not JSON, not
/// of format v1, an unknown key, a bad value) becomes a failed entry naming the
/// file, the test id and the JSON path of the offending value, and the run goes on.
///
/// Kernels (--kernel):
///   model          the reference model kernel (default)
///   model:FAULT    the model with one deliberate bug (`hipc faults` lists them)
///   model-ams      the model with Atmosphère's behaviour where kernels differ
/// or, with --kernel-cmd "CMD ARGS", any kernel in another process speaking the
/// hipc-kernel/1 protocol (conformance/PROTOCOL.md; `hipc serve-model` is one).
///
/// The plain report starts with the kernel (name, version, capabilities) and the
/// specification version the corpus was written against (hipc-spec/1), then
/// lists each failure (test id, file, step, the field that differs, expected and
/// actual values, an annotated hex dump of the bytes), load errors, the probe
/// section (--probe), and skipped tests grouped by reason (one per line with
/// --verbose, which also lists passes); its last line counts each kind apart:
/// `kernel: N passed, N failed, N skipped; codec: N passed, N failed, N skipped`.
/// The JSON report carries the same: `{"spec", "schema", "kernel", "summary":
/// {"passed", "failed", "skipped", "kernel", "codec", "probe"}, "tests": [{"file",
/// "id", "kind", "status", "reason", "failure": {"step", "op", "field",
/// "expected", "actual", "detail", "expected_bytes", "actual_bytes",
/// "expected_message", "actual_message"}, "probe"}]}`.
///
/// Kernels that are not shaped like the model: a vector's buffers, addresses and
/// attributes say what it needs (vectors/README.md "Capabilities"), and a kernel
/// lacking it skips the vector; --probe runs such vectors anyway and reports them
/// apart, never in the exit status. --flavour shapes the model like such a kernel.
///
/// Exit status: 0 when no test failed, 1 when any failed (malformed vectors
/// included), 2 for a usage error (unknown kernel or fault, a PATH that does not
/// exist, a JUnit file that cannot be written).
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RunArgs {
    /// Vector files or directories [default: vectors/].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// The kernel to test: model, model:FAULT or model-ams.
    #[arg(long, value_name = "KERNEL", default_value = "model")]
    pub kernel: String,
    /// Shape the model like another kernel: a comma-separated list of
    /// user-buffer-only, tls-only, addr32, no-attributes, no-system-states,
    /// zero-out-index
    /// (what a flavour lacks is not declared, so its vectors are skipped).
    #[arg(
        long,
        value_name = "LIST",
        default_value = "",
        conflicts_with = "kernel_cmd"
    )]
    pub flavour: String,
    /// Run only tests whose id contains SUBSTRING (plain text, case-sensitive, no
    /// patterns). Repeat to run the tests matching any of them. Load errors without
    /// a test id are always reported.
    #[arg(long = "filter", value_name = "SUBSTRING")]
    pub filters: Vec<String>,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Plain)]
    pub format: Format,
    /// Also write a JUnit XML report (one testsuite per vector file) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// List every test in the plain report: passes, and each skip with its reason.
    #[arg(long, short)]
    pub verbose: bool,
    /// Also run the kernel tests the kernel's capabilities exclude, and report
    /// what they would give in a section of their own ("would pass / would fail"),
    /// never in the verdict or the exit status: what the suite would find in the
    /// parts of the kernel not claimed yet.
    #[arg(long)]
    pub probe: bool,
    /// `--kernel-cmd`, `--kernel-timeout`, `--expect` (the out-of-process protocol).
    #[command(flatten)]
    pub process: crate::protocol::options::KernelProcessArgs,
}

/// A kernel `--kernel` can name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KernelChoice {
    /// The reference model.
    Model,
    /// The model with one fault.
    ModelWithFault(Fault),
    /// The model's Atmosphère variant.
    ModelAms,
}

impl KernelChoice {
    /// Parses `model`, `model:FAULT` or `model-ams`.
    pub fn parse(text: &str) -> Result<KernelChoice, String> {
        match text {
            "model" => Ok(KernelChoice::Model),
            "model-ams" => Ok(KernelChoice::ModelAms),
            _ => match text.strip_prefix("model:") {
                Some(name) => Fault::from_name(name)
                    .map(KernelChoice::ModelWithFault)
                    .ok_or_else(|| {
                        format!("unknown fault {name:?} (`hipc faults` lists the faults)")
                    }),
                None => Err(format!(
                    "unknown kernel {text:?} (known: model, model:FAULT, model-ams)"
                )),
            },
        }
    }

    /// Builds the kernel in a flavour ([`Flavour::NONE`] for the model itself).
    pub fn build(self, flavour: Flavour) -> Box<dyn Kernel> {
        let options = match self {
            KernelChoice::Model => ModelOptions::default(),
            KernelChoice::ModelWithFault(fault) => ModelOptions {
                fault: Some(fault),
                ..ModelOptions::default()
            },
            KernelChoice::ModelAms => ModelOptions {
                ams_pid_passthrough: true,
                ..ModelOptions::default()
            },
        };
        Box::new(ModelKernel::with_options(ModelOptions {
            flavour,
            ..options
        }))
    }
}

/// Whether a test id is selected by the filters (none = every test).
pub fn selected(id: &str, filters: &[String]) -> bool {
    filters.is_empty() || filters.iter().any(|f| id.contains(f.as_str()))
}

/// The kind of a file that did not load, read from its `"kind"` key when it has a
/// readable one; codec otherwise.
fn kind_of_unloaded(file: &str) -> FileKind {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .map_or(FileKind::Codec, |k| {
            if k == "kernel" {
                FileKind::Kernel
            } else {
                FileKind::Codec
            }
        })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Runs one test, turning a panic (in the runner or the kernel) into a failure.
pub fn run_one(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    file: &VectorFile,
    test: &Test,
) -> TestOutcome {
    guarded(kernel, file, test, |kernel| {
        run_test(kernel, info, file, test)
    })
}

/// Runs a kernel test whatever the capabilities (`--probe`), turning a panic into
/// a failure; `None` for a codec test.
pub fn probe_one(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    file: &VectorFile,
    test: &Test,
) -> Option<TestOutcome> {
    let Test::Kernel(t) = test else {
        return None;
    };
    Some(guarded(kernel, file, test, |kernel| {
        probe_kernel_test(kernel, info, file, t)
    }))
}

/// `run` under `catch_unwind`, with the out-of-process kernel's fault (if any)
/// taken into the outcome.
fn guarded(
    kernel: &mut dyn Kernel,
    file: &VectorFile,
    test: &Test,
    run: impl FnOnce(&mut dyn Kernel) -> TestOutcome,
) -> TestOutcome {
    match catch_unwind(AssertUnwindSafe(|| run(&mut *kernel))) {
        // A fault of an out-of-process kernel during the test fails it.
        Ok(outcome) => crate::protocol::options::finish_test(kernel, outcome),
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            TestOutcome {
                file: file.path.clone(),
                id: test.id().to_owned(),
                kind: test.kind(),
                verdict: Some(test.verdict()),
                comment: test.comment().to_owned(),
                status: Status::Failed,
                reason: Some(format!("the runner or the kernel panicked: {message}")),
                failure: Some(Failure {
                    field: "panic".into(),
                    expected: "no panic".into(),
                    actual: message,
                    ..Failure::default()
                }),
            }
        }
    }
}

fn error_entry(error: &LoadError, kind: FileKind) -> Entry {
    Entry {
        outcome: load_error_outcome(error, kind),
        load_error: Some(error.clone()),
        probe: None,
    }
}

/// Runs the selected tests of loaded files; `errors` (from [`load_corpus`]) become
/// failed entries, each after the tests of its file. Entries are in file order.
pub fn run_files(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    files: &[VectorFile],
    errors: &[LoadError],
    filters: &[String],
) -> Vec<Entry> {
    run_files_probing(kernel, info, files, errors, filters, false)
}

/// [`run_files`], and with `probe` each kernel test skipped for the kernel's
/// capabilities is also run anyway, its outcome kept in [`Entry::probe`].
pub fn run_files_probing(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    files: &[VectorFile],
    errors: &[LoadError],
    filters: &[String],
    probe: bool,
) -> Vec<Entry> {
    let error_selected =
        |e: &LoadError| e.test_id.as_deref().is_none_or(|id| selected(id, filters));
    let mut entries = Vec::new();
    for file in files {
        for test in file.tests().filter(|t| selected(t.id(), filters)) {
            let mut entry = Entry::from(run_one(kernel, info, file, test));
            if probe && entry.outcome.status == Status::Skipped {
                entry.probe = probe_one(kernel, info, file, test);
            }
            entries.push(entry);
        }
        for error in errors.iter().filter(|e| e.file == file.path) {
            if error_selected(error) {
                entries.push(error_entry(error, file.kind));
            }
        }
    }
    for error in errors {
        if !files.iter().any(|f| f.path == error.file) && error_selected(error) {
            entries.push(error_entry(error, kind_of_unloaded(&error.file)));
        }
    }
    entries
}

/// Loads the corpus under `paths` and runs it (see [`run_files_probing`]).
pub fn run_corpus(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    paths: &[PathBuf],
    filters: &[String],
    probe: bool,
) -> Vec<Entry> {
    let (files, errors) = load_corpus(paths);
    run_files_probing(kernel, info, &files, &errors, filters, probe)
}

fn usage_error(message: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "error: {message}");
    ExitCode::from(USAGE_ERROR)
}

/// Runs `hipc run`; returns the exit status.
pub fn run(args: &RunArgs) -> ExitCode {
    let choice = match KernelChoice::parse(&args.kernel) {
        Ok(choice) => choice,
        Err(message) => return usage_error(&message),
    };
    let flavour = match Flavour::parse(&args.flavour) {
        Ok(flavour) => flavour,
        Err(message) => return usage_error(&message),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("vectors")]
    } else {
        args.paths.clone()
    };
    if let Some(missing) = paths.iter().find(|p| !Path::exists(p)) {
        return usage_error(&format!("{}: no such file or directory", missing.display()));
    }
    let expect = match args.process.load_expect() {
        Ok(expect) => expect,
        Err(message) => return usage_error(&message),
    };
    let mut kernel = match args.process.build_kernel() {
        Ok(kernel) => kernel.unwrap_or_else(|| choice.build(flavour)),
        Err(message) => return usage_error(&message),
    };
    let info = kernel.info();
    let mut entries = run_corpus(kernel.as_mut(), &info, &paths, &args.filters, args.probe);
    if let Some(expect) = &expect {
        let _ = writeln!(io::stderr(), "{}", expect.apply(&mut entries));
    }
    let summary = Summary::of_entries(&entries);
    if let Some(junit) = &args.junit {
        let written = report::junit::render(&entries)
            .and_then(|xml| std::fs::write(junit, xml).map_err(|e| e.to_string()));
        if let Err(message) = written {
            return usage_error(&format!("{}: {message}", junit.display()));
        }
    }
    let text = report::render(args.format, &RunInfo::new(info), &entries, args.verbose);
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
        }
    }
    if summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn kernels_by_name() {
        assert_eq!(KernelChoice::parse("model"), Ok(KernelChoice::Model));
        assert_eq!(KernelChoice::parse("model-ams"), Ok(KernelChoice::ModelAms));
        assert_eq!(
            KernelChoice::parse("model:lifo-queue"),
            Ok(KernelChoice::ModelWithFault(Fault::LifoQueue))
        );
        assert!(
            KernelChoice::parse("model:nope")
                .unwrap_err()
                .contains("hipc faults")
        );
        assert!(KernelChoice::parse("linux").is_err());
    }

    #[test]
    fn filters_are_substrings() {
        assert!(selected("pid-1", &[]));
        assert!(selected("pid-1", &["x".into(), "id-".into()]));
        assert!(!selected("pid-1", &["PID".into()]));
    }
}
