//! Messages in kernel vectors: message JSON whose integers may be expressions
//! (vectors/README.md "Buffers" and `expect_message`).

use serde::Deserialize;

use super::expr::{Expr, Wild, double_option};

/// A message as a kernel vector writes it: the message JSON of `message-json.md`,
/// where any integer may be an [`Expr`] and, in expectations, any key may be `"*"`.
///
/// As an **input** (written to a buffer before a syscall) an omitted key takes its
/// empty default (`type` 0, no PID, no handles or descriptors, no raw data,
/// receive-list count 0). As an **expectation** an omitted key is not checked.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagePattern {
    /// `type`.
    #[serde(rename = "type")]
    pub tag: Option<Expr>,
    /// `pid`: absent = unchecked / none, `null` = no PID slot.
    #[serde(default, deserialize_with = "double_option")]
    pub pid: Option<Option<Expr>>,
    /// `copy_handles`.
    pub copy_handles: Option<Wild<Vec<Expr>>>,
    /// `move_handles`.
    pub move_handles: Option<Wild<Vec<Expr>>>,
    /// `x`.
    pub x: Option<Wild<Vec<ItemPattern>>>,
    /// `a`.
    pub a: Option<Wild<Vec<ItemPattern>>>,
    /// `b`.
    pub b: Option<Wild<Vec<ItemPattern>>>,
    /// `w`.
    pub w: Option<Wild<Vec<ItemPattern>>>,
    /// `raw_words`.
    pub raw_words: Option<Wild<Vec<Expr>>>,
    /// `recv_list_count`.
    pub recv_list_count: Option<Expr>,
    /// `c`.
    pub c: Option<Wild<Vec<ItemPattern>>>,
    /// `special_header`.
    pub special_header: Option<Wild<bool>>,
    /// `recv_list_offset`.
    pub recv_list_offset: Option<Expr>,
    /// `trailing_bytes` (decode side only; ignored in inputs).
    pub trailing_bytes: Option<Expr>,
    /// `reserved`.
    pub reserved: Option<ReservedPattern>,
}

/// A descriptor or receive-list entry in a [`MessagePattern`].
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPattern {
    /// X `index`.
    pub index: Option<Expr>,
    /// `address`.
    pub address: Option<Expr>,
    /// `size`.
    pub size: Option<Expr>,
    /// A/B/W `mode`.
    pub mode: Option<Expr>,
    /// `reserved`.
    pub reserved: Option<Expr>,
}

/// The message-level `reserved` object.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservedPattern {
    /// Header word 1 bits 14..=19.
    pub header1: Option<Expr>,
    /// Special header bits 9..=31.
    pub special: Option<Expr>,
}
