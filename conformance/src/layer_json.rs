//! The layers inside the raw data, in the message JSON: the `"cmif"` and `"tipc"`
//! objects that `hipc decode --cmif [--domain]` / `--tipc` add and `hipc encode`
//! accepts (wire-format.md §2, §3; the codec's `hipc::cmif` and `hipc::tipc`).
//!
//! # The keys
//!
//! `"cmif"`, for a request: `magic`, `version`, `command_id`, `token`, `payload`; for a
//! response `result` instead of `command_id`. `payload` is hex: every byte after the
//! SFCI/SFCO header up to the end of the raw data (the data, the unused part of the
//! 16-byte padding budget and, in a request, the out-pointer size table), or exactly
//! `data_size − 16` bytes in a domain SendMessage. On a domain session, `"domain"`:
//! for a request `{"type", "num_in_objects", "data_size", "object_id", "token",
//! "in_objects"}`, for a response `{"num_out_objects"}` (the out-object ids are in the
//! payload: where they start depends on the command's out-data size, which is not on
//! the wire). A domain Close (type 2) has no SFCI header: only `"domain"` is given,
//! with `in_objects` empty. A HIPC Close (tag 2) is `{"close": true}`.
//! When the size table was asked for (`--size-table DATA_SIZE,COUNT`), `"size_table"`:
//! `{"data_size", "sizes"}`, the command's in-data size and the u16 entries read at
//! `R + 16 + [16 + 4k] + 16 + round_up(data_size, 2)`.
//!
//! `"tipc"`, for a request: `command_id` (`tag − 16`) and `payload` (the whole raw
//! data); for CloseSession `{"close": true}`; for a reply (`--response`): `result`,
//! `payload` (the raw data after the result word) and `command_id` when the tag is 16
//! or more.
//!
//! # Decode: which view
//!
//! CMIF: tag 0 is read as a response, tag 2 as a close, 4..=7 as a request; other
//! tags are an error (`cmif_bad_tag`). `--response` forces the response view for any
//! tag (SunriseOS answers with tag 4 or 6). TIPC: a request, or a reply with
//! `--response`. Whether a session is a domain is not on the wire: `--domain` says so.
//!
//! # Encode
//!
//! * With `raw_words`, the raw data is `raw_words`, and every key given under
//!   `"cmif"` / `"tipc"` must agree with what decoding the built message gives
//!   (decoded with the options the keys imply: a domain if `"domain"` is given, a
//!   response if `"result"` is, the size table if `"size_table"` is). A disagreement is
//!   refused naming the key (`cmif.command_id: ...`). So decode-then-encode gives the
//!   same bytes whatever the padding holds.
//! * Without `raw_words` (allowed only with a layer key), the raw data is built from
//!   the layer object, literally: zero padding up to the 16-byte boundary, the headers
//!   (missing keys take their usual value: the direction's magic, version 0, token 0,
//!   `num_in_objects` and `data_size` from `in_objects` and `payload`), then `payload`
//!   as given. Since the payload of a plain request or response runs to the end of the
//!   raw data, it must be a whole number of words with the headers. A domain request
//!   gets its in-object ids after the payload and then the unused part of the padding
//!   budget (`16 − pad` zeros, rounded up to a word), as libnx lays it out. `command_id`
//!   (or `result`, or `"domain"`) must be given. TIPC: the payload padded to words
//!   (after the result word in a reply). `size_table` is then only checked.
//! * `"data"` instead of `payload` (encode only; decode never writes it, since the
//!   data's own length is not on the wire): the in-data (or out-data) alone, laid out
//!   by the codec's builders as a libnx client and a libstratosphere server do
//!   (wire-format.md §2.1, §2.3): the headers, the data, the in-object ids, the
//!   whole 16-byte padding budget and, from `size_table.sizes`, the out-pointer size
//!   table. This is the key to use for a hand-written request: `payload`, which runs
//!   to the end of the raw data, must itself hold the unused budget, or a real server
//!   (libstratosphere, §2.10) finds the raw data too small for the command's data.
//! * With a layer key, the HIPC keys may be left out: no PID, handles, descriptors
//!   or receive list, and `type` from the layer (CMIF 0 for a response, 2 for a close,
//!   4 otherwise; TIPC `command_id + 16`, 15 for a close; a TIPC reply without
//!   `command_id` must give `type`). An unknown key is refused, naming every allowed
//!   key, `cmif` and `tipc` included.
//!
//! The message JSON with these keys is [`LayeredJson`]: a [`MessageJson`] (unchanged,
//! flattened) plus the optional `cmif` and `tipc` objects. The vector runner uses the
//! same functions as the command: [`LayerOptions`] from a test's `layer` key,
//! [`decode_layers`] for the decode direction, [`LayeredJson::from_json`] and
//! [`LayeredJson::to_bytes`] for the encode direction (it builds and verifies the
//! layer keys itself).

mod decode;
mod dissect;
mod encode;
mod read;

pub use decode::{cmif_json, decode_layers, implied_options, tipc_json};
pub use dissect::dissect_layers;
use encode::{build_raw_words, verify_layers};

use hipc::Error;
use serde::Serialize;

use crate::message_json::{Json, JsonError, Loc, MESSAGE_KEYS, MessageJson};

/// A message JSON with its layer: `message-json.md`'s object plus `"cmif"` or
/// `"tipc"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LayeredJson {
    /// The HIPC message (its keys are written at the top level).
    #[serde(flatten)]
    pub message: MessageJson,
    /// `cmif`: the CMIF layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmif: Option<CmifJson>,
    /// `tipc`: the TIPC layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tipc: Option<TipcJson>,
}

impl LayeredJson {
    /// Reads a message JSON that may carry `"cmif"` or `"tipc"` (the rules of
    /// [`MessageJson::from_json`], plus: `raw_words` may be omitted when a layer key
    /// is given, and the raw data is then built from it; see the module documentation).
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let tree: Json =
            serde_json::from_str(text).map_err(|e| JsonError::Syntax(e.to_string()))?;
        Self::from_tree(&tree)
    }

    fn from_tree(tree: &Json) -> Result<Self, JsonError> {
        let Json::Object(entries) = tree else {
            return MessageJson::from_tree(tree, &Loc::Root).map(LayeredJson::from);
        };
        let mut rest = Vec::with_capacity(entries.len() + 1);
        let (mut cmif, mut tipc) = (None, None);
        for (key, value) in entries {
            let slot = match key.as_str() {
                "cmif" => &mut cmif,
                "tipc" => &mut tipc,
                _ => {
                    rest.push((key.clone(), value.clone()));
                    continue;
                }
            };
            if slot.is_some() {
                return Err(Loc::Root.invalid(format!("duplicate key {key:?}")));
            }
            *slot = Some(value);
        }
        let has_layer = cmif.is_some() || tipc.is_some();
        if cmif.is_some() && tipc.is_some() {
            return Err(Loc::Root.invalid(
                "give \"cmif\" or \"tipc\", not both (a session speaks one protocol)".to_owned(),
            ));
        }
        // An unknown key is named with every key this reader accepts, the layer keys
        // included.
        if let Some((key, _)) = rest
            .iter()
            .find(|(k, _)| !MESSAGE_KEYS.contains(&k.as_str()))
        {
            return Err(Loc::Root.key(key).invalid(format!(
                "unknown key (allowed keys: {}, cmif, tipc)",
                MESSAGE_KEYS.join(", ")
            )));
        }
        let root = Loc::Root;
        let cmif = match cmif {
            Some(value) => Some(CmifJson::from_tree(value, &root.key("cmif"))?),
            None => None,
        };
        let tipc = match tipc {
            Some(value) => Some(TipcJson::from_tree(value, &root.key("tipc"))?),
            None => None,
        };
        let build_raw = has_layer && !rest.iter().any(|(k, _)| k == "raw_words");
        if build_raw {
            rest.push(("raw_words".to_owned(), Json::Array(Vec::new())));
        }
        if has_layer {
            add_hipc_defaults(&mut rest, cmif.as_ref(), tipc.as_ref())?;
        }
        let message = MessageJson::from_tree(&Json::Object(rest), &Loc::Root)?;
        let mut layered = LayeredJson {
            message,
            cmif,
            tipc,
        };
        // A control request never carries a domain header (wire-format.md §2.7): the
        // codec's builder refuses it, and so does the JSON (rather than building one
        // that reads back as a bad magic).
        let tag = layered.message.tag;
        if (tag == 5 || tag == 7)
            && layered
                .cmif
                .as_ref()
                .and_then(|c| c.domain.as_ref())
                .is_some_and(|d| d.num_out_objects.is_none())
        {
            return Err(JsonError::Codec(Error::CmifDomainOnControl { tag }));
        }
        if build_raw {
            layered.message.raw_words = build_raw_words(&layered)?;
        }
        Ok(layered)
    }

    /// Builds the bytes ([`MessageJson::to_bytes`]) and checks that every layer key
    /// given agrees with them.
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsonError> {
        let bytes = self.message.to_bytes()?;
        verify_layers(self, &bytes)?;
        Ok(bytes)
    }

    /// Writes the JSON on one line, spaced like the spec's examples.
    pub fn to_json(&self) -> String {
        crate::message_json::to_spaced_json(self)
    }
}

/// With a layer key, the HIPC keys may be left out: a message with no handles, no
/// descriptors, no PID and no receive list, whose `type` the layer implies (CMIF: 0
/// for a response, 2 for a close, 4 otherwise; TIPC: `command_id + 16`, 15 for a
/// close). A TIPC reply without `command_id` must give `type` (it echoes its
/// request's tag, which the reply alone does not say).
fn add_hipc_defaults(
    rest: &mut Vec<(String, Json)>,
    cmif: Option<&CmifJson>,
    tipc: Option<&TipcJson>,
) -> Result<(), JsonError> {
    let has = |rest: &[(String, Json)], key: &str| rest.iter().any(|(k, _)| k == key);
    if !has(rest, "type") {
        let tag = match (cmif, tipc) {
            (Some(c), _) if c.close == Some(true) => 2,
            (Some(c), _) if c.result.is_some() => 0,
            (Some(_), _) => 4,
            (None, Some(t)) if t.close == Some(true) => 15,
            (None, Some(t)) => match t.command_id {
                Some(id) => u64::from(id) + 16,
                None => {
                    return Err(Loc::Root.key("type").invalid(
                        "missing required key (a TIPC reply echoes its request's tag: give type \
                         or tipc.command_id)"
                            .to_owned(),
                    ));
                }
            },
            (None, None) => return Ok(()),
        };
        rest.push(("type".to_owned(), Json::UInt(tag)));
    }
    let defaults = [
        ("pid", Json::Null),
        ("copy_handles", Json::Array(Vec::new())),
        ("move_handles", Json::Array(Vec::new())),
        ("x", Json::Array(Vec::new())),
        ("a", Json::Array(Vec::new())),
        ("b", Json::Array(Vec::new())),
        ("w", Json::Array(Vec::new())),
        ("recv_list_count", Json::UInt(0)),
        ("c", Json::Array(Vec::new())),
    ];
    for (key, value) in defaults {
        if !has(rest, key) {
            rest.push((key.to_owned(), value));
        }
    }
    Ok(())
}

impl From<MessageJson> for LayeredJson {
    fn from(message: MessageJson) -> Self {
        LayeredJson {
            message,
            cmif: None,
            tipc: None,
        }
    }
}

/// Which layer to read above HIPC, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerOptions {
    /// The protocol.
    pub protocol: Protocol,
    /// The session is a CMIF domain (`--domain`).
    pub domain: bool,
    /// `Some(true)`: read a response / reply; `Some(false)`: a request; `None`: CMIF
    /// decides by the tag (0 response, 2 close, 4..=7 request), TIPC reads a request.
    pub response: Option<bool>,
    /// Read the CMIF out-pointer size table for a command with this in-data size and
    /// this many entries.
    pub size_table: Option<SizeTableSpec>,
}

/// The protocol above HIPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// CMIF (wire-format.md §2).
    #[default]
    Cmif,
    /// TIPC (wire-format.md §3).
    Tipc,
}

/// Where the size table is: the command's in-data size `D` and the entry count `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeTableSpec {
    /// The in-data size in bytes.
    pub data_size: usize,
    /// The number of u16 entries.
    pub count: usize,
}

/// The `"cmif"` object. Keys are optional so that encode input may leave them out;
/// decode output fills every key that applies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CmifJson {
    /// `close`: a HIPC Close (tag 2), which has no CMIF body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<bool>,
    /// `magic`: the header's first word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magic: Option<u32>,
    /// `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `command_id` (requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<u32>,
    /// `result` (responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<u32>,
    /// `token`: the SFCI/SFCO token word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<u32>,
    /// `payload`: lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// `data` (encode only, lowercase hex): the in-data (or out-data) alone, laid out
    /// by the codec's builders as libnx and libstratosphere lay it out, padding budget
    /// included (wire-format.md §2.1, §2.3). Never written by decode: the data's own
    /// length is not on the wire.
    #[serde(skip)]
    pub data: Option<String>,
    /// `domain`: the domain header (domain sessions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainJson>,
    /// `size_table`: the out-pointer sizes (when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_table: Option<SizeTableJson>,
}

/// The `"domain"` object: the request keys, or `num_out_objects` in a response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DomainJson {
    /// `type`: 1 SendMessage, 2 Close.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<u8>,
    /// `num_in_objects`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_in_objects: Option<u8>,
    /// `data_size`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_size: Option<u16>,
    /// `object_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<u32>,
    /// `token` (the domain header's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<u32>,
    /// `in_objects`: the ids (empty for a Close).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_objects: Option<Vec<u32>>,
    /// `num_out_objects` (responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_out_objects: Option<u32>,
}

/// The `"size_table"` object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SizeTableJson {
    /// `data_size`: the command's in-data size, which fixes the table's position.
    pub data_size: u64,
    /// `sizes`: the entries.
    pub sizes: Vec<u16>,
}

/// The `"tipc"` object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TipcJson {
    /// `close`: CloseSession (tag 15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<bool>,
    /// `command_id`: `tag − 16`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<u16>,
    /// `result` (replies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<u32>,
    /// `payload`: lowercase hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}
