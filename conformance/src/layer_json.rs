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

use hipc::cmif::{self, DomainType};
use hipc::{Error, Message, ResultCode, U32, tipc};
use serde::Serialize;

use crate::hex;
use crate::message_json::{
    Json, JsonError, Loc, MESSAGE_KEYS, MessageJson, Obj, array, boolean, narrow, uint,
};

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

// ---------------------------------------------------------------------------------
// Decode.

/// Decodes a byte string and its layer into the message JSON.
///
/// ```
/// use hipc_conformance::layer_json::{LayerOptions, decode_layers};
/// use hipc_conformance::hex;
/// // wire-format.md §6 Ex 2.
/// let bytes = hex::decode("040000000a000000000000000000000053464349000000000100000000000000efbeadde010000000000000000000000").unwrap();
/// let json = decode_layers(&bytes, &LayerOptions::default()).unwrap();
/// let cmif = json.cmif.unwrap();
/// assert_eq!(cmif.command_id, Some(1));
/// assert_eq!(cmif.payload.as_deref(), Some("efbeadde010000000000000000000000"));
/// ```
pub fn decode_layers(bytes: &[u8], options: &LayerOptions) -> Result<LayeredJson, Error> {
    let msg = Message::new_checked(bytes)?;
    let mut json = LayeredJson::from(MessageJson::from_message(&msg));
    match options.protocol {
        Protocol::Cmif => json.cmif = Some(cmif_json(&msg, options)?),
        Protocol::Tipc => json.tipc = Some(tipc_json(&msg, options)?),
    }
    Ok(json)
}

/// The `"cmif"` object of a parsed message.
pub fn cmif_json<T: AsRef<[u8]>>(
    msg: &Message<T>,
    options: &LayerOptions,
) -> Result<CmifJson, Error> {
    let tag = msg.header().tag();
    let response = options.response.unwrap_or(tag == 0);
    if response {
        let resp = cmif::Response::new_checked(msg, cmif::Session::domain_if(options.domain))?;
        let h = resp.header();
        return Ok(CmifJson {
            magic: Some(h.magic.get()),
            version: Some(h.version.get()),
            result: Some(h.result.get()),
            token: Some(h.token.get()),
            payload: Some(hex::encode(resp.payload())),
            domain: resp.domain().map(|d| DomainJson {
                num_out_objects: Some(d.num_out_objects.get()),
                ..DomainJson::default()
            }),
            ..CmifJson::default()
        });
    }
    if tag == 2 && options.response.is_none() {
        return Ok(CmifJson {
            close: Some(true),
            ..CmifJson::default()
        });
    }
    let req = cmif::Request::new_checked(msg, cmif::Session::domain_if(options.domain))?;
    let mut json = CmifJson {
        domain: req.domain().map(|d| DomainJson {
            kind: Some(d.kind().value()),
            num_in_objects: Some(d.num_in_objects()),
            data_size: Some(d.data_size()),
            object_id: Some(d.object_id()),
            token: Some(d.token()),
            in_objects: Some(d.in_objects().iter().map(|i| i.get()).collect()),
            num_out_objects: None,
        }),
        ..CmifJson::default()
    };
    if let Some(h) = req.header() {
        json.magic = Some(h.magic.get());
        json.version = Some(h.version.get());
        json.command_id = Some(h.command_id.get());
        json.token = Some(h.token.get());
        json.payload = Some(hex::encode(req.payload()));
    }
    if let Some(spec) = options.size_table {
        let sizes = req.out_pointer_sizes(spec.data_size, spec.count)?;
        json.size_table = Some(SizeTableJson {
            data_size: spec.data_size as u64,
            sizes: sizes.iter().map(|s| s.get()).collect(),
        });
    }
    Ok(json)
}

/// The `"tipc"` object of a parsed message.
pub fn tipc_json<T: AsRef<[u8]>>(
    msg: &Message<T>,
    options: &LayerOptions,
) -> Result<TipcJson, Error> {
    if options.response == Some(true) {
        let resp = tipc::Response::new_checked(msg)?;
        return Ok(TipcJson {
            close: None,
            command_id: resp.command_id(),
            result: Some(resp.result()),
            payload: Some(hex::encode(resp.payload())),
        });
    }
    let req = tipc::Request::new_checked(msg)?;
    if req.is_close() {
        return Ok(TipcJson {
            close: Some(true),
            ..TipcJson::default()
        });
    }
    Ok(TipcJson {
        close: None,
        command_id: req.command_id(),
        result: None,
        payload: Some(hex::encode(req.payload())),
    })
}

/// The options a message JSON's layer keys imply (used to verify them on encode).
pub fn implied_options(message: &LayeredJson) -> Option<LayerOptions> {
    if let Some(c) = &message.cmif {
        let response = if c.result.is_some()
            || c.domain
                .as_ref()
                .is_some_and(|d| d.num_out_objects.is_some())
        {
            Some(true)
        } else if c.command_id.is_some() || c.domain.is_some() || c.close == Some(true) {
            Some(false)
        } else {
            None
        };
        return Some(LayerOptions {
            protocol: Protocol::Cmif,
            domain: c.domain.is_some(),
            // A HIPC Close is only recognised in the automatic mode.
            response: if c.close == Some(true) {
                None
            } else {
                response
            },
            size_table: c.size_table.as_ref().map(|t| SizeTableSpec {
                data_size: usize::try_from(t.data_size).unwrap_or(usize::MAX),
                count: t.sizes.len(),
            }),
        });
    }
    message.tipc.as_ref().map(|t| LayerOptions {
        protocol: Protocol::Tipc,
        domain: false,
        response: Some(t.result.is_some()),
        size_table: None,
    })
}

// ---------------------------------------------------------------------------------
// Encode.

/// Checks that the layer keys of `message` agree with its built bytes.
fn verify_layers(message: &LayeredJson, bytes: &[u8]) -> Result<(), JsonError> {
    let Some(options) = implied_options(message) else {
        return Ok(());
    };
    let decoded = decode_layers(bytes, &options)?;
    let (given, actual, name) = match options.protocol {
        Protocol::Cmif => (
            serde_json::to_value(&message.cmif),
            serde_json::to_value(&decoded.cmif),
            "cmif",
        ),
        Protocol::Tipc => (
            serde_json::to_value(&message.tipc),
            serde_json::to_value(&decoded.tipc),
            "tipc",
        ),
    };
    match (given, actual) {
        (Ok(given), Ok(actual)) => compare(&given, &actual, name),
        _ => Ok(()),
    }
}

/// Every key of `given` must be in `actual` with the same value.
fn compare(
    given: &serde_json::Value,
    actual: &serde_json::Value,
    path: &str,
) -> Result<(), JsonError> {
    use serde_json::Value;
    match (given, actual) {
        (Value::Object(g), Value::Object(a)) => {
            for (key, value) in g {
                let at = format!("{path}.{key}");
                match a.get(key) {
                    Some(found) => compare(value, found, &at)?,
                    None => {
                        return Err(JsonError::Invalid {
                            path: at,
                            problem:
                                "given, but the message has no such field (its raw data does not \
                                      hold it in this view)"
                                    .to_owned(),
                        });
                    }
                }
            }
            Ok(())
        }
        _ if given == actual => Ok(()),
        _ => Err(JsonError::Invalid {
            path: path.to_owned(),
            problem: format!(
                "{given} disagrees with the raw data, which holds {actual} (give raw_words or this key, \
                 or make them agree)"
            ),
        }),
    }
}

/// Builds `raw_words` from the layer object of a message JSON that omits them.
fn build_raw_words(message: &LayeredJson) -> Result<Vec<u32>, JsonError> {
    let raw_offset = raw_offset(&message.message);
    let raw = if let Some(c) = &message.cmif {
        match &c.data {
            Some(data) => build_cmif_data(c, message.message.tag, raw_offset, data)?,
            None => build_cmif(c, raw_offset)?,
        }
    } else if let Some(t) = &message.tipc {
        build_tipc(t)?
    } else {
        Vec::new()
    };
    Ok(raw
        .chunks(4)
        .map(|w| {
            let mut word = [0u8; 4];
            for (d, s) in word.iter_mut().zip(w) {
                *d = *s;
            }
            u32::from_le_bytes(word)
        })
        .collect())
}

/// `R`: the raw data's byte offset, from the counts (wire-format.md §1.2).
fn raw_offset(m: &MessageJson) -> usize {
    let special = m.special_header
        || m.pid.is_some()
        || !m.copy_handles.is_empty()
        || !m.move_handles.is_empty();
    8 + if special { 4 } else { 0 }
        + if m.pid.is_some() { 8 } else { 0 }
        + 4 * (m.copy_handles.len() + m.move_handles.len())
        + 8 * m.x.len()
        + 12 * (m.a.len() + m.b.len() + m.w.len())
}

fn payload_bytes(payload: Option<&String>) -> Vec<u8> {
    // Stored canonical by the reader, so this cannot fail.
    payload
        .and_then(|p| hex::decode(p).ok())
        .unwrap_or_default()
}

fn invalid(path: &str, problem: impl Into<String>) -> JsonError {
    JsonError::Invalid {
        path: path.to_owned(),
        problem: problem.into(),
    }
}

fn build_cmif(c: &CmifJson, raw_offset: usize) -> Result<Vec<u8>, JsonError> {
    // wire-format.md §2.1: align_up(R, 16) − R.
    let pad = (cmif::ALIGNMENT - raw_offset % cmif::ALIGNMENT) % cmif::ALIGNMENT;
    let payload = payload_bytes(c.payload.as_ref());
    let mut raw = vec![0u8; pad];
    if c.close == Some(true) {
        return Ok(Vec::new());
    }
    let response = c.result.is_some();
    if response && c.command_id.is_some() {
        return Err(invalid(
            "cmif",
            "give command_id (a request) or result (a response), not both",
        ));
    }
    let words = |v: [u32; 4]| v.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>();
    let header = |magic: u32, second: u32| {
        words([
            c.magic.unwrap_or(magic),
            c.version.unwrap_or(0),
            second,
            c.token.unwrap_or(0),
        ])
    };
    let mut domain_ids: Option<Vec<u8>> = None;
    if let Some(d) = &c.domain {
        if response || d.num_out_objects.is_some() {
            raw.extend(words([d.num_out_objects.unwrap_or(0), 0, 0, 0]));
        } else {
            let kind = d.kind.unwrap_or(1);
            let ids = d.in_objects.clone().unwrap_or_default();
            let close = DomainType::from_value(kind) == Some(DomainType::Close);
            let num = match d.num_in_objects {
                Some(n) => n,
                None => u8::try_from(ids.len()).map_err(|_| {
                    invalid(
                        "cmif.domain.in_objects",
                        format!("{} ids, at most 255 fit num_in_objects", ids.len()),
                    )
                })?,
            };
            let data_size = match d.data_size {
                Some(n) => n,
                None if close => 0,
                None => u16::try_from(16 + payload.len()).map_err(|_| {
                    invalid(
                        "cmif.payload",
                        "too long for domain.data_size (16 + payload must fit 16 bits)",
                    )
                })?,
            };
            let Some(object_id) = d.object_id else {
                return Err(invalid(
                    "cmif.domain.object_id",
                    "missing required key (to build the raw data)",
                ));
            };
            raw.push(kind);
            raw.push(num);
            raw.extend(data_size.to_le_bytes());
            raw.extend(
                words([object_id, 0, d.token.unwrap_or(0), 0])
                    .get(..12)
                    .unwrap_or(&[]),
            );
            if close {
                raw.resize(cmif::PADDING_BUDGET + cmif::HEADER_SIZE, 0);
                return Ok(raw);
            }
            domain_ids = Some(ids.iter().flat_map(|i| i.to_le_bytes()).collect());
        }
    }
    if response {
        raw.extend(header(cmif::OUT_MAGIC, c.result.unwrap_or(0)));
    } else {
        let Some(command_id) = c.command_id else {
            return Err(invalid(
                "cmif.command_id",
                "missing required key (or \"result\" for a response) to build the raw data",
            ));
        };
        raw.extend(header(cmif::IN_MAGIC, command_id));
    }
    raw.extend(&payload);
    match domain_ids {
        Some(ids) => {
            raw.extend(ids);
            raw.resize(raw.len() + (16 - pad), 0);
            raw.resize(raw.len().div_ceil(4) * 4, 0);
        }
        None if raw.len() % 4 != 0 => {
            return Err(invalid(
                "cmif.payload",
                format!(
                    "{} bytes: the payload runs to the end of the raw data, which is whole words, so \
                     padding + headers + payload must be a multiple of 4 (it is {})",
                    payload.len(),
                    raw.len()
                ),
            ));
        }
        None => {}
    }
    Ok(raw)
}

/// The raw data of a `"cmif"` object given with `data`: the codec's builders
/// ([`cmif::RequestRepr`], [`cmif::ResponseRepr`]) lay it out, so the padding budget,
/// the in-object ids and the size table (`size_table.sizes`) are where a libnx client
/// and a libstratosphere server put them. The other keys given are then checked
/// against the result, like any key.
fn build_cmif_data(
    c: &CmifJson,
    tag: u16,
    raw_offset: usize,
    data: &str,
) -> Result<Vec<u8>, JsonError> {
    if c.payload.is_some() {
        return Err(invalid(
            "cmif.data",
            "give data (the in- or out-data alone) or payload (every byte after the header, \
             as decode writes it), not both",
        ));
    }
    if c.close == Some(true) || c.domain.as_ref().and_then(|d| d.kind) == Some(2) {
        return Err(invalid("cmif.data", "a close carries no data"));
    }
    let data = hex::decode(data).unwrap_or_default();
    let mut raw = vec![0u8; 4 * usize::from(u16::MAX >> 6)];
    let len = match (c.result, c.command_id) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "cmif",
                "give command_id (a request) or result (a response), not both",
            ));
        }
        (Some(result), None) => {
            if c.domain
                .as_ref()
                .and_then(|d| d.num_out_objects)
                .unwrap_or(0)
                != 0
            {
                return Err(invalid(
                    "cmif.domain.num_out_objects",
                    "out-object ids cannot be given with data: give payload (out-data, then ids)",
                ));
            }
            let response = cmif::ResponseRepr {
                result,
                token: c.token.unwrap_or(0),
                payload: &data,
                domain_out_objects: c.domain.as_ref().map(|_| &[][..]),
            };
            response.write_raw(raw_offset, &mut raw)?
        }
        (None, Some(command_id)) => {
            let ids: Vec<U32> = c
                .domain
                .as_ref()
                .and_then(|d| d.in_objects.as_ref())
                .map(|ids| ids.iter().map(|&id| U32::new(id)).collect())
                .unwrap_or_default();
            let domain = match &c.domain {
                Some(d) => Some(cmif::DomainRepr {
                    object_id: d.object_id.ok_or_else(|| {
                        invalid(
                            "cmif.domain.object_id",
                            "missing required key (to build the raw data)",
                        )
                    })?,
                    in_objects: &ids,
                }),
                None => None,
            };
            let with_context = tag == 6 || tag == 7;
            let token = match &c.domain {
                Some(d) => d.token,
                None => c.token,
            };
            let sizes = c.size_table.as_ref().map(|t| &t.sizes[..]).unwrap_or(&[]);
            let request = cmif::RequestRepr {
                command_id,
                control: tag == 5 || tag == 7,
                token: with_context.then(|| token.unwrap_or(0)),
                domain,
                payload: &data,
                out_pointer_sizes: sizes,
            };
            request.write_raw(raw_offset, &mut raw)?
        }
        (None, None) => {
            return Err(invalid(
                "cmif.command_id",
                "missing required key (or \"result\" for a response) to build the raw data",
            ));
        }
    };
    raw.truncate(len);
    Ok(raw)
}

fn build_tipc(t: &TipcJson) -> Result<Vec<u8>, JsonError> {
    if t.close == Some(true) {
        return Ok(Vec::new());
    }
    let mut raw = Vec::new();
    if let Some(result) = t.result {
        raw.extend(result.to_le_bytes());
    } else if t.command_id.is_none() {
        return Err(invalid(
            "tipc.command_id",
            "missing required key (or \"result\" for a reply, or \"close\") to build the raw data",
        ));
    }
    raw.extend(payload_bytes(t.payload.as_ref()));
    raw.resize(raw.len().div_ceil(4) * 4, 0);
    Ok(raw)
}

// ---------------------------------------------------------------------------------
// Reading the JSON.

impl CmifJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        const KEYS: &[&str] = &[
            "close",
            "magic",
            "version",
            "command_id",
            "result",
            "token",
            "payload",
            "data",
            "domain",
            "size_table",
        ];
        let obj = Obj::new(tree, loc, KEYS)?;
        let u32_key = |key: &'static str| opt_uint::<u32>(&obj, key, u64::from(u32::MAX));
        Ok(CmifJson {
            close: opt_bool(&obj, "close")?,
            magic: u32_key("magic")?,
            version: u32_key("version")?,
            command_id: u32_key("command_id")?,
            result: u32_key("result")?,
            token: u32_key("token")?,
            payload: opt_hex(&obj, "payload")?,
            data: opt_hex(&obj, "data")?,
            domain: match obj.optional("domain") {
                Some((value, at)) => Some(DomainJson::from_tree(value, &at)?),
                None => None,
            },
            size_table: match obj.optional("size_table") {
                Some((value, at)) => Some(SizeTableJson::from_tree(value, &at)?),
                None => None,
            },
        })
    }
}

impl DomainJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        const KEYS: &[&str] = &[
            "type",
            "num_in_objects",
            "data_size",
            "object_id",
            "token",
            "in_objects",
            "num_out_objects",
        ];
        let obj = Obj::new(tree, loc, KEYS)?;
        Ok(DomainJson {
            kind: opt_uint(&obj, "type", u64::from(u8::MAX))?,
            num_in_objects: opt_uint(&obj, "num_in_objects", u64::from(u8::MAX))?,
            data_size: opt_uint(&obj, "data_size", u64::from(u16::MAX))?,
            object_id: opt_uint(&obj, "object_id", u64::from(u32::MAX))?,
            token: opt_uint(&obj, "token", u64::from(u32::MAX))?,
            in_objects: match obj.optional("in_objects") {
                Some((value, at)) => Some(
                    array(value, &at)?
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let at = at.index(i);
                            narrow(uint(v, &at)?, &at, u64::from(u32::MAX))
                        })
                        .collect::<Result<Vec<u32>, _>>()?,
                ),
                None => None,
            },
            num_out_objects: opt_uint(&obj, "num_out_objects", u64::from(u32::MAX))?,
        })
    }
}

impl SizeTableJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["data_size", "sizes"])?;
        let data_size = obj.uint_field("data_size", u64::MAX)?;
        let (value, at) = obj.required("sizes")?;
        let sizes = array(value, &at)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = at.index(i);
                narrow(uint(v, &at)?, &at, u64::from(u16::MAX))
            })
            .collect::<Result<Vec<u16>, _>>()?;
        Ok(SizeTableJson { data_size, sizes })
    }
}

impl TipcJson {
    fn from_tree(tree: &Json, loc: &Loc<'_>) -> Result<Self, JsonError> {
        let obj = Obj::new(tree, loc, &["close", "command_id", "result", "payload"])?;
        Ok(TipcJson {
            close: opt_bool(&obj, "close")?,
            command_id: opt_uint(&obj, "command_id", u64::from(u16::MAX - 16))?,
            result: opt_uint(&obj, "result", u64::from(u32::MAX))?,
            payload: opt_hex(&obj, "payload")?,
        })
    }
}

fn opt_uint<T: TryFrom<u64>>(
    obj: &Obj<'_, '_>,
    key: &'static str,
    max: u64,
) -> Result<Option<T>, JsonError> {
    match obj.optional(key) {
        Some((value, at)) => {
            let v = uint(value, &at)?;
            if v > max {
                return Err(at.invalid(format!("value {v:#x} does not fit (largest is {max:#x})")));
            }
            narrow(v, &at, max).map(Some)
        }
        None => Ok(None),
    }
}

fn opt_bool(obj: &Obj<'_, '_>, key: &'static str) -> Result<Option<bool>, JsonError> {
    match obj.optional(key) {
        Some((value, at)) => boolean(value, &at).map(Some),
        None => Ok(None),
    }
}

/// A hex string, stored as canonical lowercase hex.
fn opt_hex(obj: &Obj<'_, '_>, key: &'static str) -> Result<Option<String>, JsonError> {
    match obj.optional(key) {
        Some((Json::Str(text), at)) => match hex::decode(text) {
            Ok(bytes) => Ok(Some(hex::encode(&bytes))),
            Err(e) => Err(at.invalid(format!("not hex: {e}"))),
        },
        Some((other, at)) => {
            Err(at.invalid(format!("expected a hex string, found {}", other.kind())))
        }
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------
// Dissection.

/// The layer's part of `hipc decode --cmif/--tipc` without `--json`: one line per
/// header and region, each with its byte offset from the message start, after the
/// HIPC dissection.
pub fn dissect_layers(bytes: &[u8], options: &LayerOptions) -> Result<String, Error> {
    use std::fmt::Write;
    let msg = Message::new_checked(bytes)?;
    let mut out = String::new();
    let line = |out: &mut String, offset: usize, name: &str, text: String| {
        let _ = writeln!(out, "{offset:#06x}  {name:<16} {text}");
    };
    let tag = msg.header().tag();
    match options.protocol {
        Protocol::Cmif if options.response.unwrap_or(tag == 0) => {
            let resp = cmif::Response::new_checked(&msg, cmif::Session::domain_if(options.domain))?;
            let _ = writeln!(
                out,
                "CMIF response{}, data at {:#06x} (raw data at {:#06x}, padding {})",
                if options.domain { " (domain)" } else { "" },
                resp.aligned_offset(),
                resp.raw_offset(),
                resp.padding()
            );
            if let Some(d) = resp.domain() {
                line(
                    &mut out,
                    resp.aligned_offset(),
                    "domain",
                    format!("num_out_objects={}", d.num_out_objects.get()),
                );
            }
            let h = resp.header();
            line(
                &mut out,
                resp.header_offset(),
                "sfco",
                format!(
                    "magic={:#010x} version={} result={} token={:#x}",
                    h.magic.get(),
                    h.version.get(),
                    ResultCode(h.result.get()),
                    h.token.get()
                ),
            );
            line(
                &mut out,
                resp.payload_offset(),
                "payload",
                payload_text(resp.payload()),
            );
        }
        Protocol::Cmif if tag == 2 && options.response.is_none() => {
            let _ = writeln!(
                out,
                "CMIF Close (tag 2): the session is closed, no CMIF body"
            );
        }
        Protocol::Cmif => {
            let req = cmif::Request::new_checked(&msg, cmif::Session::domain_if(options.domain))?;
            let domain = if req.domain().is_some() {
                " (domain)"
            } else if options.domain {
                " (control requests carry no domain header)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "CMIF request, tag {} ({}){domain}, data at {:#06x} (raw data at {:#06x}, padding {})",
                req.tag(),
                hipc::tag_name(req.tag()),
                req.aligned_offset(),
                req.raw_offset(),
                req.padding()
            );
            if let Some(d) = req.domain() {
                line(
                    &mut out,
                    req.aligned_offset(),
                    "domain",
                    format!(
                        "type={} ({}) num_in_objects={} data_size={:#x} object_id={} token={:#x}",
                        d.kind().value(),
                        d.kind().name(),
                        d.num_in_objects(),
                        d.data_size(),
                        d.object_id(),
                        d.token()
                    ),
                );
            }
            if let (Some(h), Some(offset)) = (req.header(), req.header_offset()) {
                let control = req
                    .control_command()
                    .map(|c| format!(" ({})", c.name()))
                    .unwrap_or_default();
                line(
                    &mut out,
                    offset,
                    "sfci",
                    format!(
                        "magic={:#010x} version={} command_id={}{control} token={:#x}",
                        h.magic.get(),
                        h.version.get(),
                        h.command_id.get(),
                        h.token.get()
                    ),
                );
                line(
                    &mut out,
                    req.payload_offset(),
                    "payload",
                    payload_text(req.payload()),
                );
            }
            if let Some(d) = req.domain() {
                if !d.in_objects().is_empty() {
                    let ids: Vec<String> =
                        d.in_objects().iter().map(|i| i.get().to_string()).collect();
                    line(
                        &mut out,
                        req.raw_offset() + d.in_objects_raw_offset(),
                        "in_objects",
                        ids.join(" "),
                    );
                }
            }
            if let Some(spec) = options.size_table {
                let sizes = req.out_pointer_sizes(spec.data_size, spec.count)?;
                let in_objects = req.domain().map(|d| usize::from(d.num_in_objects()));
                let offset = req.raw_offset() + cmif::size_table_offset(in_objects, spec.data_size);
                let list: Vec<String> = sizes.iter().map(|s| format!("{:#x}", s.get())).collect();
                line(&mut out, offset, "size_table", list.join(" "));
            }
        }
        Protocol::Tipc if options.response == Some(true) => {
            let resp = tipc::Response::new_checked(&msg)?;
            let raw = msg.layout().raw().start;
            let method = resp
                .command_id()
                .map(|c| format!(", method {c}"))
                .unwrap_or_default();
            let _ = writeln!(out, "TIPC reply, tag {}{method}", resp.tag());
            line(
                &mut out,
                raw,
                "result",
                ResultCode(resp.result()).to_string(),
            );
            line(&mut out, raw + 4, "payload", payload_text(resp.payload()));
        }
        Protocol::Tipc => {
            let req = tipc::Request::new_checked(&msg)?;
            match req.command_id() {
                None => {
                    let _ = writeln!(out, "TIPC CloseSession (tag 15)");
                }
                Some(id) => {
                    let _ = writeln!(out, "TIPC request, tag {}, method {id}", req.tag());
                    line(
                        &mut out,
                        msg.layout().raw().start,
                        "payload",
                        payload_text(req.payload()),
                    );
                }
            }
        }
    }
    Ok(out)
}

fn payload_text(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_owned();
    }
    let spaced: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{} ({} bytes)", spaced.join(" "), bytes.len())
}
