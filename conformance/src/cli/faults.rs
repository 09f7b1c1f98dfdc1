//! `hipc faults`: the deliberate bugs the model can be built with.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::model::Fault;

/// List every fault the model can be built with (`hipc run --kernel model:FAULT`),
/// one per line: its name and what it breaks.
#[derive(Debug, Clone, clap::Args)]
pub struct FaultsArgs {}

/// The listing: `NAME  description`, names padded to one column.
pub fn listing() -> String {
    let width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
    let mut out = String::new();
    for fault in Fault::ALL {
        out.push_str(&format!(
            "{:width$}  {}\n",
            fault.name(),
            fault.description()
        ));
    }
    out
}

/// Runs `hipc faults`.
pub fn run(_args: &FaultsArgs) -> ExitCode {
    let mut out = io::stdout().lock();
    match out
        .write_all(listing().as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
