//! `hipc explore`: differential testing of a kernel or a decoder against the
//! reference (crate::explore).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::run::{KernelChoice, USAGE_ERROR};
use crate::explore::kernel_run::{Found, KernelExplorer, Limits, Progress, Report};
use crate::kernel::Kernel;
use crate::protocol::client::{DEFAULT_TIMEOUT, ProcessKernel, ProcessKernelConfig};

/// Find what the vectors miss: run generated scenarios (or messages) on the
/// kernel (or decoder) under test and on the reference, and write every
/// difference, minimized, as a vector.
///
/// Kernels (--kernel-cmd CMD, or --kernel NAME for the built-in ones: model,
/// model:FAULT, model-ams). Each case is a kernel scenario generated from the
/// seed: processes C and S (and thread C2), memory regions with chosen states,
/// permissions and attributes, sessions and events; requests with every section
/// (PID, copy and move handles including pseudo-handles and stale ones, X in every
/// receive-list mode, A/B/W with every attribute, raw data), server receive
/// buffers and lists, replies, closes, async sends. Only what the kernel declares
/// (its capabilities) is generated. The reference model runs it first and its
/// behaviour becomes the expectation (as `hipc record` would write it, plus the
/// final state: client status, handle tables, mappings, memory); then the kernel
/// under test runs that vector. What kernel-semantics.md §9 leaves unspecified
/// (handle values, alias addresses, out_index where not written, buffers after a
/// failure) is compared by meaning or not at all.
///
/// Decoders (--decoder-cmd CMD): CMD reads hex lines on stdin and writes one
/// message JSON line per line, flushed before the next is read (the contract of
/// `hipc decode --json`; a JSON object with an `error` key is a rejection).
/// Cases are byte strings: valid messages, near-valid ones (a field past its
/// width, truncated by a word, a count off by one, reserved bits set) and random
/// bytes; accept/reject and every field are compared with hipc's codec. A decoder
/// that hangs (--decoder-timeout), crashes or answers something that is not
/// message JSON is reported as such.
///
/// Differences are grouped by signature (the step or check, the field, and the
/// shape of the two values), so a run reports the distinct problems rather than
/// every case. The first case of each signature is minimized (fewer steps, fewer
/// sections, smaller sizes, simpler values, still differing the same way) and
/// written to OUT/explore-SIGNATURE.json: a `hipc-vectors/2` file whose
/// expectations are the reference's behaviour, flagged `Explored`, with the other
/// side's behaviour in its comment. It is a question for a person (which of the
/// two does docs/spec/ require?), never a verdict. `hipc run FILE` replays it.
///
/// The run is deterministic from --seed and stops after --cases or --time
/// (default: 1000 cases). A progress line goes to stderr every second: cases,
/// cases per second, divergences, distinct signatures.
///
/// Exit status: 0 when nothing differed, 1 when something did (or the decoder
/// misbehaved), 2 for a usage error.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ExploreArgs {
    /// A kernel in another process speaking hipc-kernel/1 (run with `sh -c`).
    #[arg(long = "kernel-cmd", value_name = "CMD", conflicts_with_all = ["kernel", "decoder_cmd"])]
    pub kernel_cmd: Option<String>,
    /// A built-in kernel: model, model:FAULT or model-ams.
    #[arg(long, value_name = "NAME", conflicts_with = "decoder_cmd")]
    pub kernel: Option<String>,
    /// How long one kernel operation may take before the kernel counts as hung
    /// [default: 5000].
    #[arg(long = "kernel-timeout", value_name = "MS")]
    pub kernel_timeout: Option<u64>,
    /// A decoder reading hex lines and writing message JSON lines.
    #[arg(long = "decoder-cmd", value_name = "CMD")]
    pub decoder_cmd: Option<String>,
    /// How long the decoder may take to answer one line [default: 2000].
    #[arg(long = "decoder-timeout", value_name = "MS")]
    pub decoder_timeout: Option<u64>,
    /// The seed of the run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this many cases.
    #[arg(long, value_name = "N")]
    pub cases: Option<u64>,
    /// Stop after this long: seconds, or a number with s, m or h (`90s`, `2m`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub time: Option<Duration>,
    /// Where minimized vectors are written.
    #[arg(long, value_name = "DIR", default_value = "explored")]
    pub out: PathBuf,
    /// Stop at the first divergence (after minimizing it).
    #[arg(long)]
    pub first: bool,
    /// No progress line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Parses `90`, `90s`, `2m`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?} (write 90, 90s, 2m or 1h)"))?;
    let seconds = match unit {
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("unknown unit {unit:?} in {text:?} (s, m or h)")),
    };
    Ok(Duration::from_secs_f64(seconds))
}

impl ExploreArgs {
    pub(crate) fn limits(&self) -> Limits {
        let mut limits = Limits {
            cases: self.cases,
            time: self.time,
            stop_at_first: false,
        };
        if limits.cases.is_none() && limits.time.is_none() {
            limits.cases = Some(1000);
        }
        limits.stop_at_first = self.first;
        limits
    }
}

/// The progress line.
pub fn progress_line(p: &Progress) -> String {
    format!(
        "explore: {} cases ({:.0}/s), {} divergences, {} distinct signatures{}",
        p.cases,
        p.per_second,
        p.divergences,
        p.signatures,
        if p.unsupported > 0 {
            format!(", {} not set up by the kernel", p.unsupported)
        } else {
            String::new()
        }
    )
}

/// Runs `hipc explore`; returns the exit status.
pub fn run(args: &ExploreArgs) -> ExitCode {
    if let Some(command) = &args.decoder_cmd {
        return super::explore_decoder::run(args, command);
    }
    let mut kernel: Box<dyn Kernel> = match build_kernel(args) {
        Ok(kernel) => kernel,
        Err(message) => {
            let _ = writeln!(io::stderr(), "error: {message}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let quiet = args.quiet;
    let mut explorer = KernelExplorer::new(kernel.as_mut(), args.seed, Some(args.out.clone()));
    let info = explorer.info().clone();
    let _ = writeln!(
        io::stderr(),
        "explore: kernel {} {} (seed {})",
        info.name,
        info.version,
        args.seed
    );
    let report = explorer.run(args.limits(), &mut |p| {
        if !quiet {
            let _ = writeln!(io::stderr(), "{}", progress_line(p));
        }
    });
    print_report(&report);
    if report.found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn build_kernel(args: &ExploreArgs) -> Result<Box<dyn Kernel>, String> {
    if let Some(command) = &args.kernel_cmd {
        let config = ProcessKernelConfig {
            command: command.clone(),
            timeout: args
                .kernel_timeout
                .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
            log: None,
        };
        let kernel = ProcessKernel::start(config).map_err(|e| e.0)?;
        return Ok(Box::new(kernel));
    }
    let name = args.kernel.as_deref().unwrap_or("model");
    let choice = KernelChoice::parse(name)?;
    Ok(choice.build(crate::model::Flavour::NONE))
}

/// The report on stdout: the final counts, then one paragraph per signature.
pub fn print_report(report: &Report) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{}", progress_line(&report.progress));
    if report.build_errors.0 > 0 {
        let _ = writeln!(
            out,
            "{} cases could not be built (a bug of hipc explore): {}",
            report.build_errors.0,
            report.build_errors.1.as_deref().unwrap_or("")
        );
    }
    for found in &report.found {
        let _ = writeln!(out, "{}", describe(found));
    }
}

fn describe(found: &Found) -> String {
    format!(
        "\n[{}] {} case(s), first after {:.1} s\n  {}\n  minimized: {} steps{}{}",
        found.signature,
        found.count,
        found.first_seen.as_secs_f64(),
        found.divergence,
        found.steps,
        found
            .file
            .as_ref()
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default(),
        if found.passes_on_model {
            ""
        } else {
            " (WARNING: the vector does not pass on the model)"
        }
    )
}
