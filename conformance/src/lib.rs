//! The hipc conformance suite: recorded vectors, the [`kernel::Kernel`] trait any
//! kernel implements, a reference model kernel, and the runner behind the `hipc`
//! command.

pub mod cli;
pub mod expect;
pub mod hex;
pub mod kernel;
pub mod layer_json;
pub mod message_json;
pub mod model;
pub mod protocol;
pub mod record;
pub mod report;
pub mod runner;
pub mod vector;
