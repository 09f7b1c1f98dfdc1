//! The hipc conformance suite: the runner of the Horizon IPC conformance vectors,
//! the [`kernel::Kernel`] trait any kernel implements, a reference model kernel,
//! and the `hipc` command.
//!
//! The vectors themselves (`vectors/`, format `hipc-vectors/2`), the
//! specification they are written against (`docs/spec/`, hipc-spec/1) and the
//! guide for kernel developers (`docs/validating-a-kernel.md`) are in the hipc
//! repository; the out-of-process protocol (`hipc-kernel/1`) is `PROTOCOL.md`,
//! which ships with this crate.
//!
//! | module | what it holds |
//! |---|---|
//! | [`vector`] | the vector format: files, codec tests, kernel scenarios, what a test needs of a kernel, the loader (v1 files migrated) |
//! | [`runner`] | replaying vectors against a kernel: set-up, steps, observations, symbols, the first difference named by step and field |
//! | [`report`] | plain, JSON and JUnit reports |
//! | [`kernel`] | the [`kernel::Kernel`] trait, capabilities, result codes, memory types |
//! | [`model`] | the reference model kernel, its deliberate faults and its flavours |
//! | [`protocol`] | the out-of-process kernel protocol: client ([`protocol::client::ProcessKernel`]) and server (`hipc serve-model`) |
//! | [`record`] | `hipc record`: a kernel's behaviour written out as vectors |
//! | [`explore`] | `hipc explore`: generated scenarios and messages run on a kernel or decoder and on the reference, differences minimized to vectors |
//! | [`message_json`], [`layer_json`], [`hex`] | the message JSON of docs/spec/message-json.md and its CMIF/TIPC layer objects |
//! | [`cli`], [`expect`] | the `hipc` command and its known-failures list |
//!
//! The module docs link the private modules and functions that do the work (the
//! model's syscalls, the runner's set-up and observations): read them with
//! `cargo doc --document-private-items`, which CI builds with warnings denied.

#![allow(rustdoc::private_intra_doc_links)]

pub mod cli;
pub mod expect;
pub mod explore;
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
