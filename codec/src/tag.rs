//! What a message tag means to the layers above HIPC (wire-format.md §1.5).
//!
//! The kernel never reads the tag, and the same value means different things in
//! CMIF and TIPC: only the server knows, from the port, which protocol a session
//! speaks. So the codec keeps the tag as a raw `u16` (never transmuted into an enum,
//! the nx crate's undefined behaviour; wire-format.md §5.7) and offers this
//! classifier for display.

/// A short name for a tag, for dissections: its CMIF name for 0..=7, its TIPC
/// meaning for 15 and above.
///
/// ```
/// assert_eq!(hipc::tag_name(4).to_string(), "Request");
/// assert_eq!(hipc::tag_name(17).to_string(), "TIPC method 1");
/// ```
pub fn tag_name(tag: u16) -> TagName {
    TagName(tag)
}

/// The display form of a tag; see [`tag_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagName(u16);

impl core::fmt::Display for TagName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = match self.0 {
            0 => "Invalid (CMIF reply)",
            1 => "LegacyRequest",
            2 => "Close",
            3 => "LegacyControl",
            4 => "Request",
            5 => "Control",
            6 => "RequestWithContext",
            7 => "ControlWithContext",
            8..=14 => "unassigned",
            15 => "TIPC CloseSession",
            method => return write!(f, "TIPC method {}", method - 16),
        };
        f.write_str(name)
    }
}
