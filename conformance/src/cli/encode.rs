//! `hipc encode`: message JSON in, lowercase hex out.

use std::process::ExitCode;

use super::{Convert, run_command};
use crate::hex;
use crate::layer_json::LayeredJson;

/// Encode a message JSON (message-json.md) into the message's bytes, as lowercase hex.
///
/// Every value must fit its field: one that does not is refused with its JSON path
/// (`x[1].address: value 0x8000000000 does not fit ...`), never truncated. Unknown
/// keys, negative numbers and numbers with a fraction or exponent are refused;
/// `trailing_bytes` is ignored.
///
/// Without JSON, stdin is read line by line, one JSON object per line (JSON Lines),
/// and every line gives exactly one output line, in order: the hex, or `error: ...`
/// for a line that fails. An empty (or all-whitespace) line is an error, "empty
/// input", so that outputs stay in step with inputs. The exit status is 1 if any line
/// failed, 0 otherwise.
///
/// With JSON given, a failure prints `error: ...` on stderr and exits with status 1.
///
/// The JSON may carry the "cmif" or "tipc" object that `hipc decode --cmif/--tipc
/// --json` writes. With "raw_words" too, every key given there must agree with the
/// raw data; without "raw_words", the raw data is built from it (padding, headers,
/// payload as given; or, with "data" instead of "payload", the in-data laid out as
/// libnx does, padding budget and size table included). With a layer object the HIPC
/// keys may be left out (no handles, descriptors or PID; the type from the layer).
///
/// Each line read from stdin is answered (and flushed) before the next is read, so
/// the command can serve as a co-process.
#[derive(Debug, Clone, clap::Args)]
pub struct EncodeArgs {
    /// The message JSON. Without it, read stdin line by line.
    #[arg(value_name = "JSON")]
    pub json: Option<String>,
}

/// The encode conversion: one message JSON to one line of hex.
#[derive(Debug, Clone, Copy, Default)]
pub struct Encoder;

impl Convert for Encoder {
    fn convert(&self, input: &str) -> Result<String, String> {
        let message = LayeredJson::from_json(input).map_err(|e| e.to_string())?;
        let bytes = message.to_bytes().map_err(|e| e.to_string())?;
        Ok(hex::encode(&bytes))
    }
}

/// Runs `hipc encode`; returns the exit status.
pub fn run(args: &EncodeArgs) -> ExitCode {
    run_command(&Encoder, args.json.as_deref())
}
