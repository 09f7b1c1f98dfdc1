//! The `hipc run` options of the out-of-process protocol and of known-failure
//! lists, kept here so that `hipc run` only flattens them in
//! (`#[command(flatten)]`) and calls [`KernelProcessArgs::build_kernel`],
//! [`KernelProcessArgs::load_expect`] and [`finish_test`].

use std::path::PathBuf;
use std::time::Duration;

use super::client::{DEFAULT_TIMEOUT, ProcessKernel, ProcessKernelConfig};
use super::outcome_with_fault;
use crate::expect::KnownFailures;
use crate::kernel::Kernel;
use crate::runner::TestOutcome;

/// `--kernel-cmd`, `--kernel-timeout`, `--expect`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KernelProcessArgs {
    /// Test a kernel running in another process: CMD (run with `sh -c`) speaks the
    /// hipc-kernel/1 protocol (conformance/PROTOCOL.md) on its stdin/stdout. It is
    /// restarted after a crash, a hang or garbage, and the run goes on. Overrides
    /// --kernel.
    #[arg(long = "kernel-cmd", value_name = "CMD")]
    pub kernel_cmd: Option<String>,
    /// How long one operation of --kernel-cmd may take, in milliseconds, before the
    /// process is considered hung, killed and restarted [default: 5000].
    #[arg(long = "kernel-timeout", value_name = "MS", requires = "kernel_cmd")]
    pub kernel_timeout: Option<u64>,
    /// Log every line exchanged with the --kernel-cmd process to FILE (`> ` requests,
    /// `< ` answers, `! ` faults, `# ` starts): the first thing to read when writing an
    /// adapter.
    #[arg(long = "kernel-log", value_name = "FILE", requires = "kernel_cmd")]
    pub kernel_log: Option<PathBuf>,
    /// A known-failure list (one test id per line, `#` comments): listed tests that
    /// fail are reported as skipped ("expected failure"), listed tests that pass as
    /// failed ("unexpected pass": remove them from the list). A summary goes to stderr.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
}

impl KernelProcessArgs {
    /// The configuration `--kernel-cmd` and `--kernel-timeout` describe, if any.
    pub fn config(&self) -> Option<ProcessKernelConfig> {
        self.kernel_cmd.as_ref().map(|command| ProcessKernelConfig {
            command: command.clone(),
            timeout: self
                .kernel_timeout
                .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
            log: self.kernel_log.clone(),
        })
    }

    /// Starts the `--kernel-cmd` kernel (`None` without the option); an error when it
    /// cannot be started or fails the handshake. Warnings go to stderr.
    pub fn build_kernel(&self) -> Result<Option<Box<dyn Kernel>>, String> {
        let Some(config) = self.config() else {
            return Ok(None);
        };
        if config.timeout.is_zero() {
            return Err("--kernel-timeout must be at least 1 ms".to_owned());
        }
        let kernel = ProcessKernel::start(config).map_err(|e| e.0)?;
        for warning in kernel.warnings() {
            eprintln!("warning: {warning}");
        }
        Ok(Some(Box::new(kernel)))
    }

    /// Loads the `--expect` list (`None` without the option).
    pub fn load_expect(&self) -> Result<Option<KnownFailures>, String> {
        self.expect.as_deref().map(KnownFailures::load).transpose()
    }
}

/// What the runner does after each test: a fault the kernel recorded during it
/// ([`Kernel::take_fault`]) becomes the test's failure ([`outcome_with_fault`]).
pub fn finish_test(kernel: &mut dyn Kernel, outcome: TestOutcome) -> TestOutcome {
    let fault = kernel.take_fault();
    outcome_with_fault(outcome, fault)
}
