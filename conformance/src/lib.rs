//! The hipc conformance suite: recorded vectors, the [`kernel::Kernel`] trait any
//! kernel implements, a reference model kernel, and the runner behind the `hipc`
//! command.

pub mod kernel;
