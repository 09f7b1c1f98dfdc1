//! `hipc explore --decoder-cmd`.

use std::process::ExitCode;

use super::explore::ExploreArgs;

/// Runs the decoder exploration.
pub fn run(args: &ExploreArgs, command: &str) -> ExitCode {
    let _ = (args, command);
    ExitCode::FAILURE
}
