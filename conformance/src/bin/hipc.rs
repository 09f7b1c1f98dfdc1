//! The `hipc` command: decode and encode HIPC messages, run and record vectors.
//!
//! Thin by design: argument parsing only; every subcommand lives in
//! `hipc_conformance::cli`. To add one, add a variant holding its `clap::Args` struct
//! and a line in `main`'s match.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hipc_conformance::cli::serve_model;
use hipc_conformance::cli::{decode, encode, explore, faults, record, run};

/// Decode, encode and check Horizon IPC (HIPC) messages; replay conformance vectors.
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
    ServeModel(serve_model::ServeModelArgs),
    Run(run::RunArgs),
    Faults(faults::FaultsArgs),
    Record(record::RecordArgs),
    Explore(explore::ExploreArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::ServeModel(args) => serve_model::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Faults(args) => faults::run(&args),
        Command::Record(args) => record::run(&args),
        Command::Explore(args) => explore::run(&args),
    }
}
