//! `hipc explore` against a kernel: generate cases, run each on the reference
//! model (recording its behaviour as the expectation, [`super::case`]) and on the
//! kernel under test, group the failures by signature, minimize the first case of
//! each signature ([`super::shrink`]) and write it as a vector file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::case::{Case, build};
use super::choices::case_bytes;
use super::divergence::{Divergence, Signature};
use super::scenario::Allowed;
use super::shrink::{DEFAULT_BUDGET, shrink};
use super::tally::Tally;
use crate::cli::run::run_one;
use crate::kernel::{Kernel, KernelInfo};
use crate::model::{Flavour, ModelKernel, ModelOptions};
use crate::record::to_vector_json;
use crate::runner::{Status, TestOutcome};
use crate::vector::Test;

/// How many choice bytes a case starts from (more than any scenario reads).
pub const CASE_BYTES: usize = 256;

/// When a run stops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// After this many cases.
    pub cases: Option<u64>,
    /// After this long.
    pub time: Option<Duration>,
    /// After the first divergence (once minimized).
    pub stop_at_first: bool,
}

impl Limits {
    pub(crate) fn reached(&self, cases: u64, started: Instant) -> bool {
        self.cases.is_some_and(|n| cases >= n) || self.time.is_some_and(|t| started.elapsed() >= t)
    }
}

/// Where a run stands, for the progress line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Cases run.
    pub cases: u64,
    /// Cases per second so far.
    pub per_second: f64,
    /// Cases that diverged.
    pub divergences: u64,
    /// Distinct signatures among them.
    pub signatures: usize,
    /// Cases the kernel under test could not set up (not divergences).
    pub unsupported: u64,
}

/// One distinct problem: its signature, the minimized case and where it is.
#[derive(Clone, Debug)]
pub struct Found {
    /// The signature.
    pub signature: Signature,
    /// The minimized case's divergence.
    pub divergence: Divergence,
    /// How many cases diverged this way.
    pub count: u64,
    /// How long into the run it was first seen.
    pub first_seen: Duration,
    /// The vector file written, if any.
    pub file: Option<PathBuf>,
    /// Steps of the minimized test.
    pub steps: usize,
    /// Whether the minimized vector passes on the reference model (it must).
    pub passes_on_model: bool,
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The final progress.
    pub progress: Progress,
    /// The distinct problems, in the order found.
    pub found: Vec<Found>,
    /// Cases the generator or the model could not build (bugs of hipc), with one
    /// example message.
    pub build_errors: (u64, Option<String>),
}

/// A kernel run in progress.
pub struct KernelExplorer<'k> {
    kernel: &'k mut dyn Kernel,
    info: KernelInfo,
    model: ModelKernel,
    allowed: Allowed,
    flavour: Flavour,
    seed: u64,
    out: Option<PathBuf>,
}

impl<'k> KernelExplorer<'k> {
    /// An explorer of `kernel` from `seed`, writing vectors into `out`.
    pub fn new(kernel: &'k mut dyn Kernel, seed: u64, out: Option<PathBuf>) -> Self {
        let info = kernel.info();
        let allowed = Allowed::of(&info.capabilities);
        // The "any" buffer must resolve alike on both kernels (vectors/README.md
        // "Buffers"): a kernel without the TLS syscalls is compared with the model
        // shaped the same way.
        let flavour = if allowed.has(crate::kernel::Capability::TlsBuffer) {
            Flavour::NONE
        } else {
            Flavour::parse("user-buffer-only").unwrap_or(Flavour::NONE)
        };
        let model = ModelKernel::with_options(ModelOptions {
            flavour,
            ..ModelOptions::default()
        });
        KernelExplorer {
            kernel,
            info,
            model,
            allowed,
            flavour,
            seed,
            out,
        }
    }

    /// The kernel under test as it described itself.
    pub fn info(&self) -> &KernelInfo {
        &self.info
    }

    /// Runs until `limits`, calling `progress` about once a second.
    pub fn run(&mut self, limits: Limits, progress: &mut dyn FnMut(&Progress)) -> Report {
        let mut tally = Tally::start();
        let mut report = Report::default();
        while let Some(index) = tally.next_case(&limits) {
            let bytes = case_bytes(self.seed, index, CASE_BYTES);
            match self.try_case(&bytes) {
                Err(message) => {
                    report.build_errors.0 += 1;
                    report.build_errors.1.get_or_insert(message);
                }
                Ok(None) => {}
                Ok(Some(Verdict::Unsupported)) => tally.progress.unsupported += 1,
                Ok(Some(Verdict::Diverged(d))) => {
                    let signature = d.signature();
                    if let Some(i) = tally.diverged(&signature) {
                        if let Some(f) = report.found.get_mut(i) {
                            f.count += 1;
                        }
                    } else {
                        let found = self.minimize(&bytes, &signature, d, tally.elapsed(), index);
                        tally.add(signature, report.found.len());
                        report.found.push(found);
                        if limits.stop_at_first {
                            break;
                        }
                    }
                }
            }
            tally.tick(progress);
        }
        report.progress = tally.finish();
        report
    }

    /// Builds and runs one case: `None` when the kernel under test agrees.
    fn try_case(&mut self, bytes: &[u8]) -> Result<Option<Verdict>, String> {
        let case = build(&mut self.model, self.allowed, bytes, "explore-case")?;
        Ok(self.verdict(&case))
    }

    fn verdict(&mut self, case: &Case) -> Option<Verdict> {
        let test = case.loaded.tests().find(|t| matches!(t, Test::Kernel(_)))?;
        let outcome: TestOutcome = run_one(self.kernel, &self.info, &case.loaded, test);
        match (&outcome.status, &outcome.failure) {
            (Status::Failed, Some(f)) if f.op.as_deref() == Some("setup") => {
                Some(Verdict::Unsupported)
            }
            (Status::Failed, Some(f)) => Some(Verdict::Diverged(Divergence::from_failure(f))),
            (Status::Failed, None) => Some(Verdict::Diverged(Divergence {
                op: "kernel".into(),
                field: "outcome".into(),
                expected: "pass".into(),
                actual: outcome.reason.clone().unwrap_or_default(),
                detail: None,
                step: None,
            })),
            _ => None,
        }
    }

    /// Shrinks a diverging case and writes it.
    fn minimize(
        &mut self,
        bytes: &[u8],
        signature: &Signature,
        first: Divergence,
        first_seen: Duration,
        index: u64,
    ) -> Found {
        let minimal = shrink(bytes, DEFAULT_BUDGET, |candidate| {
            match build(&mut self.model, self.allowed, candidate, "explore-case") {
                Ok(case) => matches!(self.verdict(&case),
                    Some(Verdict::Diverged(d)) if d.signature() == *signature),
                Err(_) => false,
            }
        });
        let id = format!("explore-{}", signature.file_stem());
        let mut found = Found {
            signature: signature.clone(),
            divergence: first,
            count: 1,
            first_seen,
            file: None,
            steps: 0,
            passes_on_model: false,
        };
        let Ok(mut case) = build(&mut self.model, self.allowed, &minimal, &id) else {
            return found;
        };
        if let Some(Verdict::Diverged(d)) = self.verdict(&case) {
            if let Some(trimmed) = d.step.and_then(|k| case.trimmed(k)) {
                match self.verdict(&trimmed) {
                    Some(Verdict::Diverged(t)) if t.signature() == *signature => case = trimmed,
                    _ => {}
                }
            }
            found.divergence = d;
        }
        found.steps = case.test().map_or(0, |t| t.steps.len());
        let comment = self.comment(&found.divergence, index, &minimal);
        if let Some(t) = case.test_json_mut() {
            t["comment"] = Value::String(comment);
        }
        found.passes_on_model = passes_on_model(&case, self.flavour);
        if let Some(dir) = &self.out {
            let path = dir.join(format!("{id}.json"));
            if write_file(&path, &case.file).is_ok() {
                found.file = Some(path);
            }
        }
        found
    }

    /// The test's comment: where it came from and what the other kernel did, as a
    /// question (never a verdict).
    fn comment(&self, d: &Divergence, index: u64, bytes: &[u8]) -> String {
        format!(
            "Explored (seed {}, case {index}, minimized to {} choice bytes: {}). The expectations are the reference model's. The kernel under test ({} {}) differs at {} {}: the model gives {}, it gives {}{}. Which of the two does docs/spec/ require? A question for a person, not a verdict.",
            self.seed,
            bytes.len(),
            crate::hex::encode(bytes),
            self.info.name,
            self.info.version,
            d.op,
            d.field,
            d.expected,
            d.actual,
            d.detail
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default(),
        )
    }
}

/// Whether a case's vector passes on a fresh reference model: an explored vector
/// must, since its expectations are the model's.
fn passes_on_model(case: &Case, flavour: Flavour) -> bool {
    let mut model = ModelKernel::with_options(ModelOptions {
        flavour,
        ..ModelOptions::default()
    });
    let info = model.info();
    case.loaded
        .tests()
        .all(|t| run_one(&mut model, &info, &case.loaded, t).status == Status::Passed)
}

fn write_file(path: &Path, file: &Value) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, to_vector_json(file))
}

/// What running a case on the kernel under test gave, when not agreement.
enum Verdict {
    /// The kernel could not perform the set-up (an adapter limit, not a divergence).
    Unsupported,
    /// It behaved differently.
    Diverged(Divergence),
}
