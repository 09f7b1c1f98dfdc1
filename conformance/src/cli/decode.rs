//! `hipc decode`: hex in, a dissection or the message JSON out.

use std::process::ExitCode;

use hipc::Message;
use serde::Serialize;

use super::{Convert, run_command};
use crate::hex;
use crate::layer_json::{LayerOptions, Protocol, SizeTableSpec, decode_layers, dissect_layers};
use crate::message_json::{MessageJson, to_spaced_json};

/// Decode a HIPC message given as hex: print its dissection, or its message JSON.
///
/// HEX may contain whitespace anywhere and start with one `0x`; upper or lower case.
/// Bytes after the end of the message are allowed (a TLS buffer is 0x100 bytes) and
/// reported: a `trailing` line in the dissection, `trailing_bytes` in the JSON.
///
/// Without HEX, stdin is read line by line, one message per line, and every line
/// gives exactly one output, in order. With --json that is one line of message JSON,
/// or `{"error": "..."}` for a line that fails. Without --json it is the dissection
/// followed by a blank line, or a line `error: ...` followed by a blank line.
///
/// An empty (or all-whitespace) line is an error, "empty input", so that outputs stay
/// in step with inputs, and each is flushed as soon as it is written (a co-process
/// gets its answer). The exit status is 1 if any line failed, 0 otherwise.
///
/// With HEX given, a failure prints `error: ...` on stderr and exits with status 1.
///
/// --cmif or --tipc also dissects the layer inside the raw data (wire-format.md §2,
/// §3), and adds a "cmif" or "tipc" object to the JSON. CMIF reads tag 0 as a
/// response, tag 2 as a close and tags 4 to 7 as a request; --response reads a
/// response whatever the tag (and a TIPC reply). Whether a session is a CMIF domain is
/// not on the wire: say so with --domain (a bad-magic error says when the other choice
/// looks right). Result codes show their module, description and, where the
/// specification names them, their name.
#[derive(Debug, Clone, clap::Args)]
pub struct DecodeArgs {
    /// Print the message JSON (message-json.md) on one line instead of the dissection.
    #[arg(long)]
    pub json: bool,
    /// Also decode the CMIF layer (SFCI/SFCO header, domain header, payload).
    #[arg(long, conflicts_with = "tipc")]
    pub cmif: bool,
    /// The session is a CMIF domain: requests (tags 4 and 6) and responses carry a
    /// domain header.
    #[arg(long, requires = "cmif")]
    pub domain: bool,
    /// Also decode the TIPC layer (method id, payload).
    #[arg(long)]
    pub tipc: bool,
    /// Read a response (CMIF: whatever the tag; TIPC: a reply with its result word).
    #[arg(long)]
    pub response: bool,
    /// Read the CMIF out-pointer size table of a command with DATA_SIZE bytes of
    /// in-data and COUNT entries (its position depends on both).
    #[arg(long, value_name = "DATA_SIZE,COUNT", requires = "cmif", value_parser = parse_size_table)]
    pub size_table: Option<SizeTableSpec>,
    /// The message as hex. Without it, read stdin line by line.
    #[arg(value_name = "HEX")]
    pub hex: Option<String>,
}

/// The decode conversion: hex text to a dissection or to one line of message JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoder {
    /// Output the message JSON instead of the dissection.
    pub json: bool,
    /// Also decode this layer.
    pub layer: Option<LayerOptions>,
}

fn parse_size_table(text: &str) -> Result<SizeTableSpec, String> {
    let (data, count) = text
        .split_once(',')
        .ok_or_else(|| format!("expected DATA_SIZE,COUNT (two integers), found {text:?}"))?;
    let int = |s: &str| {
        let s = s.trim();
        match s.strip_prefix("0x") {
            Some(h) => usize::from_str_radix(h, 16),
            None => s.parse(),
        }
        .map_err(|e| format!("{s:?}: {e}"))
    };
    Ok(SizeTableSpec {
        data_size: int(data)?,
        count: int(count)?,
    })
}

impl DecodeArgs {
    /// The layer options the flags select, or an error for --response alone.
    pub fn layer(&self) -> Result<Option<LayerOptions>, String> {
        let protocol = match (self.cmif, self.tipc) {
            (true, _) => Protocol::Cmif,
            (false, true) => Protocol::Tipc,
            (false, false) if self.response => {
                return Err("--response needs --cmif or --tipc".to_owned());
            }
            (false, false) => return Ok(None),
        };
        Ok(Some(LayerOptions {
            protocol,
            domain: self.domain,
            response: self.response.then_some(true),
            size_table: self.size_table,
        }))
    }
}

impl Decoder {
    /// Decodes hex text into the message JSON.
    pub fn to_message_json(input: &str) -> Result<MessageJson, String> {
        let bytes = hex::decode(input).map_err(|e| e.to_string())?;
        MessageJson::decode(&bytes).map_err(|e| e.to_string())
    }

    /// Decodes hex text into the dissection text (several lines, the last ending with
    /// a newline).
    pub fn to_dissection(input: &str) -> Result<String, String> {
        let bytes = hex::decode(input).map_err(|e| e.to_string())?;
        let msg = Message::new_checked(&bytes[..]).map_err(|e| e.to_string())?;
        Ok(msg.dissect().to_string())
    }
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    error: &'a str,
}

impl Convert for Decoder {
    fn convert(&self, input: &str) -> Result<String, String> {
        match (self.json, &self.layer) {
            (true, None) => Decoder::to_message_json(input).map(|m| m.to_json()),
            (false, None) => Decoder::to_dissection(input),
            (true, Some(layer)) => {
                let bytes = hex::decode(input).map_err(|e| e.to_string())?;
                decode_layers(&bytes, layer)
                    .map(|m| m.to_json())
                    .map_err(|e| e.to_string())
            }
            (false, Some(layer)) => {
                let hipc = Decoder::to_dissection(input)?;
                let bytes = hex::decode(input).map_err(|e| e.to_string())?;
                let text = dissect_layers(&bytes, layer).map_err(|e| e.to_string())?;
                Ok(format!("{hipc}{text}"))
            }
        }
    }

    fn error_block(&self, message: &str) -> String {
        if self.json {
            to_spaced_json(&ErrorLine { error: message })
        } else {
            format!("error: {message}")
        }
    }

    fn blank_line_after_block(&self) -> bool {
        !self.json
    }
}

/// Runs `hipc decode`; returns the exit status.
pub fn run(args: &DecodeArgs) -> ExitCode {
    let layer = match args.layer() {
        Ok(layer) => layer,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    run_command(
        &Decoder {
            json: args.json,
            layer,
        },
        args.hex.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn json_error_line_is_json() {
        let line = Decoder {
            json: true,
            layer: None,
        }
        .error_block("bad \"quote\"\n");
        assert_eq!(line, r#"{"error": "bad \"quote\"\n"}"#);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["error"], "bad \"quote\"\n");
    }

    #[test]
    fn dissection_mentions_fields() {
        let text = Decoder::default().convert("0x0400 0000 0000 0000").unwrap();
        assert!(text.contains("type=4 (Request)"), "{text}");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn errors() {
        let d = Decoder {
            json: true,
            layer: None,
        };
        assert!(
            d.convert("04000")
                .unwrap_err()
                .contains("odd number of hex digits")
        );
        assert!(
            d.convert("0400")
                .unwrap_err()
                .starts_with("section header does not fit")
        );
    }
}
