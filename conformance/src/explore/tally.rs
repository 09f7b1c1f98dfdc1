//! The bookkeeping every explorer's loop shares ([`super::kernel_run`],
//! [`super::decoder_run`]): when to stop ([`Limits`]), which signatures have been
//! seen (a divergence is minimized once per signature, then only counted), and the
//! progress line about once a second ([`Progress`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::divergence::Signature;
use super::kernel_run::{Limits, Progress};

/// What a run has counted so far.
pub(crate) struct Tally {
    started: Instant,
    last_tick: Instant,
    by_signature: BTreeMap<Signature, usize>,
    /// Cases, divergences and signatures so far (`unsupported` is the kernel
    /// explorer's own to count).
    pub(crate) progress: Progress,
}

impl Tally {
    /// A run starting now.
    pub(crate) fn start() -> Self {
        Tally {
            started: Instant::now(),
            last_tick: Instant::now(),
            by_signature: BTreeMap::new(),
            progress: Progress::default(),
        }
    }

    /// How long the run has been going.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The index of the next case, counted as run; `None` once `limits` are
    /// reached.
    pub(crate) fn next_case(&mut self, limits: &Limits) -> Option<u64> {
        if limits.reached(self.progress.cases, self.started) {
            return None;
        }
        self.progress.cases += 1;
        Some(self.progress.cases - 1)
    }

    /// Counts a divergence with `signature`: the index (in the run's list of
    /// finds) of the earlier find with that signature, or `None` when it is new
    /// and is to be minimized and added with [`Tally::add`].
    pub(crate) fn diverged(&mut self, signature: &Signature) -> Option<usize> {
        self.progress.divergences += 1;
        self.by_signature.get(signature).copied()
    }

    /// Records the new find for `signature` at index `at` of the run's list.
    pub(crate) fn add(&mut self, signature: Signature, at: usize) {
        self.by_signature.insert(signature, at);
        self.progress.signatures = self.by_signature.len();
    }

    /// Calls `progress` if a second has passed since the last call.
    pub(crate) fn tick(&mut self, progress: &mut dyn FnMut(&Progress)) {
        if self.last_tick.elapsed() >= Duration::from_secs(1) {
            self.last_tick = Instant::now();
            self.progress.per_second = self.per_second();
            progress(&self.progress);
        }
    }

    /// The final progress, its rate over the whole run.
    pub(crate) fn finish(mut self) -> Progress {
        self.progress.per_second = self.per_second();
        self.progress
    }

    fn per_second(&self) -> f64 {
        self.progress.cases as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }
}
