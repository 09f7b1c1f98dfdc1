//! The message JSON of `message-json.md`: one interchange shape for a HIPC message.
//!
//! * Decode side: [`MessageJson::from_message`] describes a parsed [`Message`],
//!   omitting every optional key at its default.
//! * Encode side: [`MessageJson::from_json`] reads the text, [`MessageJson::to_bytes`]
//!   builds the bytes through the codec's checked constructors and
//!   [`MessageRepr::emit`], so a value that does not fit its field is refused with
//!   the field's JSON path (`x[1].address`), never truncated.
//! * [`MessageJson::to_json`] writes one line in the spec's own spacing
//!   (`{"type": 4, "pid": null, ...}`), so the worked pairs of the spec compare
//!   byte for byte.
//!
//! # Reading rules (where the contract leaves a choice)
//!
//! * Integers are read as `u64` without ever going through a float. Negative numbers,
//!   numbers with a fraction or exponent, and numbers above `u64::MAX` are refused,
//!   naming the field.
//! * Every key of the first table of `message-json.md` is required, `pid` included
//!   (write `"pid": null` for no PID). The optional keys (`special_header`,
//!   `recv_list_offset`, `trailing_bytes`, `reserved` and each key inside `reserved`,
//!   a descriptor's `reserved`) may be omitted or given at their default.
//! * Unknown keys and duplicate keys are refused, at any level; such an error, and
//!   a missing key's, names the key's own path (`x[0].size`).
//! * An unsigned integer that does not fit its field is refused as the codec refuses
//!   it, [`Error::ValueTooLarge`] (or [`Error::BitsOutsideField`] for `reserved`
//!   keys) with the field's [`FieldPath`], whether or not it fits the Rust type that
//!   holds the field: `"type": 65536` and `"index": 256` are refused exactly like
//!   `"index": 16`. A handle or raw word above `u32::MAX`, which no codec field names,
//!   is [`JsonError::WordTooLarge`].
//! * `trailing_bytes` is checked to be an unsigned integer and otherwise ignored.
//! * `special_header: false` together with a PID or handles is accepted: the special
//!   header is implied by them.
//!
//! [`MessageJson`] also implements serde's `Deserialize` with the same rules (errors
//! then become the deserializer's custom error), so other files can embed a message
//! JSON as a field.

use std::fmt;

use hipc::field::{buffer, header0, header1, limits, pointer, receive, special};
use hipc::{
    BufferAttribute, BufferDescriptor, Error, Field, FieldPath, Message, MessageRepr,
    PointerDescriptor, ReceiveListEntry, Section, U32,
};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// A HIPC message as the JSON object of `message-json.md`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MessageJson {
    /// `type`: header word 0 bits 0..=15 (the tag).
    #[serde(rename = "type")]
    pub tag: u16,
    /// `pid`: the PID slot, when the special header's PID bit is set.
    pub pid: Option<u64>,
    /// `copy_handles`: the copy handle words, in order.
    pub copy_handles: Vec<u32>,
    /// `move_handles`: the move handle words, in order.
    pub move_handles: Vec<u32>,
    /// `x`: pointer (send-static) descriptors.
    pub x: Vec<PointerJson>,
    /// `a`: send map-alias descriptors.
    pub a: Vec<BufferJson>,
    /// `b`: receive map-alias descriptors.
    pub b: Vec<BufferJson>,
    /// `w`: exchange map-alias descriptors.
    pub w: Vec<BufferJson>,
    /// `raw_words`: the raw data section as 32-bit words.
    pub raw_words: Vec<u32>,
    /// `recv_list_count`: header word 1 bits 10..=13, as written.
    pub recv_list_count: u8,
    /// `c`: receive-list entries.
    pub c: Vec<ReceiveJson>,
    /// `special_header`: the special header is present although PID and handles are
    /// all empty. Omitted when false.
    #[serde(skip_serializing_if = "is_false")]
    pub special_header: bool,
    /// `recv_list_offset`: header word 1 bits 20..=30. Omitted when zero.
    #[serde(skip_serializing_if = "is_zero_u16")]
    pub recv_list_offset: u16,
    /// `trailing_bytes`: decode output only, bytes after the end of the message.
    /// Omitted when zero; ignored by [`MessageJson::to_bytes`].
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub trailing_bytes: u64,
    /// `reserved`: message-level bits outside every field. Omitted when zero.
    #[serde(skip_serializing_if = "ReservedJson::is_zero")]
    pub reserved: ReservedJson,
}

/// An element of `x`: a pointer descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PointerJson {
    /// `index`: word 0 bits 0..=3.
    pub index: u8,
    /// `address`: 39 bits.
    pub address: u64,
    /// `size`: 16 bits.
    pub size: u64,
    /// `reserved`: word 0 bits 4..=5 and 9..=11, in place. Omitted when zero.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub reserved: u32,
}

/// An element of `a`, `b` or `w`: a map-alias descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BufferJson {
    /// `address`: 39 bits.
    pub address: u64,
    /// `size`: 36 bits.
    pub size: u64,
    /// `mode`: the 2-bit attribute (0, 1, 2, 3).
    pub mode: u8,
    /// `reserved`: word 2 bits 5..=23, in place. Omitted when zero.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub reserved: u32,
}

/// An element of `c`: a receive-list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReceiveJson {
    /// `address`: 39 bits.
    pub address: u64,
    /// `size`: 16 bits.
    pub size: u64,
    /// `reserved`: word 1 bits 7..=15, in place. Omitted when zero.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub reserved: u32,
}

/// The message-level `reserved` object. Each key is omitted when zero, and the whole
/// object when both are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReservedJson {
    /// `header1`: header word 1 bits 14..=19, in place.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub header1: u32,
    /// `special`: special header bits 9..=31, in place.
    #[serde(skip_serializing_if = "is_zero_u32")]
    pub special: u32,
}

impl ReservedJson {
    /// Whether both keys are zero (the object is then omitted).
    pub fn is_zero(&self) -> bool {
        self.header1 == 0 && self.special == 0
    }
}

fn is_false(v: &bool) -> bool {
    !*v
}
fn is_zero_u16(v: &u16) -> bool {
    *v == 0
}
fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}
fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

/// Why a message JSON could not be read or encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The text is not JSON (serde_json's message, with line and column).
    Syntax(String),
    /// The JSON does not have the message JSON's shape: a missing, unknown or
    /// duplicate key, a value of the wrong kind, or an integer out of range.
    Invalid {
        /// The JSON path of the offending value (`x[1].address`, `reserved.header1`),
        /// or empty for the top-level object.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The codec refused the message, or a value the codec would refuse (its error
    /// names the field's JSON path).
    Codec(Error),
    /// Reserved bits given above bit 31: the codec's error for them
    /// ([`Error::BitsOutsideField`], whose value holds the low 32 bits) and the value
    /// as given, which the message shows.
    Wide {
        /// The codec's error.
        error: Error,
        /// The value as given.
        value: u64,
    },
    /// A handle or raw word above `u32::MAX` (`copy_handles[0]`, `raw_words[3]`).
    WordTooLarge {
        /// The JSON path of the word.
        path: String,
        /// Its section (`copy_handles`, `move_handles`, `raw_words`).
        section: Section,
        /// The value given.
        value: u64,
    },
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(msg) => write!(f, "malformed JSON: {msg}"),
            JsonError::Invalid { path, problem } if path.is_empty() => f.write_str(problem),
            JsonError::Invalid { path, problem } => write!(f, "{path}: {problem}"),
            JsonError::Codec(e) => write!(f, "{e}"),
            JsonError::Wide { error, value } => match error {
                Error::BitsOutsideField { field, mask, .. } => write!(
                    f,
                    "{field}: value {value:#010x} sets bits outside the field (allowed bits {mask:#010x})"
                ),
                other => write!(f, "{other} (value given: {value:#x})"),
            },
            JsonError::WordTooLarge { path, value, .. } => write!(
                f,
                "{path}: value {value:#x} does not fit (largest is {:#x})",
                u32::MAX
            ),
        }
    }
}

impl std::error::Error for JsonError {}

impl From<Error> for JsonError {
    fn from(e: Error) -> Self {
        JsonError::Codec(e)
    }
}

/// `repr`'s bytes, in a vector of exactly the message's length.
pub(crate) fn emit_vec(repr: &MessageRepr<'_>) -> Result<Vec<u8>, hipc::Error> {
    let mut out = vec![0u8; repr.buffer_len()?];
    let len = repr.emit(&mut out)?;
    out.truncate(len);
    Ok(out)
}

impl MessageJson {
    /// Describes a parsed message (the decode side). Optional keys are left at their
    /// defaults unless needed: `special_header` only when the special header is
    /// present with no PID and no handle, `trailing_bytes` when the buffer holds bytes
    /// after the message.
    ///
    /// ```
    /// use hipc::Message;
    /// use hipc_conformance::message_json::MessageJson;
    /// let bytes = [4u8, 0, 0, 0, 1, 0, 0, 0, 0x2a, 0, 0, 0];
    /// let json = MessageJson::from_message(&Message::new_checked(&bytes[..])?);
    /// assert_eq!(json.raw_words, vec![42]);
    /// assert_eq!(json.to_bytes().unwrap(), bytes);
    /// # Ok::<(), hipc::Error>(())
    /// ```
    pub fn from_message<T: AsRef<[u8]>>(msg: &Message<T>) -> Self {
        let header = msg.header();
        let special = msg.special_header();
        let pid = msg.pid();
        let copy_handles: Vec<u32> = msg.copy_handles().iter().map(|h| h.get()).collect();
        let move_handles: Vec<u32> = msg.move_handles().iter().map(|h| h.get()).collect();
        let buffers = |list: &[BufferDescriptor]| {
            list.iter()
                .map(|d| BufferJson {
                    address: d.address(),
                    size: d.size(),
                    mode: d.mode(),
                    reserved: d.reserved(),
                })
                .collect()
        };
        MessageJson {
            tag: header.tag(),
            special_header: special.is_some()
                && pid.is_none()
                && copy_handles.is_empty()
                && move_handles.is_empty(),
            pid,
            copy_handles,
            move_handles,
            x: msg
                .x_descriptors()
                .iter()
                .map(|d| PointerJson {
                    index: d.index(),
                    address: d.address(),
                    size: d.size(),
                    reserved: d.reserved(),
                })
                .collect(),
            a: buffers(msg.a_descriptors()),
            b: buffers(msg.b_descriptors()),
            w: buffers(msg.w_descriptors()),
            raw_words: msg.raw_words().iter().map(|w| w.get()).collect(),
            recv_list_count: header.recv_list_count(),
            c: msg
                .receive_list()
                .iter()
                .map(|e| ReceiveJson {
                    address: e.address(),
                    size: e.size(),
                    reserved: e.reserved(),
                })
                .collect(),
            recv_list_offset: header.recv_list_offset(),
            trailing_bytes: msg.trailing_len() as u64,
            reserved: ReservedJson {
                header1: header.reserved(),
                special: special.map_or(0, |s| s.reserved()),
            },
        }
    }

    /// Decodes a byte string (`Message::new_checked`) and describes it.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_message(&Message::new_checked(bytes)?))
    }

    /// Builds the message's bytes (the encode side) through the codec's checked
    /// constructors and [`MessageRepr::emit`]. `trailing_bytes` is ignored. A value
    /// that does not fit is refused with its JSON path, e.g. `x[1].address`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsonError> {
        let x = self
            .x
            .iter()
            .enumerate()
            .map(|(i, d)| {
                PointerDescriptor::new(d.address, d.size, d.index)
                    .and_then(|p| p.with_reserved(d.reserved))
                    .map_err(|e| e.at(Section::X, i))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let buffers = |list: &[BufferJson], section: Section| {
            list.iter()
                .enumerate()
                .map(|(i, d)| {
                    BufferAttribute::from_bits(d.mode)
                        .and_then(|mode| BufferDescriptor::new(d.address, d.size, mode))
                        .and_then(|b| b.with_reserved(d.reserved))
                        .map_err(|e| e.at(section, i))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let a = buffers(&self.a, Section::A)?;
        let b = buffers(&self.b, Section::B)?;
        let w = buffers(&self.w, Section::W)?;
        let c = self
            .c
            .iter()
            .enumerate()
            .map(|(i, e)| {
                ReceiveListEntry::new(e.address, e.size)
                    .and_then(|r| r.with_reserved(e.reserved))
                    .map_err(|err| err.at(Section::ReceiveList, i))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let words = |list: &[u32]| list.iter().map(|&h| U32::new(h)).collect::<Vec<_>>();
        let copy_handles = words(&self.copy_handles);
        let move_handles = words(&self.move_handles);
        let raw: Vec<u8> = self
            .raw_words
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let repr = MessageRepr {
            tag: self.tag,
            special_header: self.special_header,
            pid: self.pid,
            copy_handles: &copy_handles,
            move_handles: &move_handles,
            x: &x,
            a: &a,
            b: &b,
            w: &w,
            raw: &raw,
            recv_list_count: self.recv_list_count,
            recv_list_offset: self.recv_list_offset,
            c: &c,
            header_reserved: self.reserved.header1,
            special_reserved: self.reserved.special,
        };
        Ok(emit_vec(&repr)?)
    }

    /// Reads a message JSON from text, with the rules in the module documentation.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let tree: Json =
            serde_json::from_str(text).map_err(|e| JsonError::Syntax(e.to_string()))?;
        Self::from_tree(&tree, &Loc::Root)
    }

    /// Writes the message JSON on one line, spaced like the spec's examples.
    pub fn to_json(&self) -> String {
        to_spaced_json(self)
    }

    pub(crate) fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, MESSAGE_KEYS)?;
        let handles = |key: &'static str, section: Section| -> Result<Vec<u32>, JsonError> {
            let (value, at) = obj.required(key)?;
            array(value, &at)?
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let at = at.index(i);
                    let v = uint(h, &at)?;
                    u32::try_from(v).map_err(|_| JsonError::WordTooLarge {
                        path: at.to_string(),
                        section,
                        value: v,
                    })
                })
                .collect()
        };
        let items = |key: &'static str| {
            let (value, at) = obj.required(key)?;
            Ok::<_, JsonError>((array(value, &at)?, at))
        };
        let descriptors = |key: &'static str, section: Section| {
            let (list, at) = items(key)?;
            list.iter()
                .enumerate()
                .map(|(i, d)| BufferJson::from_tree(d, &at.index(i), section, i))
                .collect::<Result<Vec<_>, _>>()
        };
        // Struct fields are evaluated in the order written: errors come in key order.
        Ok(MessageJson {
            tag: obj.codec_field("type", path(Field::Type), u64::from(header0::TAG.max()))?,
            pid: match obj.required("pid")? {
                (Json::Null, _) => None,
                (other, at) => Some(uint(other, &at)?),
            },
            copy_handles: handles("copy_handles", Section::CopyHandles)?,
            move_handles: handles("move_handles", Section::MoveHandles)?,
            x: {
                let (list, at) = items("x")?;
                list.iter()
                    .enumerate()
                    .map(|(i, d)| PointerJson::from_tree(d, &at.index(i), i))
                    .collect::<Result<Vec<_>, _>>()?
            },
            a: descriptors("a", Section::A)?,
            b: descriptors("b", Section::B)?,
            w: descriptors("w", Section::W)?,
            raw_words: handles("raw_words", Section::RawData)?,
            recv_list_count: obj.codec_field(
                "recv_list_count",
                path(Field::RecvListCount),
                u64::from(header1::RECV_LIST_COUNT.max()),
            )?,
            c: {
                let (list, at) = items("c")?;
                list.iter()
                    .enumerate()
                    .map(|(i, d)| ReceiveJson::from_tree(d, &at.index(i), i))
                    .collect::<Result<Vec<_>, _>>()?
            },
            special_header: match obj.optional("special_header") {
                Some((value, at)) => boolean(value, &at)?,
                None => false,
            },
            recv_list_offset: match obj.optional("recv_list_offset") {
                Some((value, at)) => codec_uint(
                    value,
                    &at,
                    path(Field::RecvListOffset),
                    u64::from(limits::RECV_LIST_OFFSET_MAX),
                )?,
                None => 0,
            },
            trailing_bytes: match obj.optional("trailing_bytes") {
                Some((value, at)) => uint(value, &at)?,
                None => 0,
            },
            reserved: match obj.optional("reserved") {
                Some((value, at)) => ReservedJson::from_tree(value, &at)?,
                None => ReservedJson::default(),
            },
        })
    }
}

impl PointerJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>, i: usize) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["index", "address", "size", "reserved"])?;
        let at = |field| item_path(Section::X, i, field);
        Ok(PointerJson {
            index: obj.codec_field("index", at(Field::Index), u64::from(pointer::INDEX.max()))?,
            address: obj.uint_field("address", u64::MAX)?,
            size: obj.uint_field("size", u64::MAX)?,
            reserved: obj.reserved_field(at(Field::Reserved), pointer::RESERVED_MASK)?,
        })
    }
}

impl BufferJson {
    fn from_tree(
        tree: &Json,
        loc: &Loc<'_>,
        section: Section,
        i: usize,
    ) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["address", "size", "mode", "reserved"])?;
        let at = |field| item_path(section, i, field);
        Ok(BufferJson {
            address: obj.uint_field("address", u64::MAX)?,
            size: obj.uint_field("size", u64::MAX)?,
            mode: obj.codec_field("mode", at(Field::Mode), u64::from(buffer::ATTRIBUTE.max()))?,
            reserved: obj.reserved_field(at(Field::Reserved), buffer::RESERVED_MASK)?,
        })
    }
}

impl ReceiveJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>, i: usize) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["address", "size", "reserved"])?;
        Ok(ReceiveJson {
            address: obj.uint_field("address", u64::MAX)?,
            size: obj.uint_field("size", u64::MAX)?,
            reserved: obj.reserved_field(
                item_path(Section::ReceiveList, i, Field::Reserved),
                receive::RESERVED_MASK,
            )?,
        })
    }
}

/// A message-level field's path, as the codec names it.
const fn path(field: Field) -> FieldPath {
    FieldPath {
        section: None,
        index: None,
        field,
    }
}

/// The path of a field of the `index`-th item of a section, as the codec names it.
const fn item_path(section: Section, index: usize, field: Field) -> FieldPath {
    FieldPath {
        section: Some(section),
        index: Some(index),
        field,
    }
}

impl ReservedJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["header1", "special"])?;
        let bits = |key: &'static str, field: Field, mask: u32| -> Result<u32, JsonError> {
            match obj.optional(key) {
                Some((value, at)) => reserved_bits(value, &at, path(field), mask),
                None => Ok(0),
            }
        };
        Ok(ReservedJson {
            header1: bits("header1", Field::HeaderReserved, header1::RESERVED.mask())?,
            special: bits("special", Field::SpecialReserved, special::RESERVED.mask())?,
        })
    }
}

impl<'de> Deserialize<'de> for MessageJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tree = Json::deserialize(deserializer)?;
        MessageJson::from_tree(&tree, &Loc::Root).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------
// Output spacing.

/// A serde_json formatter that writes one line spaced like the spec's examples:
/// `{"type": 4, "c": [{"address": 1, "size": 2}]}` (`": "` after a key, `", "`
/// between items).
#[derive(Debug, Clone, Copy, Default)]
pub struct SpacedFormatter;

impl serde_json::ser::Formatter for SpacedFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Serializes `value` on one line with [`SpacedFormatter`].
///
/// Serializing plain data into memory cannot fail; should a `Serialize` impl report
/// an error anyway, the text written so far is returned.
pub fn to_spaced_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SpacedFormatter);
    let _ = value.serialize(&mut ser);
    // serde_json writes only valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

// ---------------------------------------------------------------------------------
// Reading: a JSON tree that keeps integers exact, key order and duplicate keys.

/// A parsed JSON value. Unlike `serde_json::Value` it keeps duplicate keys (so they
/// can be refused) and tells negative integers, floats and integers above `u64::MAX`
/// (which serde_json reads as floats) apart from `u64` values, which it holds exactly.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    UInt(u64),
    NegInt(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::UInt(_) => "an integer",
            Json::NegInt(_) => "a negative integer",
            Json::Float(_) => "a number with a fraction or exponent",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(u64::try_from(v).map_or(Json::NegInt(v), Json::UInt))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        // Only the layer keys (`cmif.payload`, `tipc.payload`; see
        // `crate::layer_json`) take a string.
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(32));
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

/// Where a value sits in the document; displayed as a JSON path (`x[1].address`).
/// Built on the stack and formatted only when an error needs it.
pub(crate) enum Loc<'a> {
    Root,
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl<'a> Loc<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> Loc<'a> {
        Loc::Key(self, key)
    }
    pub(crate) fn index(&'a self, i: usize) -> Loc<'a> {
        Loc::Index(self, i)
    }
    pub(crate) fn invalid(&self, problem: String) -> JsonError {
        JsonError::Invalid {
            path: self.to_string(),
            problem,
        }
    }
}

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Root => Ok(()),
            Loc::Key(Loc::Root, key) => f.write_str(key),
            Loc::Key(parent, key) => write!(f, "{parent}.{key}"),
            Loc::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// The keys of the message JSON (message-json.md), in the order they are written.
pub(crate) const MESSAGE_KEYS: &[&str] = &[
    "type",
    "pid",
    "copy_handles",
    "move_handles",
    "x",
    "a",
    "b",
    "w",
    "raw_words",
    "recv_list_count",
    "c",
    "special_header",
    "recv_list_offset",
    "trailing_bytes",
    "reserved",
];

/// An object whose keys have been checked: no unknown key, no duplicate.
pub(crate) struct Obj<'t, 'l> {
    entries: &'t [(String, Json)],
    loc: &'l Loc<'l>,
}

impl<'t, 'l> Obj<'t, 'l> {
    pub(crate) fn new(
        tree: &'t Json,
        loc: &'l Loc<'l>,
        allowed: &[&str],
    ) -> Result<Self, JsonError> {
        let Json::Object(entries) = tree else {
            return Err(loc.invalid(format!("expected an object, found {}", tree.kind())));
        };
        for (i, (key, _)) in entries.iter().enumerate() {
            if !allowed.contains(&key.as_str()) {
                return Err(loc.key(key).invalid(format!(
                    "unknown key (allowed keys: {})",
                    allowed.join(", ")
                )));
            }
            if entries.iter().take(i).any(|(k, _)| k == key) {
                return Err(loc.key(key).invalid("duplicate key".to_owned()));
            }
        }
        Ok(Obj { entries, loc })
    }

    pub(crate) fn optional(&self, key: &'static str) -> Option<(&'t Json, Loc<'l>)> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| (v, self.loc.key(key)))
    }

    pub(crate) fn required(&self, key: &'static str) -> Result<(&'t Json, Loc<'l>), JsonError> {
        self.optional(key)
            .ok_or_else(|| self.loc.key(key).invalid("missing required key".to_owned()))
    }

    /// A required unsigned integer that must fit `T`; `field_max` is the field's own
    /// largest value, quoted in the error.
    pub(crate) fn uint_field<T: TryFrom<u64>>(
        &self,
        key: &'static str,
        field_max: u64,
    ) -> Result<T, JsonError> {
        let (value, at) = self.required(key)?;
        narrow(uint(value, &at)?, &at, field_max)
    }

    /// A required unsigned integer holding a codec field: a value that does not fit
    /// the Rust type is refused as the codec refuses a value that does not fit the
    /// field ([`codec_uint`]).
    fn codec_field<T: TryFrom<u64>>(
        &self,
        key: &'static str,
        field: FieldPath,
        field_max: u64,
    ) -> Result<T, JsonError> {
        let (value, at) = self.required(key)?;
        codec_uint(value, &at, field, field_max)
    }

    /// A descriptor's optional `reserved` key.
    fn reserved_field(&self, field: FieldPath, mask: u32) -> Result<u32, JsonError> {
        match self.optional("reserved") {
            Some((value, at)) => reserved_bits(value, &at, field, mask),
            None => Ok(0),
        }
    }
}

pub(crate) fn array<'t>(value: &'t Json, loc: &Loc<'_>) -> Result<&'t [Json], JsonError> {
    match value {
        Json::Array(items) => Ok(items),
        other => Err(loc.invalid(format!("expected an array, found {}", other.kind()))),
    }
}

pub(crate) fn boolean(value: &Json, loc: &Loc<'_>) -> Result<bool, JsonError> {
    match value {
        Json::Bool(b) => Ok(*b),
        other => Err(loc.invalid(format!("expected true or false, found {}", other.kind()))),
    }
}

/// Reads an unsigned 64-bit integer, exactly.
pub(crate) fn uint(value: &Json, loc: &Loc<'_>) -> Result<u64, JsonError> {
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    match *value {
        Json::UInt(v) => Ok(v),
        Json::NegInt(v) => Err(loc.invalid(format!(
            "negative value {v}: the field is an unsigned integer"
        ))),
        Json::Float(f) if f < 0.0 => Err(loc.invalid(format!(
            "negative value {f}: the field is an unsigned integer"
        ))),
        Json::Float(f) if f.fract() == 0.0 && f >= TWO_POW_64 => Err(loc.invalid(format!(
            "value {f} does not fit in 64 bits (largest is {:#x})",
            u64::MAX
        ))),
        Json::Float(f) => Err(loc.invalid(format!(
            "{f:?} is not an integer: write integers as plain digits, without a fraction or exponent"
        ))),
        ref other => Err(loc.invalid(format!(
            "expected an unsigned integer, found {}",
            other.kind()
        ))),
    }
}

/// Reads an unsigned integer into the Rust type holding a codec field. A value too
/// large for the type is refused with the codec's own error for the field
/// ([`Error::ValueTooLarge`] with its [`FieldPath`] and largest value), as a value
/// that fits the type but not the field is by [`MessageJson::to_bytes`].
fn codec_uint<T: TryFrom<u64>>(
    value: &Json,
    loc: &Loc<'_>,
    field: FieldPath,
    field_max: u64,
) -> Result<T, JsonError> {
    let v = uint(value, loc)?;
    T::try_from(v).map_err(|_| {
        JsonError::Codec(Error::ValueTooLarge {
            field,
            value: v,
            max: field_max,
        })
    })
}

/// Converts to the Rust type holding a value that is not a codec field (the layer
/// keys of `crate::layer_json`); a value too large is a shape error.
pub(crate) fn narrow<T: TryFrom<u64>>(
    v: u64,
    loc: &Loc<'_>,
    field_max: u64,
) -> Result<T, JsonError> {
    T::try_from(v).map_err(|_| {
        loc.invalid(format!(
            "value {v:#x} does not fit (largest is {field_max:#x})"
        ))
    })
}

/// Reads reserved bits. Bits above 31 are refused here with the codec's error
/// ([`JsonError::Wide`]: [`Error::BitsOutsideField`]), bits inside 32 but outside the
/// field's mask by the codec in `to_bytes`.
fn reserved_bits(
    value: &Json,
    loc: &Loc<'_>,
    field: FieldPath,
    mask: u32,
) -> Result<u32, JsonError> {
    let v = uint(value, loc)?;
    u32::try_from(v).map_err(|_| JsonError::Wide {
        error: Error::BitsOutsideField {
            field,
            value: (v & u64::from(u32::MAX)) as u32,
            mask,
        },
        value: v,
    })
}

#[cfg(test)]
mod tests;
