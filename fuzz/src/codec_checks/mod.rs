//! The codec properties the `parse`, `decode`, `roundtrip` and `message_json` targets check.
//! Each function panics (so libFuzzer reports a crash) when a property fails.
//!
//! | module | what |
//! |---|---|
//! | `sample` | which inputs get the formatting checks |
//! | `decode` | `decode`: what a decoded message agrees on; the two parses agree |
//! | `parse` | `parse`: what a user of the codec does |
//! | `layers` | the CMIF and TIPC views never panic |
//! | `roundtrip` | `roundtrip`: emit then parse; refusals |
//! | `constructors` | descriptor constructors accept what fits |
//! | `message_json` | `message_json`: text to message and back |

mod constructors;
mod decode;
mod layers;
mod message_json;
mod parse;
mod roundtrip;
mod sample;

pub use constructors::{FieldValues, check_constructors};
pub use decode::{check_decode, check_sections_agree};
use hipc::Message;
pub use layers::check_layers;
pub use message_json::check_message_json;
pub use parse::check_parse;
pub use roundtrip::{check_roundtrip, repr_len, repr_problem};
pub use sample::{SAMPLE, formatting_sampled};

/// The bytes a message re-emits to: its own bytes with the gap between the raw data
/// and a receive list placed further on zeroed (message-json.md: "encoding writes
/// zeros there, and the same-bytes rule holds for messages whose gap is zero").
pub fn expected_reemit<T: AsRef<[u8]>>(msg: &Message<T>) -> Vec<u8> {
    let mut out = msg.as_bytes().to_vec();
    if let Some(gap) = out.get_mut(msg.layout().gap()) {
        gap.fill(0);
    }
    out
}
