//! `hipc explore --decoder-cmd`: the decoder half of `hipc explore`.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use super::explore::{ExploreArgs, progress_line};
use crate::explore::decoder_run::{DecoderExplorer, DecoderReport};

/// The default time a decoder may take for one line.
const DEFAULT_DECODER_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs the decoder exploration of `command`.
pub fn run(args: &ExploreArgs, command: &str) -> ExitCode {
    let timeout = args
        .decoder_timeout
        .map_or(DEFAULT_DECODER_TIMEOUT, Duration::from_millis);
    let mut explorer = DecoderExplorer::new(command, timeout, args.seed, Some(args.out.clone()));
    let _ = writeln!(
        io::stderr(),
        "explore: decoder {command:?} (seed {})",
        args.seed
    );
    let quiet = args.quiet;
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

fn print_report(report: &DecoderReport) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{}", progress_line(&report.progress));
    for found in &report.found {
        let _ = writeln!(
            out,
            "\n[{}] {} case(s), first after {:.1} s\n  {}\n  minimized: {} bytes ({} words beyond the header): {}{}",
            found.signature,
            found.count,
            found.first_seen.as_secs_f64(),
            found.divergence,
            found.bytes.len(),
            (found.bytes.len() / 4).saturating_sub(2),
            crate::hex::encode(&found.bytes),
            found
                .file
                .as_ref()
                .map(|p| format!("\n  written to {}", p.display()))
                .unwrap_or_default()
        );
    }
}
