//! The `hipc` command: decode and encode HIPC messages (more subcommands to come).
//!
//! Thin by design: argument parsing only; every subcommand lives in
//! `hipc_conformance::cli`. To add one, add a variant holding its `clap::Args` struct
//! and a line in `main`'s match.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hipc_conformance::cli::{decode, encode};

/// Decode, encode and check Horizon IPC (HIPC) messages.
#[derive(Debug, Parser)]
#[command(name = "hipc", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Decode(decode::DecodeArgs),
    Encode(encode::EncodeArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
    }
}
