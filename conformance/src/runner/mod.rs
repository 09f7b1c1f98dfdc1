//! Replaying vectors against a kernel.

pub mod outcome;

pub use outcome::{Failure, Status, TestOutcome};
