//! `hipc record`: fill in a kernel vector file's missing expectations from a kernel.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::run::{KernelChoice, USAGE_ERROR};
use crate::record::{record_str, today};

/// Record what a kernel does into a kernel vector file.
///
/// Reads SCENARIO.json, a kernel vector file (format v1) whose syscall steps may
/// lack `expect` keys, runs every test against KERNEL and writes the file back out
/// (to OUT, or stdout) with:
///
///   * every missing `expect` filled from what the kernel did: `"pending"` or
///     `{"result": R}` for `send`, `{"result": R, "out_index": N}` for
///     `reply_and_receive` (`null` when none was written), `{"result": R}` for
///     `send_async` and `close`; results by name (`"InvalidHandle"`);
///   * an `expect_message` step after each `reply_and_receive` that returned
///     Success (the message the server received) and after each step during which
///     a client's `send` completed with Success (the reply it got), unless the
///     file already has one there. Values the kernel chooses become symbols bound
///     at first sight: new handles `$h1`, `$h2`, ...; descriptor addresses `$addr1`,
///     ...; a PID that is a set-up process's `$pid.P`;
///   * `source.recorded_from` = {"kernel", "version", "date"}.
///
/// Expectations already written are kept as they are (not checked: use `hipc run`).
/// Tests the kernel would skip (capabilities) are left as they are.
/// A recorded file replays with `hipc run FILE --kernel KERNEL`.
///
/// KERNEL is `model`, `model:FAULT` or `model-ams` (see `hipc run --help`).
/// Exit status: 0 on success, 1 when the file cannot be read, parsed or recorded
/// (the error names the file, test and step), 2 for a usage error.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RecordArgs {
    /// The kernel vector file to record.
    #[arg(value_name = "SCENARIO.json")]
    pub scenario: PathBuf,
    /// The kernel to record: model, model:FAULT or model-ams.
    #[arg(long, value_name = "KERNEL")]
    pub kernel: String,
    /// Write the recorded file here instead of stdout (may be SCENARIO.json itself).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Runs `hipc record`; returns the exit status.
pub fn run(args: &RecordArgs) -> ExitCode {
    let fail = |message: String, code: u8| {
        let _ = writeln!(io::stderr(), "error: {message}");
        ExitCode::from(code)
    };
    let choice = match KernelChoice::parse(&args.kernel) {
        Ok(choice) => choice,
        Err(message) => return fail(message, USAGE_ERROR),
    };
    let name = args.scenario.display().to_string();
    let text = match std::fs::read_to_string(&args.scenario) {
        Ok(text) => text,
        Err(e) => return fail(format!("{name}: cannot read: {e}"), 1),
    };
    let mut kernel = choice.build(crate::model::Flavour::NONE);
    let recorded = match record_str(kernel.as_mut(), &name, &text, &today()) {
        Ok(recorded) => recorded,
        Err(message) => return fail(message, 1),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &recorded.text)
            .map_err(|e| format!("{}: cannot write: {e}", path.display())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(recorded.text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())
        }
    };
    if let Err(message) = written {
        return fail(message, 1);
    }
    let _ = writeln!(
        io::stderr(),
        "recorded {} tests ({} skipped): {} expect keys filled, {} expect_message steps inserted",
        recorded.tests,
        recorded.skipped,
        recorded.expects_filled,
        recorded.messages_inserted
    );
    ExitCode::SUCCESS
}
