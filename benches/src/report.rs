//! The ratio report printed after a benchmark run: each measurement beside its
//! baseline from the *same* run, and whether the target holds.
//!
//! Criterion writes each benchmark's estimates to
//! `<criterion dir>/<group>/<function>/<shape>/new/estimates.json`; the report reads
//! only files written since the run started, so a stale result from an earlier run
//! (or a benchmark filtered out of this one) is never compared.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where criterion keeps its results: `$CRITERION_HOME`, else `criterion/` in the
/// target directory the running benchmark executable was built in
/// (`<target>/release/deps/<bench>`). The benchmarks hand this directory to
/// criterion, so both agree whatever the working directory.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    target_dir()
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("criterion")
}

/// The cargo target directory of the running executable, when it sits in one
/// (`<target>/<profile>/deps/<exe>`).
pub fn target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let profile = deps.parent()?;
    Some(profile.parent()?.to_path_buf())
}

/// Whether the executable was started to measure (`cargo bench`), rather than to
/// test (`cargo test --benches`, `-- --test`), list or profile.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// The time per iteration of benchmark `id` (`group/function/shape`) in
/// nanoseconds, if criterion wrote it since `since`: the regression slope when
/// criterion computed one, else the mean.
pub fn estimate_ns(dir: &Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let point = |key: &str| json.get(key)?.get("point_estimate")?.as_f64();
    point("slope").or_else(|| point("mean"))
}

/// One line of the report.
#[derive(Debug, Clone)]
pub enum Check {
    /// `id` takes at most `limit` times as long as `baseline`.
    Ratio {
        /// The measured benchmark.
        id: String,
        /// Its baseline.
        baseline: String,
        /// The largest acceptable ratio (a ratio below 1 means "faster than").
        limit: f64,
    },
    /// `id` runs at least `min_per_second` elements per second, `elements` per
    /// iteration.
    Throughput {
        /// The measured benchmark.
        id: String,
        /// Elements per iteration.
        elements: u64,
        /// The least acceptable rate.
        min_per_second: f64,
        /// What an element is (`vectors`).
        unit: &'static str,
    },
}

/// Renders the report for the checks whose benchmarks ran since `since`; `None`
/// when none did (a filtered run, or a run that only tested).
pub fn render(dir: &Path, since: SystemTime, checks: &[Check]) -> Option<String> {
    let mut out = String::new();
    let (mut held, mut missed) = (0, 0);
    for check in checks {
        match check {
            Check::Ratio {
                id,
                baseline,
                limit,
            } => {
                let (Some(t), Some(b)) = (
                    estimate_ns(dir, id, since),
                    estimate_ns(dir, baseline, since),
                ) else {
                    continue;
                };
                let ratio = t / b;
                let ok = ratio <= *limit;
                if ok {
                    held += 1
                } else {
                    missed += 1
                }
                let _ = writeln!(
                    out,
                    "  {id:<28} {t:>9.2} ns / {baseline:<26} {b:>9.2} ns = {ratio:>5.2}x  \
                     (target <= {limit}x) {}",
                    if ok { "holds" } else { "MISSED" }
                );
            }
            Check::Throughput {
                id,
                elements,
                min_per_second,
                unit,
            } => {
                let Some(t) = estimate_ns(dir, id, since) else {
                    continue;
                };
                let rate = *elements as f64 / (t * 1e-9);
                let ok = rate >= *min_per_second;
                if ok {
                    held += 1
                } else {
                    missed += 1
                }
                let _ = writeln!(
                    out,
                    "  {id:<28} {:>9.3} ms for {elements} {unit} = {rate:>9.0} {unit}/s  \
                     (target >= {min_per_second}) {}",
                    t * 1e-6,
                    if ok { "holds" } else { "MISSED" }
                );
            }
        }
    }
    if held + missed == 0 {
        return None;
    }
    let _ = writeln!(out, "targets: {held} hold, {missed} missed");
    Some(out)
}

/// Prints [`render`]'s report under `title`, when there is one.
pub fn print(title: &str, since: SystemTime, checks: &[Check]) {
    if let Some(text) = render(&criterion_dir(), since, checks) {
        println!("\n{title} (time per iteration from this run's estimates):\n{text}");
    }
}
