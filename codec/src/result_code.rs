//! Horizon result codes: the `u32` a CMIF or TIPC reply carries and the kernel
//! returns, split into module and description, named where the specification names
//! them (kernel-semantics.md §6.1; wire-format.md §2.10, §3, §2.4).

use crate::error::Error;
use core::fmt;

/// A result code: `module | description << 9`, 0 for success.
///
/// ```
/// use hipc::ResultCode;
/// let rc = ResultCode(0xF601);
/// assert_eq!((rc.module(), rc.description()), (1, 123));
/// assert_eq!(rc.name(), Some("svc::SessionClosed"));
/// assert_eq!(rc.to_string(), "0xf601 (module 1, description 123: svc::SessionClosed)");
/// assert_eq!(ResultCode(0x1BA0A).to_string(), "0x1ba0a (module 10, description 221: cmif::UnknownCommandId)");
/// assert_eq!(ResultCode(0).to_string(), "0x0 (success)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ResultCode(pub u32);

/// The named results of the specification: kernel-semantics.md §6.1 (module 1),
/// wire-format.md §2.10 (modules 10 and 11), §3 (module 35) and §2.4 (libnx's
/// bad-magic result, module 345).
const NAMES: [(u32, &str); 33] = [
    (0x7601, "svc::TerminationRequested"),
    (0xCA01, "svc::InvalidSize"),
    (0xCC01, "svc::InvalidAddress"),
    (0xCE01, "svc::OutOfResource"),
    (0xD001, "svc::OutOfMemory"),
    (0xD201, "svc::OutOfHandles"),
    (0xD401, "svc::InvalidCurrentMemory"),
    (0xE401, "svc::InvalidHandle"),
    (0xE601, "svc::InvalidPointer"),
    (0xE801, "svc::InvalidCombination"),
    (0xEA01, "svc::TimedOut"),
    (0xEC01, "svc::Cancelled"),
    (0xEE01, "svc::OutOfRange"),
    (0xF201, "svc::NotFound"),
    (0xF601, "svc::SessionClosed"),
    (0xFA01, "svc::InvalidState"),
    (0x10801, "svc::LimitReached"),
    (0x20401, "svc::ReceiveListBroken"),
    (0x20601, "svc::OutOfAddressSpace"),
    (0x20801, "svc::MessageTooLarge"),
    (0x3240B, "hipc::InvalidRequestSize"),
    (0x3260B, "hipc::UnknownCommandType"),
    (0x3480B, "hipc::InvalidCmifRequest"),
    (0x11A0B, "hipc::PointerBufferTooSmall"),
    (0x1940A, "cmif::InvalidHeaderSize"),
    (0x1A60A, "cmif::InvalidInHeader"),
    (0x1BA0A, "cmif::UnknownCommandId"),
    (0x1D60A, "cmif::InvalidNumInObjects"),
    (0x20A0A, "cmif::TargetNotFound"),
    (0x1423, "tipc::InvalidMethod"),
    (0x1E23, "tipc::InvalidMessageFormat"),
    (0x5F59, "libnx::InvalidCmifOutHeader"),
    (0, "success"),
];

impl ResultCode {
    /// The success code.
    pub const SUCCESS: ResultCode = ResultCode(0);

    /// Whether this is success (0).
    pub const fn is_success(self) -> bool {
        self.0 == 0
    }
    /// The module: bits 0..=8.
    pub const fn module(self) -> u32 {
        self.0 & 0x1FF
    }
    /// The description: bits 9..=21.
    pub const fn description(self) -> u32 {
        (self.0 >> 9) & 0x1FFF
    }
    /// `Ok` for success, else [`Error::ServiceResult`] carrying the code: how the
    /// CMIF and TIPC reply views' `success` refuse a failed reply.
    pub(crate) fn check(self) -> Result<(), Error> {
        if self.is_success() {
            Ok(())
        } else {
            Err(Error::ServiceResult { result: self })
        }
    }
    /// The name the specification gives this code, when it gives one.
    pub fn name(self) -> Option<&'static str> {
        NAMES
            .iter()
            .find(|(value, _)| *value == self.0)
            .map(|(_, name)| *name)
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_success() {
            return write!(f, "{:#x} (success)", self.0);
        }
        write!(
            f,
            "{:#x} (module {}, description {}",
            self.0,
            self.module(),
            self.description()
        )?;
        match self.name() {
            Some(name) => write!(f, ": {name})"),
            None => f.write_str(")"),
        }
    }
}
