//! Answers: the answer line, and the shape of each operation's `ok` value.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kernel::{Handle, RequestStatus, ResultCode, SendOutcome, SessionHandles, WaitOutcome};

/// The answer line for request `id` (no newline): `{"id":N,"ok":VALUE}` or
/// `{"id":N,"error":"text"}`; `id` null when the request's id could not be read.
pub fn answer_line(id: Option<u64>, answer: Result<Value, String>) -> String {
    let mut line = Vec::new();
    write_answer(&mut line, id, &answer);
    // JSON text is UTF-8.
    String::from_utf8(line).unwrap_or_default()
}

/// Appends the answer line for request `id` to `out` (no newline): what
/// [`answer_line`] returns, written in one pass into a buffer the caller reuses.
pub fn write_answer(out: &mut Vec<u8>, id: Option<u64>, answer: &Result<Value, String>) {
    // The keys in sorted order, as a `Value` object prints them.
    #[derive(Serialize)]
    struct Ok<'a> {
        id: Option<u64>,
        ok: &'a Value,
    }
    #[derive(Serialize)]
    struct Error<'a> {
        error: &'a str,
        id: Option<u64>,
    }
    // Writing to a Vec cannot fail, and a `Value` always serializes.
    let _ = match answer {
        Result::Ok(ok) => serde_json::to_writer(out, &Ok { id, ok }),
        Result::Err(error) => serde_json::to_writer(out, &Error { error, id }),
    };
}

/// The answer to `hello`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloAnswer {
    /// [`PROTOCOL`](super::PROTOCOL).
    pub protocol: String,
    /// The kernel's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Capability names (vectors/README.md "Capabilities").
    pub capabilities: Vec<String>,
    /// Protocol features the kernel understands ([`FEATURES`](super::FEATURES)); absent (empty)
    /// for a kernel that declares none, which then gets every request in its
    /// full form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// The answer to `send_sync_request`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum SendAnswer {
    /// The client thread is blocked.
    Pending,
    /// The syscall returned at once.
    Returned {
        /// Its result.
        result: u32,
    },
}

/// The answer to `request_status`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusAnswer {
    /// No request sent.
    Idle,
    /// Blocked.
    Pending,
    /// Returned.
    Completed {
        /// The result the client's syscall returned.
        result: u32,
    },
}

/// The answer to `reply_and_receive`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitAnswer {
    /// The result.
    pub result: u32,
    /// The out index, or null when not written.
    pub out_index: Option<i32>,
}

/// The answer to `close_handle`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultAnswer {
    /// The result.
    pub result: u32,
}

/// The answer to `send_async_request`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsyncAnswer {
    /// The result (0 = success, then `event` is the new event handle).
    pub result: u32,
    /// The event handle on success, null otherwise.
    pub event: Option<Handle>,
}

/// The answer to `create_session`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionAnswer {
    /// The server session handle (in the server process).
    pub server: Handle,
    /// The client session handle (in the client process).
    pub client: Handle,
}

impl From<SendOutcome> for SendAnswer {
    fn from(outcome: SendOutcome) -> Self {
        match outcome {
            SendOutcome::Pending => SendAnswer::Pending,
            SendOutcome::Returned(r) => SendAnswer::Returned { result: r.0 },
        }
    }
}

impl From<RequestStatus> for StatusAnswer {
    fn from(status: RequestStatus) -> Self {
        match status {
            RequestStatus::Idle => StatusAnswer::Idle,
            RequestStatus::Pending => StatusAnswer::Pending,
            RequestStatus::Completed(r) => StatusAnswer::Completed { result: r.0 },
        }
    }
}

impl From<WaitOutcome> for WaitAnswer {
    fn from(w: WaitOutcome) -> Self {
        WaitAnswer {
            result: w.result.0,
            out_index: w.out_index,
        }
    }
}

/// `send_async_request`'s outcome: the event handle, or the result it failed with.
impl From<Result<Handle, ResultCode>> for AsyncAnswer {
    fn from(outcome: Result<Handle, ResultCode>) -> Self {
        match outcome {
            Ok(event) => AsyncAnswer {
                result: 0,
                event: Some(event),
            },
            Err(result) => AsyncAnswer {
                result: result.0,
                event: None,
            },
        }
    }
}

impl From<SessionHandles> for SessionAnswer {
    fn from(s: SessionHandles) -> Self {
        SessionAnswer {
            server: s.server,
            client: s.client,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn answer_lines_are_what_a_value_prints() {
        let ok = serde_json::json!({"b": [1, "x"], "a": null});
        for (id, answer) in [
            (Some(3), Ok(ok)),
            (Some(u64::MAX), Ok(Value::Null)),
            (None, Err("bad \"request\"\n".to_owned())),
            (Some(4), Err(String::new())),
        ] {
            let id_value = id.map_or(Value::Null, Value::from);
            let expected = match &answer {
                Ok(ok) => serde_json::json!({"id": id_value, "ok": ok}),
                Err(error) => serde_json::json!({"id": id_value, "error": error}),
            }
            .to_string();
            assert_eq!(answer_line(id, answer), expected);
        }
    }

    #[test]
    fn answers() {
        let ok: Value = serde_json::from_str(&answer_line(Some(3), Ok(Value::Null))).unwrap();
        assert_eq!(ok, serde_json::json!({"id": 3, "ok": null}));
        let err: Value = serde_json::from_str(&answer_line(None, Err("bad".into()))).unwrap();
        assert_eq!(err, serde_json::json!({"id": null, "error": "bad"}));
        let send: SendAnswer =
            serde_json::from_str(r#"{"status":"returned","result":58369}"#).unwrap();
        assert_eq!(send, SendAnswer::Returned { result: 0xE401 });
    }
}
