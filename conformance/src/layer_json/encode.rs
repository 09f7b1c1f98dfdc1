//! Encoding: the raw data built from the layer keys, and the keys checked
//! against the built message.

use hipc::U32;
use hipc::cmif::{self, DomainType};

use super::{CmifJson, LayeredJson, Protocol, TipcJson, decode_layers, implied_options};
use crate::hex;
use crate::message_json::{JsonError, MessageJson};

/// Checks that the layer keys of `message` agree with its built bytes.
pub(super) fn verify_layers(message: &LayeredJson, bytes: &[u8]) -> Result<(), JsonError> {
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
pub(super) fn build_raw_words(message: &LayeredJson) -> Result<Vec<u32>, JsonError> {
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
