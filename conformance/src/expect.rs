//! Known-failure lists (`hipc run --expect FILE`): the vector ids a kernel is known to
//! fail, so that a kernel team can run the suite in CI before passing all of it.
//!
//! File format: one test id per line; `#` starts a comment (whole line or after the
//! id); blank lines are ignored; an id listed twice is an error.
//!
//! Applied to a run ([`KnownFailures::apply`]):
//!
//! * a listed test that fails is an **expected failure**: reported as skipped with
//!   the reason `expected failure (FILE:LINE): <why it failed>`, so it does not fail
//!   the run (JUnit shows it as skipped, like pytest's xfail);
//! * a listed test that passes is an **unexpected pass**: reported as failed, with the
//!   reason saying to remove it from the list, so progress cannot go unnoticed and
//!   the list never hides a regression;
//! * a listed test that is skipped stays skipped;
//! * a listed id that the run did not contain is reported in the summary (a typo, a
//!   renamed vector, or a `--filter`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use crate::report::Entry;
use crate::runner::{Failure, Status};

/// A parsed known-failure list.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KnownFailures {
    /// The file it came from (for reasons).
    pub file: String,
    /// Listed ids and their line numbers (from 1).
    pub ids: BTreeMap<String, usize>,
}

/// What applying a list did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ExpectSummary {
    /// The list's file.
    pub file: String,
    /// Listed tests that failed (now reported as skipped).
    pub expected_failures: Vec<String>,
    /// Listed tests that passed (now reported as failed).
    pub unexpected_passes: Vec<String>,
    /// Listed tests that were skipped.
    pub skipped: Vec<String>,
    /// Listed ids the run did not contain.
    pub not_run: Vec<String>,
}

impl fmt::Display for ExpectSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "known failures ({}): {} expected failures, {} unexpected passes, {} skipped, {} not run",
            self.file,
            self.expected_failures.len(),
            self.unexpected_passes.len(),
            self.skipped.len(),
            self.not_run.len()
        )?;
        for id in &self.unexpected_passes {
            write!(f, "\n  now passing (remove it from the list): {id}")?;
        }
        for id in &self.not_run {
            write!(f, "\n  listed but not run: {id}")?;
        }
        Ok(())
    }
}

impl KnownFailures {
    /// Reads and parses a list.
    pub fn load(path: &Path) -> Result<KnownFailures, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        KnownFailures::parse(&text, &path.display().to_string())
    }

    /// Parses a list; `file` names it in errors and reasons.
    pub fn parse(text: &str, file: &str) -> Result<KnownFailures, String> {
        let mut ids = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let number = n + 1;
            let id = line.split('#').next().unwrap_or_default().trim();
            if id.is_empty() {
                continue;
            }
            if id.contains(char::is_whitespace) {
                return Err(format!("{file}:{number}: one test id per line, got {id:?}"));
            }
            if let Some(first) = ids.insert(id.to_owned(), number) {
                return Err(format!(
                    "{file}:{number}: {id} is already listed on line {first}"
                ));
            }
        }
        Ok(KnownFailures {
            file: file.to_owned(),
            ids,
        })
    }

    /// Rewrites the entries of a run (see the module documentation).
    pub fn apply(&self, entries: &mut [Entry]) -> ExpectSummary {
        let mut summary = ExpectSummary {
            file: self.file.clone(),
            ..ExpectSummary::default()
        };
        let mut seen = BTreeSet::new();
        for entry in entries.iter_mut() {
            let outcome = &mut entry.outcome;
            let Some(&line) = self.ids.get(&outcome.id) else {
                continue;
            };
            seen.insert(outcome.id.clone());
            let at = format!("{}:{line}", self.file);
            match outcome.status {
                Status::Failed => {
                    let why = outcome
                        .reason
                        .clone()
                        .unwrap_or_else(|| "failed".to_owned());
                    outcome.status = Status::Skipped;
                    outcome.reason = Some(format!("expected failure ({at}): {why}"));
                    outcome.failure = None;
                    summary.expected_failures.push(outcome.id.clone());
                }
                Status::Passed => {
                    outcome.status = Status::Failed;
                    outcome.reason = Some(format!(
                        "unexpected pass: {at} lists it as a known failure; remove it from the list"
                    ));
                    outcome.failure = Some(Failure {
                        field: "known failure".into(),
                        expected: format!("a failure (listed in {at})"),
                        actual: "passed".into(),
                        detail: Some("the kernel now passes this test: remove its id from the known-failure list".into()),
                        ..Failure::default()
                    });
                    summary.unexpected_passes.push(outcome.id.clone());
                }
                Status::Skipped => summary.skipped.push(outcome.id.clone()),
            }
        }
        summary.not_run = self
            .ids
            .keys()
            .filter(|id| !seen.contains(*id))
            .cloned()
            .collect();
        summary
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::runner::TestOutcome;
    use crate::vector::{FileKind, Verdict};

    fn outcome(id: &str, status: Status) -> Entry {
        Entry::from(TestOutcome {
            file: "vectors/x.json".into(),
            id: id.into(),
            kind: FileKind::Kernel,
            verdict: Some(Verdict::Valid),
            comment: String::new(),
            status,
            reason: (status != Status::Passed).then(|| "why".to_owned()),
            failure: None,
        })
    }

    #[test]
    fn parses_ids_comments_and_blank_lines() {
        let list = KnownFailures::parse("# header\n\npid-1  # flaky\n  copy-2\n", "k.txt").unwrap();
        assert_eq!(
            list.ids.into_iter().collect::<Vec<_>>(),
            vec![("copy-2".to_owned(), 4), ("pid-1".to_owned(), 3)]
        );
        let err = KnownFailures::parse("a\nb\na\n", "k.txt").unwrap_err();
        assert_eq!(err, "k.txt:3: a is already listed on line 1");
        assert!(KnownFailures::parse("a b\n", "k.txt").is_err());
    }

    #[test]
    fn expected_failures_unexpected_passes_and_stale_ids() {
        let list = KnownFailures::parse("f\np\ns\ngone\n", "k.txt").unwrap();
        let mut entries = vec![
            outcome("f", Status::Failed),
            outcome("p", Status::Passed),
            outcome("s", Status::Skipped),
            outcome("other", Status::Failed),
        ];
        let summary = list.apply(&mut entries);
        assert_eq!(entries[0].outcome.status, Status::Skipped);
        assert_eq!(
            entries[0].outcome.reason.as_deref(),
            Some("expected failure (k.txt:1): why")
        );
        assert_eq!(entries[1].outcome.status, Status::Failed);
        assert!(
            entries[1]
                .outcome
                .reason
                .as_deref()
                .unwrap()
                .contains("unexpected pass")
        );
        assert_eq!(entries[2].outcome.status, Status::Skipped);
        assert_eq!(entries[3].outcome.status, Status::Failed);
        assert_eq!(summary.expected_failures, vec!["f"]);
        assert_eq!(summary.unexpected_passes, vec!["p"]);
        assert_eq!(summary.skipped, vec!["s"]);
        assert_eq!(summary.not_run, vec!["gone"]);
        let text = summary.to_string();
        assert!(text.starts_with("known failures (k.txt): 1 expected failures, 1 unexpected passes, 1 skipped, 1 not run"), "{text}");
        assert!(text.contains("remove it from the list): p"));
    }
}
