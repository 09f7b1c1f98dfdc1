//! The steps of a kernel scenario (vectors/README.md "Steps"): one type per kind of
//! step, so that the runner has one function per kind ([`crate::runner`]).

use serde::Deserialize;

use super::expr::Expr;
use super::pattern::MessagePattern;
use super::scenario::{BufferDecl, CallExpect, ObjectRef};
use crate::kernel::{MemoryAttributes, MemoryState, Permission};

/// One step of a scenario; in files, `"op"` names the kind (the loader turns
/// `{"op": "send", ...}` into `{"send": {...}}` before reading it).
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `"op": "send"`: `SendSyncRequest[WithUserBuffer]`.
    Send(SendStep),
    /// `"op": "send_async"`: `SendAsyncRequestWithUserBuffer`.
    SendAsync(SendAsyncStep),
    /// `"op": "reply_and_receive"`: `ReplyAndReceive[WithUserBuffer]`.
    ReplyAndReceive(ReplyAndReceiveStep),
    /// `"op": "close"`: `CloseHandle`.
    Close(CloseStep),
    /// `"op": "write"`: A debugger write.
    Write(WriteStep),
    /// `"op": "expect_client"`: the client's synchronous request status.
    ExpectClient(ExpectClientStep),
    /// `"op": "expect_message"`: the decoded message in a buffer.
    ExpectMessage(ExpectMessageStep),
    /// `"op": "expect_words"`: words of a buffer.
    ExpectWords(ExpectWordsStep),
    /// `"op": "expect_memory"`: bytes of memory.
    ExpectMemory(ExpectMemoryStep),
    /// `"op": "expect_handle"`: A handle's validity and object.
    ExpectHandle(ExpectHandleStep),
    /// `"op": "count_handles"`: binds the handle count.
    CountHandles(CountHandlesStep),
    /// `"op": "expect_handle_count"`: the handle count.
    ExpectHandleCount(ExpectHandleCountStep),
    /// `"op": "expect_mapping"`: A mapping's state, permission, page offset and contents.
    ExpectMapping(ExpectMappingStep),
    /// `"op": "expect_no_ipc_mappings"`: no IPC mapping left.
    ExpectNoIpcMappings(ExpectNoIpcMappingsStep),
    /// `"op": "expect_access"`: user access to a range.
    ExpectAccess(ExpectAccessStep),
    /// `"op": "expect_event"`: an event's signaled state.
    ExpectEvent(ExpectEventStep),
}

impl Step {
    /// The step's `op` name.
    pub fn op(&self) -> &'static str {
        match self {
            Step::Send(_) => "send",
            Step::SendAsync(_) => "send_async",
            Step::ReplyAndReceive(_) => "reply_and_receive",
            Step::Close(_) => "close",
            Step::Write(_) => "write",
            Step::ExpectClient(_) => "expect_client",
            Step::ExpectMessage(_) => "expect_message",
            Step::ExpectWords(_) => "expect_words",
            Step::ExpectMemory(_) => "expect_memory",
            Step::ExpectHandle(_) => "expect_handle",
            Step::CountHandles(_) => "count_handles",
            Step::ExpectHandleCount(_) => "expect_handle_count",
            Step::ExpectMapping(_) => "expect_mapping",
            Step::ExpectNoIpcMappings(_) => "expect_no_ipc_mappings",
            Step::ExpectAccess(_) => "expect_access",
            Step::ExpectEvent(_) => "expect_event",
        }
    }
}

/// `SendSyncRequest[WithUserBuffer]`.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendStep {
    /// Note.
    pub comment: Option<String>,
    /// Sending thread.
    pub thread: String,
    /// Session handle.
    pub session: Expr,
    /// Message buffer.
    #[serde(default)]
    pub buffer: BufferDecl,
    /// Message written first.
    pub message: Option<MessagePattern>,
    /// Bytes written first.
    pub hex: Option<String>,
    /// Expectation.
    pub expect: Option<CallExpect>,
}

/// `SendAsyncRequestWithUserBuffer`.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendAsyncStep {
    /// Note.
    pub comment: Option<String>,
    /// Sending thread.
    pub thread: String,
    /// Session handle.
    pub session: Expr,
    /// Message buffer (a user buffer).
    pub buffer: BufferDecl,
    /// Message written first.
    pub message: Option<MessagePattern>,
    /// Bytes written first.
    pub hex: Option<String>,
    /// Symbol for the event handle.
    pub bind_event: Option<String>,
    /// Expectation.
    pub expect: Option<CallExpect>,
}

/// `ReplyAndReceive[WithUserBuffer]`.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyAndReceiveStep {
    /// Note.
    pub comment: Option<String>,
    /// Server thread.
    pub thread: String,
    /// Wait handles.
    #[serde(default)]
    pub handles: Vec<Expr>,
    /// Reply target (0 = none).
    pub reply_target: Option<Expr>,
    /// Timeout in ns (default 0).
    pub timeout: Option<Expr>,
    /// Message buffer.
    #[serde(default)]
    pub buffer: BufferDecl,
    /// Message written first.
    pub message: Option<MessagePattern>,
    /// Bytes written first.
    pub hex: Option<String>,
    /// Expectation.
    pub expect: Option<CallExpect>,
}

/// `CloseHandle`.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Handle.
    pub handle: Expr,
    /// Expectation.
    pub expect: Option<CallExpect>,
}

/// A debugger write.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteStep {
    /// Note.
    pub comment: Option<String>,
    /// Thread whose buffer is written.
    pub thread: Option<String>,
    /// Buffer of that thread.
    pub buffer: Option<BufferDecl>,
    /// Or a process ...
    pub process: Option<String>,
    /// ... and address.
    pub address: Option<Expr>,
    /// Message to write.
    pub message: Option<MessagePattern>,
    /// Bytes to write.
    pub hex: Option<String>,
}

/// The client's synchronous request status.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectClientStep {
    /// Note.
    pub comment: Option<String>,
    /// Client thread.
    pub thread: String,
    /// Expected status.
    pub status: CallExpect,
}

/// The decoded message in a buffer.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectMessageStep {
    /// Note.
    pub comment: Option<String>,
    /// Thread whose buffer is read.
    pub thread: Option<String>,
    /// Buffer of that thread.
    pub buffer: Option<BufferDecl>,
    /// Or a process ...
    pub process: Option<String>,
    /// ... and address ...
    pub address: Option<Expr>,
    /// ... and size (default 0x100).
    pub size: Option<Expr>,
    /// The pattern.
    pub message: MessagePattern,
}

/// Words of a buffer.
///
/// Its place keys (`thread`, `buffer`, `process`, `address`, `size`) repeat
/// [`ExpectMessageStep`]'s, as the buffer keys of the syscall steps repeat each
/// other's: serde cannot flatten a shared struct into one that denies unknown
/// fields, and an unknown key must stay an error naming its path.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectWordsStep {
    /// Note.
    pub comment: Option<String>,
    /// Thread whose buffer is read.
    pub thread: Option<String>,
    /// Buffer of that thread.
    pub buffer: Option<BufferDecl>,
    /// Or a process ...
    pub process: Option<String>,
    /// ... and address ...
    pub address: Option<Expr>,
    /// ... and size (default 0x100), as for `expect_message`.
    pub size: Option<Expr>,
    /// First word index (default 0).
    pub offset: Option<Expr>,
    /// Expected words.
    pub words: Vec<Expr>,
}

/// Bytes of memory.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectMemoryStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Address.
    pub address: Expr,
    /// Expected bytes.
    pub hex: String,
}

/// A handle's validity and object.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectHandleStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Handle.
    pub handle: Expr,
    /// Whether it is valid.
    pub valid: bool,
    /// What it must name.
    pub same_object_as: Option<ObjectRef>,
}

/// Binds the handle count.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountHandlesStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Symbol to bind.
    pub bind: String,
}

/// The handle count.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectHandleCountStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Expected count.
    pub count: Expr,
}

/// A mapping's state, permission, page offset and contents.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectMappingStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Address.
    pub address: Expr,
    /// Expected state.
    pub state: Option<MemoryState>,
    /// Expected permission.
    pub permission: Option<Permission>,
    /// Expected attributes.
    pub attributes: Option<MemoryAttributes>,
    /// Expected `address & 0xfff`.
    pub page_offset: Option<Expr>,
    /// Expected bytes at `address`.
    pub hex: Option<String>,
}

/// No IPC mapping left.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectNoIpcMappingsStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
}

/// User access to a range.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectAccessStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Address.
    pub address: Expr,
    /// Size.
    pub size: Expr,
    /// Write (else read).
    pub write: bool,
    /// Whether the access is allowed.
    pub allowed: bool,
}

/// An event's signaled state.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectEventStep {
    /// Note.
    pub comment: Option<String>,
    /// Process.
    pub process: String,
    /// Handle.
    pub handle: Expr,
    /// Expected state.
    pub signaled: bool,
}
