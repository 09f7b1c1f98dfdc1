//! `hipc decode`: hex in, a dissection or the message JSON out.

use std::process::ExitCode;

use hipc::Message;
use serde::Serialize;

use super::{Convert, run_command};
use crate::hex;
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
/// in step with inputs. The exit status is 1 if any line failed, 0 otherwise.
///
/// With HEX given, a failure prints `error: ...` on stderr and exits with status 1.
#[derive(Debug, Clone, clap::Args)]
pub struct DecodeArgs {
    /// Print the message JSON (message-json.md) on one line instead of the dissection.
    #[arg(long)]
    pub json: bool,
    /// The message as hex. Without it, read stdin line by line.
    #[arg(value_name = "HEX")]
    pub hex: Option<String>,
}

/// The decode conversion: hex text to a dissection or to one line of message JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoder {
    /// Output the message JSON instead of the dissection.
    pub json: bool,
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
        if self.json {
            Decoder::to_message_json(input).map(|m| m.to_json())
        } else {
            Decoder::to_dissection(input)
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
    run_command(&Decoder { json: args.json }, args.hex.as_deref())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn json_error_line_is_json() {
        let line = Decoder { json: true }.error_block("bad \"quote\"\n");
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
        let d = Decoder { json: true };
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
