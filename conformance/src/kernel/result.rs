//! Kernel result codes (kernel-semantics.md §2.10 and §6.1).

use core::fmt;

/// A packed Horizon result value: `module | description << 9`; 0 is success.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct ResultCode(pub u32);

macro_rules! results {
    ($($name:ident / $camel:literal = $value:literal, $text:literal;)*) => {
        impl ResultCode {
            $(
                #[doc = $text]
                pub const $name: ResultCode = ResultCode($value);
            )*

            /// The kernel's name for a known result, or `None`.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($camel),)*
                    _ => None,
                }
            }

            /// Looks a result up by the kernel's name for it (`"InvalidHandle"`).
            pub fn from_name(name: &str) -> Option<ResultCode> {
                match name {
                    $($camel => Some(ResultCode($value)),)*
                    _ => None,
                }
            }

            /// Every result this table names.
            pub const ALL: &'static [ResultCode] = &[$(ResultCode($value)),*];
        }
    };
}

results! {
    SUCCESS / "Success" = 0x0, "Success.";
    TERMINATION_REQUESTED / "TerminationRequested" = 0x7601, "TerminationRequested (59): the calling thread is being terminated.";
    INVALID_SIZE / "InvalidSize" = 0xCA01, "InvalidSize (101): user buffer size 0 or not a page multiple.";
    INVALID_ADDRESS / "InvalidAddress" = 0xCC01, "InvalidAddress (102): user buffer address not page-aligned.";
    OUT_OF_RESOURCE / "OutOfResource" = 0xCE01, "OutOfResource (103): no receive-list slot for a pointer; request exhaustion.";
    OUT_OF_MEMORY / "OutOfMemory" = 0xD001, "OutOfMemory (104): partial page or mapping-record allocation.";
    OUT_OF_HANDLES / "OutOfHandles" = 0xD201, "OutOfHandles (105): destination handle table full.";
    INVALID_CURRENT_MEMORY / "InvalidCurrentMemory" = 0xD401, "InvalidCurrentMemory (106): a memory state, permission, attribute or range check.";
    INVALID_HANDLE / "InvalidHandle" = 0xE401, "InvalidHandle (114): bad session, copy/move or wait handle.";
    INVALID_POINTER / "InvalidPointer" = 0xE601, "InvalidPointer (115): wait-handle array not readable.";
    INVALID_COMBINATION / "InvalidCombination" = 0xE801, "InvalidCombination (116): size > buffer, bad receive-list offset, move in request, map-alias in reply, attribute 2.";
    TIMED_OUT / "TimedOut" = 0xEA01, "TimedOut (117): ReplyAndReceive wait timed out.";
    CANCELLED / "Cancelled" = 0xEC01, "Cancelled (118): wait cancelled.";
    OUT_OF_RANGE / "OutOfRange" = 0xEE01, "OutOfRange (119): ReplyAndReceive handle count < 0 or > 64.";
    NOT_FOUND / "NotFound" = 0xF201, "NotFound (121): nothing to receive (swallowed by ReplyAndReceive).";
    SESSION_CLOSED / "SessionClosed" = 0xF601, "SessionClosed (123): the other end closed.";
    INVALID_STATE / "InvalidState" = 0xFA01, "InvalidState (125): reply with no current request.";
    LIMIT_REACHED / "LimitReached" = 0x10801, "LimitReached (132): resource limit.";
    RECEIVE_LIST_BROKEN / "ReceiveListBroken" = 0x20401, "ReceiveListBroken (258): receive failed after overwriting the server's receive list.";
    OUT_OF_ADDRESS_SPACE / "OutOfAddressSpace" = 0x20601, "OutOfAddressSpace (259): no room in the server's alias region.";
    MESSAGE_TOO_LARGE / "MessageTooLarge" = 0x20801, "MessageTooLarge (260): destination buffer smaller than the source raw end.";
}

impl ResultCode {
    /// Whether this is success.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }
    /// The module (bits 0..=8).
    pub fn module(self) -> u32 {
        self.0 & 0x1FF
    }
    /// The description (bits 9..=21).
    pub fn description(self) -> u32 {
        (self.0 >> 9) & 0x1FFF
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{:#x} ({name})", self.0),
            None => write!(
                f,
                "{:#x} (module {}, description {})",
                self.0,
                self.module(),
                self.description()
            ),
        }
    }
}
