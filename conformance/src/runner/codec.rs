//! Running a codec test (vectors/README.md "Codec tests").
//!
//! * `valid` / `acceptable`, with `bytes` and `message`: decoding `bytes` with
//!   [`Message::new_checked`] gives `message` (compared by meaning, the first differing
//!   field named as `message.x[1].address`), and encoding `message` gives `encoded`
//!   when present, else `bytes` without its trailing bytes (the first differing byte
//!   named by the layout, `bytes[0x14] (x[0].word0)`).
//! * `invalid`, with `bytes` and `error`: decoding fails with that error.
//! * `invalid`, with `message` and `error`: reading the message JSON or encoding it
//!   fails with that error (`json` for a message JSON that is not of the shape).
//!
//! A test with a `layer` key ("Layer tests") does the same with the layer inside the
//! raw data: decoding is [`decode_layers`] with the options the key selects, and the
//! message is read with [`LayeredJson::from_json`], so it carries the `"cmif"` or
//! `"tipc"` object too. The HIPC part is compared as above; the layer object is
//! compared key by key (every key decoding gives must be in the vector and no other),
//! the first difference named as `message.cmif.domain.in_objects[0]`. Encoding is
//! [`LayeredJson::to_bytes`]; a refused layer key is a `json` error naming it
//! (`cmif.command_id`), a refused layer a codec error kind (`cmif_bad_magic`).
//!
//! A test that gives neither, or (for `invalid`) both `bytes` and `message`, is a
//! vector error.

use hipc::{Error, Message};

use super::diff::{diff_layers, diff_messages, first_difference, name_byte, show_byte};
use super::json_error::NamedError;
use super::outcome::{Status, TestOutcome};
use super::problem::{Mismatch, Problem, vector_error};
use crate::hex;
use crate::layer_json::{LayeredJson, decode_layers};
use crate::message_json::{JsonError, MessageJson};
use crate::vector::codec_test::LayerSpec;
use crate::vector::{CodecTest, ExpectedError, FileKind, VectorFile, Verdict};

/// Runs one codec test.
pub fn run_codec_test(file: &VectorFile, test: &CodecTest) -> TestOutcome {
    let mut outcome = TestOutcome {
        file: file.path.clone(),
        id: test.id.clone(),
        kind: FileKind::Codec,
        verdict: Some(test.result),
        comment: test.comment.clone(),
        status: Status::Passed,
        reason: None,
        failure: None,
    };
    if let Err((op, problem)) = check(test) {
        let (failure, reason) = problem.into_failure(op, None, Some(op));
        outcome.status = Status::Failed;
        outcome.reason = Some(reason);
        outcome.failure = Some(failure);
    }
    outcome
}

type Checked = Result<(), (&'static str, Problem)>;

fn check(test: &CodecTest) -> Checked {
    let bytes = match &test.bytes {
        Some(text) => Some(
            hex::decode(text)
                .map_err(|e| ("decode", vector_error("bytes", format!("bad hex: {e}"))))?,
        ),
        None => None,
    };
    match test.result {
        Verdict::Valid | Verdict::Acceptable => check_valid(test, bytes.as_deref()),
        Verdict::Invalid => check_invalid(test, bytes.as_deref()),
    }
}

/// Reads the test's message JSON (with its layer object when the test has a `layer`
/// key); in a valid test, a JSON the codec refuses is a vector error.
fn expected_message(
    value: &serde_json::Value,
    layer: Option<&LayerSpec>,
) -> Result<LayeredJson, Problem> {
    read_message(value, layer).map_err(|e| {
        vector_error(
            "message",
            format!("the expected message is not a valid message JSON: {e}"),
        )
    })
}

/// Reads a message JSON: plain (`cmif` and `tipc` are unknown keys) without a
/// layer, with [`LayeredJson::from_json`] with one.
fn read_message(
    value: &serde_json::Value,
    layer: Option<&LayerSpec>,
) -> Result<LayeredJson, JsonError> {
    let text = serde_json::to_string(value).unwrap_or_default();
    match layer {
        Some(_) => LayeredJson::from_json(&text),
        None => MessageJson::from_json(&text).map(LayeredJson::from),
    }
}

/// Decodes `bytes` as the test says: the HIPC message, and its layer when the test
/// has a `layer` key. Gives the JSON and the message's length (trailing bytes
/// excluded).
fn decode(bytes: &[u8], layer: Option<&LayerSpec>) -> Result<(LayeredJson, usize), Error> {
    let msg = Message::new_checked(bytes)?;
    let json = match layer {
        Some(spec) => decode_layers(bytes, &spec.options())?,
        None => LayeredJson::from(MessageJson::from_message(&msg)),
    };
    Ok((json, msg.message_len()))
}

/// A valid test: it gives `message` and `bytes` and no `error`; then both
/// directions, decode first (its failure is the one reported).
fn check_valid(test: &CodecTest, bytes: Option<&[u8]>) -> Checked {
    if test.error.is_some() {
        return Err((
            "decode",
            vector_error(
                "error",
                "a valid test cannot expect an error (use \"result\": \"invalid\")",
            ),
        ));
    }
    let Some(value) = &test.message else {
        return Err((
            "decode",
            vector_error("message", "a valid codec test needs \"message\""),
        ));
    };
    let layer = test.layer.as_ref();
    let expected = expected_message(value, layer).map_err(|p| ("decode", p))?;
    let Some(bytes) = bytes else {
        return Err((
            "decode",
            vector_error("bytes", "a valid codec test needs \"bytes\""),
        ));
    };

    let message_len = check_decodes_to(bytes, layer, &expected)?;
    check_encodes_to(test, bytes, message_len, &expected)
}

/// A valid test's decode direction: `bytes` decode to the expected message (and
/// layer). Gives the message's length, trailing bytes excluded.
fn check_decodes_to(
    bytes: &[u8],
    layer: Option<&LayerSpec>,
    expected: &LayeredJson,
) -> Result<usize, (&'static str, Problem)> {
    match decode(bytes, layer) {
        Ok((actual, len)) => {
            let m = diff_messages("message", &expected.message, &actual.message)
                .or_else(|| diff_layers("message", expected, &actual));
            match m {
                Some(m) => Err((
                    "decode",
                    m.detail(format!(
                        "decoding bytes gives {}",
                        truncate_text(&actual.to_json())
                    ))
                    .into(),
                )),
                None => Ok(len),
            }
        }
        Err(e) => Err((
            "decode",
            Mismatch::new("error", "the message decodes", describe_error(&e))
                .detail(format!(
                    "a valid test: decoding bytes should give {} but fails with {}: {e}",
                    truncate_text(&expected.to_json()),
                    e.kind()
                ))
                .into(),
        )),
    }
}

/// A valid test's encode direction: the expected message encodes to `encoded`
/// when the test gives it, else to `bytes` without their trailing bytes.
fn check_encodes_to(
    test: &CodecTest,
    bytes: &[u8],
    message_len: usize,
    expected: &LayeredJson,
) -> Checked {
    let want: Vec<u8> = match &test.encoded {
        Some(text) => hex::decode(text)
            .map_err(|e| ("encode", vector_error("encoded", format!("bad hex: {e}"))))?,
        None => bytes.get(..message_len).unwrap_or(bytes).to_vec(),
    };
    let got = match expected.to_bytes() {
        Ok(got) => got,
        Err(e) => {
            return Err((
                "encode",
                Mismatch::new("error", "the message encodes", describe_json_error(&e))
                    .detail(format!(
                        "a valid test: encoding message should give bytes but fails: {e}"
                    ))
                    .into(),
            ));
        }
    };
    if let Some(offset) = first_difference(&want, &got) {
        let what = if test.encoded.is_some() {
            "encoded"
        } else if want.len() < bytes.len() {
            "bytes without their trailing bytes"
        } else {
            "bytes"
        };
        let detail = if want.len() == got.len() {
            format!(
                "encoding message gives {} bytes, as expected, but not the bytes of {what}",
                got.len()
            )
        } else {
            format!(
                "encoding message gives {:#x} bytes, {what} has {:#x}",
                got.len(),
                want.len()
            )
        };
        return Err((
            "encode",
            Mismatch::new(
                name_byte(&want, &got, offset),
                show_byte(&want, offset),
                show_byte(&got, offset),
            )
            .detail(detail)
            .bytes(Some(want), Some(got))
            .into(),
        ));
    }
    Ok(())
}

fn check_invalid(test: &CodecTest, bytes: Option<&[u8]>) -> Checked {
    let Some(expected) = &test.error else {
        return Err((
            "decode",
            vector_error("error", "an invalid codec test needs \"error\""),
        ));
    };
    match (bytes, &test.message) {
        (Some(_), Some(_)) => Err((
            "decode",
            vector_error(
                "message",
                "an invalid codec test gives \"bytes\" (decoding must fail) or \"message\" (encoding must fail), not both",
            ),
        )),
        (None, None) => Err((
            "decode",
            vector_error(
                "bytes",
                "an invalid codec test needs \"bytes\" or \"message\"",
            ),
        )),
        (Some(bytes), None) => match decode(bytes, test.layer.as_ref()) {
            Ok((json, _)) => {
                let json = json.to_json();
                Err((
                    "decode",
                    Mismatch::new("error.kind", expected.kind.clone(), "the message decodes")
                        .detail(format!(
                            "an invalid test: decoding should fail with {}, but gives {}",
                            describe_expected(expected),
                            truncate_text(&json)
                        ))
                        .bytes(None, Some(bytes.to_vec()))
                        .into(),
                ))
            }
            Err(e) => {
                compare_error(expected, &NamedError::from_codec(&e)).map_err(|p| ("decode", p))
            }
        },
        (None, Some(value)) => {
            let result = read_message(value, test.layer.as_ref()).and_then(|m| m.to_bytes());
            match result {
                Ok(got) => Err((
                    "encode",
                    Mismatch::new("error.kind", expected.kind.clone(), "the message encodes")
                        .detail(format!(
                            "an invalid test: encoding should fail with {}, but gives {}",
                            describe_expected(expected),
                            hex::encode(&got)
                        ))
                        .bytes(None, Some(got))
                        .into(),
                )),
                Err(e) => {
                    compare_error(expected, &NamedError::from_json(&e)).map_err(|p| ("encode", p))
                }
            }
        }
    }
}

fn compare_error(expected: &ExpectedError, actual: &NamedError) -> Result<(), Problem> {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let detail = || format!("the error is: {}", actual.text);
    if expected.kind != actual.kind {
        return Err(
            Mismatch::new("error.kind", expected.kind.clone(), actual.kind.clone())
                .detail(detail())
                .into(),
        );
    }
    if expected.section.is_some() && expected.section != actual.section {
        return Err(Mismatch::new(
            "error.section",
            show(&expected.section),
            show(&actual.section),
        )
        .detail(detail())
        .into());
    }
    if expected.field.is_some() && expected.field != actual.field {
        return Err(
            Mismatch::new("error.field", show(&expected.field), show(&actual.field))
                .detail(detail())
                .into(),
        );
    }
    Ok(())
}

fn describe_expected(e: &ExpectedError) -> String {
    let mut s = e.kind.clone();
    if let Some(section) = &e.section {
        s.push_str(&format!(" (section {section})"));
    }
    if let Some(field) = &e.field {
        s.push_str(&format!(" (field {field})"));
    }
    s
}

fn describe_error(e: &Error) -> String {
    format!("error {}: {e}", e.kind())
}

fn describe_json_error(e: &JsonError) -> String {
    let a = NamedError::from_json(e);
    format!("error {}: {}", a.kind, a.text)
}

/// Keeps a long message JSON readable in a one-line detail.
fn truncate_text(s: &str) -> String {
    const MAX: usize = 400;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", s.get(..end).unwrap_or(""))
}

#[cfg(test)]
mod tests;
