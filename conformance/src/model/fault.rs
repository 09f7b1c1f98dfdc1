//! Deliberate bugs the model can be built with, to show that the vectors catch them.
//!
//! A faulty model is the reference kernel with exactly one behaviour changed. Each
//! fault has a stable kebab-case name (`hipc faults` lists them; `--kernel
//! model:NAME` selects one) and a one-line description. Most are divergences real
//! kernels have had: the SunriseOS ones are kernel-semantics.md §7, rows given in the
//! descriptions.

use std::fmt;

/// One deliberate bug. Applied with [`super::ModelKernel::with_fault`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Fault {
    /// The sender's PID slot is delivered as written instead of the real process id.
    PidNotSubstituted,
    /// A copy handle is removed from the sender's table (as if moved).
    CopyHandleMoved,
    /// A moved handle stays valid in the sender's table.
    MoveHandleLeftInSender,
    /// Move handles in a request are accepted and moved (SunriseOS, §7 row 28).
    MoveHandlesAcceptedInRequest,
    /// Single-buffer receive lists (mode 2) pack pointers without 16-byte alignment
    /// (SunriseOS, §7 row 19).
    SingleBufferUnaligned,
    /// Indexed receive lists always use entry 0, whatever the descriptor's index.
    IndexIgnored,
    /// The receive-list offset is ignored: the list is always read right after the
    /// raw data and never validated (SunriseOS, §7 row 13).
    RecvListOffsetIgnored,
    /// A zero-size X descriptor is not special-cased: it needs a receive buffer
    /// (SunriseOS, §7 rows 16 and 21).
    ZeroSizeXRejected,
    /// A/B/W descriptors in a reply are not refused; their words pass through.
    MapAliasAllowedInReply,
    /// The partial head/tail pages of B buffers are not copied back at reply.
    BNotCopiedBack,
    /// Map-alias attribute 2 is accepted (as attribute 0) instead of refused.
    Attribute2Accepted,
    /// Handles already copied into the receiver are not removed when translation
    /// fails later.
    NoHandleRollback,
    /// A request translation error goes to the server (with the session's index), the
    /// request stays current and the client is not woken (SunriseOS, §7 row 7).
    ErrorToServer,
    /// Requests are received newest first (SunriseOS, §7 row 4).
    LifoQueue,
    /// A reply with no current request succeeds silently instead of InvalidState.
    ReplyWithoutRequestAccepted,
    /// A message with W but no A and no B descriptors skips map-alias translation and
    /// copies its raw data from the W words (SunriseOS, §7 row 31).
    WOnlyNotTranslated,
    /// Copied pseudo-handles resolve to the receiving process/thread (SunriseOS, §7 row 25).
    PseudoHandleResolvesToReceiver,
    /// Partial pages of B buffers receive the client's bytes instead of zero fill
    /// (SunriseOS, §7 row 36).
    BPartialPagesCopied,
    /// Interrupt events can be copied (SunriseOS, §7 row 26).
    InterruptEventTransferable,
    /// Copy handle 0 is refused with InvalidHandle (SunriseOS, §7 row 24).
    CopyHandleZeroRejected,
    /// The server's mapping of an A buffer is writable (SunriseOS, §7 row 35).
    ServerMapsAWritable,
    /// The client's fully covered pages keep their permissions while lent (SunriseOS, §7 row 35).
    ClientPagesNotReprotected,
    /// A failed receive never reports ReceiveListBroken (SunriseOS, §7 row 9).
    ReceiveListNeverBroken,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: &'static [Fault] = &[
        Fault::PidNotSubstituted,
        Fault::CopyHandleMoved,
        Fault::MoveHandleLeftInSender,
        Fault::MoveHandlesAcceptedInRequest,
        Fault::SingleBufferUnaligned,
        Fault::IndexIgnored,
        Fault::RecvListOffsetIgnored,
        Fault::ZeroSizeXRejected,
        Fault::MapAliasAllowedInReply,
        Fault::BNotCopiedBack,
        Fault::Attribute2Accepted,
        Fault::NoHandleRollback,
        Fault::ErrorToServer,
        Fault::LifoQueue,
        Fault::ReplyWithoutRequestAccepted,
        Fault::WOnlyNotTranslated,
        Fault::PseudoHandleResolvesToReceiver,
        Fault::BPartialPagesCopied,
        Fault::InterruptEventTransferable,
        Fault::CopyHandleZeroRejected,
        Fault::ServerMapsAWritable,
        Fault::ClientPagesNotReprotected,
        Fault::ReceiveListNeverBroken,
    ];

    /// The stable kebab-case name (`"lifo-queue"`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::PidNotSubstituted => "pid-not-substituted",
            Fault::CopyHandleMoved => "copy-handle-moved",
            Fault::MoveHandleLeftInSender => "move-handle-left-in-sender",
            Fault::MoveHandlesAcceptedInRequest => "move-handles-accepted-in-request",
            Fault::SingleBufferUnaligned => "single-buffer-unaligned",
            Fault::IndexIgnored => "index-ignored",
            Fault::RecvListOffsetIgnored => "recv-list-offset-ignored",
            Fault::ZeroSizeXRejected => "zero-size-x-rejected",
            Fault::MapAliasAllowedInReply => "map-alias-allowed-in-reply",
            Fault::BNotCopiedBack => "b-not-copied-back",
            Fault::Attribute2Accepted => "attribute-2-accepted",
            Fault::NoHandleRollback => "no-handle-rollback",
            Fault::ErrorToServer => "error-to-server",
            Fault::LifoQueue => "lifo-queue",
            Fault::ReplyWithoutRequestAccepted => "reply-without-request-accepted",
            Fault::WOnlyNotTranslated => "w-only-not-translated",
            Fault::PseudoHandleResolvesToReceiver => "pseudo-handle-resolves-to-receiver",
            Fault::BPartialPagesCopied => "b-partial-pages-copied",
            Fault::InterruptEventTransferable => "interrupt-event-transferable",
            Fault::CopyHandleZeroRejected => "copy-handle-zero-rejected",
            Fault::ServerMapsAWritable => "server-maps-a-writable",
            Fault::ClientPagesNotReprotected => "client-pages-not-reprotected",
            Fault::ReceiveListNeverBroken => "receive-list-never-broken",
        }
    }

    /// A one-line description of the bug.
    pub fn description(self) -> &'static str {
        match self {
            Fault::PidNotSubstituted => "the PID slot is delivered as the sender wrote it",
            Fault::CopyHandleMoved => "a copied handle is removed from the sender's table",
            Fault::MoveHandleLeftInSender => "a moved handle stays valid in the sender's table",
            Fault::MoveHandlesAcceptedInRequest => {
                "move handles in a request are moved instead of refused (0xE801)"
            }
            Fault::SingleBufferUnaligned => {
                "mode-2 receive lists pack pointers without 16-byte alignment"
            }
            Fault::IndexIgnored => "indexed receive lists always use entry 0",
            Fault::RecvListOffsetIgnored => {
                "the receive-list offset is ignored (list read right after the raw data)"
            }
            Fault::ZeroSizeXRejected => "a zero-size X descriptor still needs a receive buffer",
            Fault::MapAliasAllowedInReply => "A/B/W descriptors in a reply are not refused",
            Fault::BNotCopiedBack => "partial pages of B buffers are not copied back at reply",
            Fault::Attribute2Accepted => "map-alias attribute 2 is accepted as attribute 0",
            Fault::NoHandleRollback => "handles copied before a translation failure stay",
            Fault::ErrorToServer => {
                "a request translation error goes to the server; the client stays blocked"
            }
            Fault::LifoQueue => "requests are received newest first",
            Fault::ReplyWithoutRequestAccepted => {
                "a reply with no current request succeeds instead of InvalidState"
            }
            Fault::WOnlyNotTranslated => {
                "W descriptors are not translated when there is no A and no B"
            }
            Fault::PseudoHandleResolvesToReceiver => {
                "copied pseudo-handles name the receiver's process/thread"
            }
            Fault::BPartialPagesCopied => {
                "B partial pages hold the client's bytes instead of zero fill"
            }
            Fault::InterruptEventTransferable => "interrupt events can be copied",
            Fault::CopyHandleZeroRejected => "copy handle 0 is refused with InvalidHandle",
            Fault::ServerMapsAWritable => "the server's mapping of an A buffer is writable",
            Fault::ClientPagesNotReprotected => "lent client pages keep their permissions",
            Fault::ReceiveListNeverBroken => "a failed receive never reports ReceiveListBroken",
        }
    }

    /// Looks a fault up by its name.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.iter().copied().find(|f| f.name() == name)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
