//! The plain-text report, for people.
//!
//! ```text
//! kernel fake 1 (capabilities: tls-buffer); vectors hipc-vectors/2, written against hipc-spec/1
//!
//! FAIL pid-substituted (vectors/pid.json)
//!   step 4 (expect_message): message.pid is 0x1234, expected 0x51
//!   at:       step 4 (expect_message)
//!   field:    message.pid
//!   expected: 0x51
//!   actual:   0x1234
//!   detail:   $pid.C is bound to 0x51
//!   bytes (16 per line; exp = expected, act = actual, ^^ under each byte that differs):
//!     0000      04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
//!     0010  exp 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
//!           act 34 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00
//!               ^^ ^^
//!     0020  exp 00 00 00 00 00 00 00 00 aa bb
//!           act 00 00 00 00 00 00 00 00 -- --
//!                                       ^^ ^^
//!     expected 42 bytes, actual 40 bytes
//!
//! LOAD ERROR vectors/bad.json
//!   test: bad-result
//!   at:   groups[0].tests[1].steps[0].expect.result
//!   unknown result name "NoSuchResult"
//!
//! SKIP 2 tests: requires async
//!   async-1, async-2
//!
//! kernel: 0 passed, 2 failed, 2 skipped; codec: 1 passed, 0 failed, 0 skipped
//! ```
//!
//! Skipped tests are grouped by reason (a kernel lacking a capability skips many
//! tests for the same reason); `--verbose` lists them one per line with their file
//! instead, and adds a `PASS` line for every test that passed. With `--probe`, the
//! skipped tests that were run anyway come in their own section before the skips
//! (`PROBE ...`, each failure as `WOULD FAIL` with the same details as a `FAIL`),
//! and never count in the last line. The last line counts each kind of test apart
//! ([`KindSummary`]).

use std::fmt::Write as _;

use super::{Entry, KindSummary, ProbeSummary, RunInfo};
use crate::runner::{Status, TestOutcome};
use crate::vector::LoadError;

/// Bytes per hex-dump line.
pub const BYTES_PER_LINE: usize = 16;

/// Dumps of at most this many lines are shown whole; longer ones only around the
/// lines that differ.
const WHOLE_DUMP_LINES: usize = 8;

/// Renders the whole report; the first line names the kernel and the
/// specification, the last line is the summary line.
pub fn render(run: &RunInfo, entries: &[Entry], verbose: bool) -> String {
    let mut out = run.headline();
    out.push_str("\n\n");
    for entry in entries {
        let outcome = &entry.outcome;
        match (outcome.status, &entry.load_error) {
            (Status::Failed, None) => {
                out.push_str(&failure_block(outcome));
                out.push('\n');
            }
            (Status::Passed, _) if verbose => {
                let _ = writeln!(out, "PASS {} ({})", outcome.id, outcome.file);
            }
            _ => {}
        }
    }
    if verbose && entries.iter().any(|e| e.outcome.status == Status::Passed) {
        out.push('\n');
    }
    for error in entries.iter().filter_map(|e| e.load_error.as_ref()) {
        out.push_str(&load_error_block(error));
        out.push('\n');
    }
    out.push_str(&probe_section(entries));
    out.push_str(&skipped_section(entries, verbose));
    let _ = writeln!(out, "{}", KindSummary::of_entries(entries));
    out
}

/// The tests `--probe` ran although the kernel's capabilities exclude them: what
/// the suite would find in the parts the kernel has not claimed yet.
fn probe_section(entries: &[Entry]) -> String {
    let summary = ProbeSummary::of_entries(entries);
    let mut out = String::new();
    if summary.would_pass + summary.would_fail == 0 {
        return out;
    }
    let _ = writeln!(
        out,
        "PROBE (not part of the verdict): {} skipped tests run anyway: {} would pass, {} would fail",
        summary.would_pass + summary.would_fail,
        summary.would_pass,
        summary.would_fail
    );
    let mut passing = Vec::new();
    for probe in entries.iter().filter_map(|e| e.probe.as_ref()) {
        if probe.status == Status::Passed {
            passing.push(probe.id.as_str());
        } else {
            out.push_str(&format!("WOULD {}", failure_block(probe)));
        }
    }
    if !passing.is_empty() {
        let _ = writeln!(out, "WOULD PASS {} tests:", passing.len());
        let _ = writeln!(out, "  {}", passing.join(", "));
    }
    out.push('\n');
    out
}

/// A malformed file or test: the file, the test id, the JSON path and the problem.
pub fn load_error_block(error: &LoadError) -> String {
    let mut out = format!("LOAD ERROR {}\n", error.file);
    let _ = writeln!(out, "  test: {}", error.test_id.as_deref().unwrap_or("-"));
    let _ = writeln!(out, "  at:   {}", error.path.as_deref().unwrap_or("-"));
    let _ = writeln!(out, "  {}", error.message);
    out
}

fn skipped_section(entries: &[Entry], verbose: bool) -> String {
    let skipped: Vec<&TestOutcome> = entries
        .iter()
        .map(|e| &e.outcome)
        .filter(|o| o.status == Status::Skipped)
        .collect();
    let mut out = String::new();
    if skipped.is_empty() {
        return out;
    }
    if verbose {
        for o in &skipped {
            let _ = writeln!(
                out,
                "SKIP {} ({}): {}",
                o.id,
                o.file,
                o.reason.as_deref().unwrap_or("no reason given")
            );
        }
    } else {
        // Group by reason, in order of first appearance.
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for o in &skipped {
            let reason = o.reason.as_deref().unwrap_or("no reason given");
            match groups.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, ids)) => ids.push(&o.id),
                None => groups.push((reason, vec![&o.id])),
            }
        }
        for (reason, ids) in groups {
            let noun = if ids.len() == 1 { "test" } else { "tests" };
            let _ = writeln!(out, "SKIP {} {noun}: {reason}", ids.len());
            let _ = writeln!(out, "  {}", ids.join(", "));
        }
    }
    out.push('\n');
    out
}

/// The report of one failed test: id and file, the one-line reason, the step, the
/// field, expected and actual values, the detail, and the annotated hex dump. Also
/// the body of the JUnit failure.
pub fn failure_block(outcome: &TestOutcome) -> String {
    let mut out = format!("FAIL {} ({})\n", outcome.id, outcome.file);
    if let Some(reason) = &outcome.reason {
        let _ = writeln!(out, "  {reason}");
    }
    let Some(failure) = &outcome.failure else {
        return out;
    };
    let place = match (failure.step, &failure.op) {
        (Some(step), Some(op)) => Some(format!("step {step} ({op})")),
        (Some(step), None) => Some(format!("step {step}")),
        (None, Some(op)) => Some(op.clone()),
        (None, None) => None,
    };
    if let Some(place) = place {
        let _ = writeln!(out, "  at:       {place}");
    }
    let _ = writeln!(out, "  field:    {}", failure.field);
    let _ = writeln!(out, "  expected: {}", failure.expected);
    let _ = writeln!(out, "  actual:   {}", failure.actual);
    if let Some(detail) = &failure.detail {
        let _ = writeln!(out, "  detail:   {detail}");
    }
    match (&failure.expected_bytes, &failure.actual_bytes) {
        (Some(expected), Some(actual)) => {
            let _ = writeln!(
                out,
                "  bytes ({BYTES_PER_LINE} per line; exp = expected, act = actual, ^^ under each byte that differs):"
            );
            for line in hex_diff(expected, actual).lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        (Some(bytes), None) | (None, Some(bytes)) => {
            let which = if failure.expected_bytes.is_some() {
                "expected"
            } else {
                "actual"
            };
            let _ = writeln!(out, "  {which} bytes:");
            for line in hex_diff(bytes, bytes).lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        (None, None) => {}
    }
    out
}

fn hex_row(bytes: &[u8], start: usize, other: &[u8]) -> String {
    let mut row = String::with_capacity(BYTES_PER_LINE * 3);
    for i in start..start + BYTES_PER_LINE {
        if i > start {
            row.push(' ');
        }
        match bytes.get(i) {
            Some(b) => {
                let _ = write!(row, "{b:02x}");
            }
            // Past the end of this side but not of the other: a missing byte.
            None if i < other.len() => row.push_str("--"),
            None => {}
        }
    }
    row.truncate(row.trim_end().len());
    row
}

/// An annotated hex dump of `expected` against `actual`, 16 bytes per line with
/// the offset in hex. A line where both agree is printed once; a line that differs
/// is printed twice (`exp`, `act`) with `^^` under each differing byte. A byte
/// present on one side only shows as `--` on the other and counts as differing. In
/// dumps longer than 8 lines, runs of equal lines away from any difference are
/// folded into `...`.
pub fn hex_diff(expected: &[u8], actual: &[u8]) -> String {
    let len = expected.len().max(actual.len());
    let lines = len.div_ceil(BYTES_PER_LINE);
    let width = if len > 0x10000 { 8 } else { 4 };
    let differs = |line: usize| {
        (line * BYTES_PER_LINE..(line + 1) * BYTES_PER_LINE)
            .any(|i| i < len && expected.get(i) != actual.get(i))
    };
    let line_differs: Vec<bool> = (0..lines).map(differs).collect();
    let near_difference = |line: usize| {
        let lo = line.saturating_sub(1);
        let hi = (line + 1).min(lines.saturating_sub(1));
        (lo..=hi).any(|l| line_differs.get(l).copied().unwrap_or(false))
    };
    let mut out = String::new();
    let mut folded = 0usize;
    let pad = " ".repeat(width);
    for line in 0..lines {
        let start = line * BYTES_PER_LINE;
        let this_differs = line_differs.get(line).copied().unwrap_or(false);
        if lines > WHOLE_DUMP_LINES && !near_difference(line) {
            folded += 1;
            continue;
        }
        if folded > 0 {
            let _ = writeln!(
                out,
                "{pad}      ... {folded} equal line{}",
                if folded == 1 { "" } else { "s" }
            );
            folded = 0;
        }
        if this_differs {
            let _ = writeln!(
                out,
                "{start:0width$x}  exp {}",
                hex_row(expected, start, actual)
            );
            let _ = writeln!(out, "{pad}  act {}", hex_row(actual, start, expected));
            let mut marks = String::new();
            for i in start..(start + BYTES_PER_LINE).min(len) {
                if i > start {
                    marks.push(' ');
                }
                marks.push_str(if expected.get(i) == actual.get(i) {
                    "  "
                } else {
                    "^^"
                });
            }
            let _ = writeln!(out, "{pad}      {}", marks.trim_end());
        } else {
            let _ = writeln!(
                out,
                "{start:0width$x}      {}",
                hex_row(expected, start, actual)
            );
        }
    }
    if folded > 0 {
        let _ = writeln!(
            out,
            "{pad}      ... {folded} equal line{}",
            if folded == 1 { "" } else { "s" }
        );
    }
    if expected.len() != actual.len() {
        let _ = writeln!(
            out,
            "expected {} bytes, actual {} bytes",
            expected.len(),
            actual.len()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn a_failure_names_everything() {
        let text = render(&run_info(), &sample(), false);
        for needle in [
            "FAIL pid-substituted (vectors/pid.json)",
            "at:       step 4 (expect_message)",
            "field:    message.pid",
            "expected: 0x51",
            "actual:   0x1234",
            "detail:   $pid.C is bound to 0x51",
            "0000      04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
            "0010  exp 51 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
            "      act 34 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
            "          ^^ ^^\n",
            "0020  exp 00 00 00 00 00 00 00 00 aa bb\n",
            "      act 00 00 00 00 00 00 00 00 -- --\n",
            "                                  ^^ ^^\n",
            "expected 42 bytes, actual 40 bytes",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
        }
        assert!(
            text.starts_with(
                "kernel fake 1 (capabilities: tls-buffer); vectors hipc-vectors/2, written against hipc-spec/1\n\n"
            ),
            "{text}"
        );
        assert_eq!(
            text.lines().last(),
            Some("kernel: 0 passed, 2 failed, 2 skipped; codec: 1 passed, 0 failed, 0 skipped")
        );
    }

    #[test]
    fn probes_are_apart_from_the_verdict() {
        let mut entries = sample();
        entries[2].probe = Some(failed("vectors/async.json", "async-1"));
        entries[3].probe = Some(passed("vectors/async.json", "async-2"));
        let text = render(&run_info(), &entries, false);
        assert!(
            text.contains(
                "PROBE (not part of the verdict): 2 skipped tests run anyway: 1 would pass, 1 would fail\n\
                 WOULD FAIL async-1 (vectors/async.json)\n"
            ),
            "{text}"
        );
        assert!(text.contains("  field:    message.pid\n"), "{text}");
        assert!(text.contains("WOULD PASS 1 tests:\n  async-2\n"), "{text}");
        assert_eq!(
            text.lines().last(),
            Some("kernel: 0 passed, 2 failed, 2 skipped; codec: 1 passed, 0 failed, 0 skipped")
        );
    }

    #[test]
    fn offsets_and_markers_line_up() {
        let text = hex_diff(
            &[0u8; 20],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9],
        );
        let lines: Vec<&str> = text.lines().collect();
        // Column of the first byte is the same on every row.
        assert!(lines[0].starts_with("0000  exp 00 00 "), "{text}");
        let last_marker = lines[2].rfind("^^").unwrap();
        assert_eq!(&lines[1][last_marker..last_marker + 2], "01");
        assert_eq!(lines[3], "0010  exp 00 00 00 00");
        assert_eq!(lines[5].trim(), "^^");
        assert_eq!(lines[5].find("^^"), lines[4].find("09"));
    }

    #[test]
    fn long_equal_runs_are_folded() {
        let expected = vec![0u8; 0x100];
        let mut actual = expected.clone();
        actual[0x80] = 1;
        let text = hex_diff(&expected, &actual);
        assert!(text.contains("... 7 equal lines"), "{text}");
        assert!(text.contains("0070      "), "{text}");
        assert!(text.contains("0080  exp "), "{text}");
        assert!(text.contains("0090      "), "{text}");
        assert!(text.contains("... 6 equal lines"), "{text}");
    }

    #[test]
    fn load_errors_name_file_test_and_path() {
        let text = render(&run_info(), &sample(), false);
        assert!(text.contains("LOAD ERROR vectors/bad.json\n  test: bad-result\n  at:   groups[0].tests[1].steps[0].expect.result\n  unknown result name"), "{text}");
        // Not also listed as an ordinary failure.
        assert!(!text.contains("FAIL bad-result"), "{text}");
    }

    #[test]
    fn skipped_grouped_or_listed() {
        let text = render(&run_info(), &sample(), false);
        assert!(
            text.contains("SKIP 2 tests: requires async\n  async-1, async-2\n"),
            "{text}"
        );
        assert!(!text.contains("PASS"), "{text}");
        let text = render(&run_info(), &sample(), true);
        assert!(
            text.contains("SKIP async-1 (vectors/async.json): requires async\n"),
            "{text}"
        );
        assert!(
            text.contains("PASS codec-ok (vectors/codec.json)\n"),
            "{text}"
        );
    }

    #[test]
    fn empty_run() {
        let text = render(&run_info(), &[], false);
        assert_eq!(text.lines().last(), Some("0 passed, 0 failed, 0 skipped"));
    }
}
