//! The kernel's side of the protocol for any in-process [`Kernel`]: read requests,
//! perform them, write answers (what `hipc serve-model` runs).

use std::io::{self, BufRead, Write};

use serde_json::Value;

use super::{
    AsyncAnswer, FEATURE_FILL, Fill, HelloAnswer, Op, PROTOCOL, Patch, ResultAnswer, SendAnswer,
    SessionAnswer, StatusAnswer, WaitAnswer, expand_fill, parse_request_checked,
    parse_request_fast, write_answer,
};
use crate::hex;
use crate::kernel::{Kernel, KernelError, MemoryRegion, ProcessRef, ProcessSpec};

fn to_value<T: serde::Serialize>(value: T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

fn kernel_result<T: serde::Serialize>(result: Result<T, KernelError>) -> Result<Value, String> {
    result.map_err(|e| e.0).and_then(to_value)
}

fn usize_of(value: u64, what: &str) -> Result<usize, String> {
    usize::try_from(value).map_err(|_| format!("{what} {value} is too large"))
}

/// Which protocol features the server declares in its `hello` answer, and so
/// accepts (a request in a form the server did not declare is refused).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Features {
    /// [`FEATURE_FILL`]: `map_memory` in the fill form.
    pub fill: bool,
}

impl Features {
    /// Every feature (what `hipc serve-model` declares by default).
    pub const ALL: Features = Features { fill: true };
    /// None: the server answers as a kernel written before features existed.
    pub const NONE: Features = Features { fill: false };

    /// The names to declare.
    pub fn names(self) -> Vec<String> {
        let mut names = Vec::new();
        if self.fill {
            names.push(FEATURE_FILL.to_owned());
        }
        names
    }
}

/// The bytes a `map_memory` request gives its region of `size` bytes: the full
/// form's `contents`, or the fill form's `fill` and `patches` (when the feature is
/// declared). Errors say which form is wrong and how.
fn region_contents(
    size: u64,
    contents: Option<String>,
    fill: Option<Fill>,
    patches: Option<Vec<Patch>>,
    features: Features,
) -> Result<Vec<u8>, String> {
    match (contents, fill) {
        (Some(_), Some(_)) => Err("map_memory: give \"contents\" or \"fill\", not both".to_owned()),
        (None, None) => Err(if features.fill {
            "map_memory: missing \"contents\" (hex) or \"fill\" (a byte value)"
        } else {
            "map_memory: missing \"contents\" (hex)"
        }
        .to_owned()),
        (Some(_), None) if patches.is_some() => {
            Err("map_memory: \"patches\" go with \"fill\", not with \"contents\"".to_owned())
        }
        (Some(hex), None) => hex::decode(&hex).map_err(|e| format!("contents: {e}")),
        (None, Some(_)) if !features.fill => Err(format!(
            "map_memory: \"fill\" is protocol feature {FEATURE_FILL:?}, which this kernel \
             does not declare: send \"contents\""
        )),
        (None, Some(Fill(fill))) => expand_fill(size, fill, patches.as_deref().unwrap_or_default())
            .map_err(|e| format!("map_memory: {e}")),
    }
}

/// Performs one request on `kernel`: the `ok` value or the `error` text.
/// Every protocol feature is accepted ([`Features::ALL`]).
pub fn perform(kernel: &mut dyn Kernel, op: Op) -> Result<Value, String> {
    perform_with(kernel, op, Features::ALL)
}

/// [`perform`] for a server declaring `features`.
pub fn perform_with(kernel: &mut dyn Kernel, op: Op, features: Features) -> Result<Value, String> {
    let answer = dispatch(kernel, op, features);
    // An in-process kernel may still record a fault for an operation whose
    // signature cannot carry an error: the answer becomes that error.
    match kernel.take_fault() {
        Some(fault) => Err(fault.0),
        None => answer,
    }
}

/// The answer to `op`: one line per operation (PROTOCOL.md §5), the longer ones
/// in a function of their own.
fn dispatch(kernel: &mut dyn Kernel, op: Op, features: Features) -> Result<Value, String> {
    match op {
        Op::Hello { protocol } => hello(kernel, &protocol, features),
        Op::Reset {} => kernel_result(kernel.reset()),
        Op::CreateProcess {
            name,
            pid,
            handle_capacity,
            alias_region_size,
        } => {
            let handle_capacity = handle_capacity
                .map(|n| usize_of(n, "handle_capacity"))
                .transpose()?;
            kernel_result(kernel.create_process(&ProcessSpec {
                name,
                pid,
                handle_capacity,
                alias_region_size,
            }))
        }
        Op::MainThread { process } => kernel_result(kernel.main_thread(process)),
        Op::CreateThread { process } => kernel_result(kernel.create_thread(process)),
        Op::MapMemory {
            process,
            address,
            size,
            state,
            permission,
            attributes,
            contents,
            fill,
            patches,
        } => {
            let region = MemoryRegion {
                address,
                size,
                state,
                permission,
                attributes,
                contents: region_contents(size, contents, fill, patches, features)?,
            };
            kernel_result(kernel.map_memory(process, &region))
        }
        Op::CreateEvent { process, kind } => kernel_result(kernel.create_event(process, kind)),
        Op::CreateSession { server, client } => kernel_result(
            kernel
                .create_session(server, client)
                .map(SessionAnswer::from),
        ),
        Op::SendSyncRequest {
            thread,
            session,
            buffer,
        } => to_value(SendAnswer::from(
            kernel.send_sync_request(thread, session, buffer),
        )),
        Op::SendAsyncRequest {
            thread,
            session,
            address,
            size,
        } => kernel_result(
            kernel
                .send_async_request(thread, session, address, size)
                .map(AsyncAnswer::from),
        ),
        Op::ReplyAndReceive {
            thread,
            handles,
            reply_target,
            timeout_ns,
            buffer,
        } => to_value(WaitAnswer::from(kernel.reply_and_receive(
            thread,
            &handles,
            reply_target,
            timeout_ns,
            buffer,
        ))),
        Op::CloseHandle { process, handle } => to_value(ResultAnswer {
            result: kernel.close_handle(process, handle).0,
        }),
        Op::RequestStatus { thread } => to_value(StatusAnswer::from(kernel.request_status(thread))),
        Op::ProcessId { process } => to_value(kernel.process_id(process)),
        Op::TlsAddress { thread } => to_value(kernel.tls_address(thread)),
        Op::ReadMemory {
            process,
            address,
            len,
        } => read_memory(kernel, process, address, len),
        Op::WriteMemory {
            process,
            address,
            bytes,
        } => {
            let bytes = hex::decode(&bytes).map_err(|e| format!("bytes: {e}"))?;
            kernel_result(kernel.write_memory(process, address, &bytes))
        }
        Op::UserCanAccess {
            process,
            address,
            len,
            write,
        } => {
            let len = usize_of(len, "len")?;
            to_value(kernel.user_can_access(process, address, len, write))
        }
        Op::QueryMemory { process, address } => {
            kernel_result(kernel.query_memory(process, address))
        }
        Op::IpcMappings { process } => kernel_result(kernel.ipc_mappings(process)),
        Op::HandleObject { process, handle } => to_value(kernel.handle_object(process, handle)),
        Op::HandleCount { process } => to_value(kernel.handle_count(process)),
        Op::ProcessObject { process } => to_value(kernel.process_object(process)),
        Op::ThreadObject { thread } => to_value(kernel.thread_object(thread)),
        Op::EventSignaled { process, handle } => {
            kernel_result(kernel.event_signaled(process, handle))
        }
    }
}

/// `hello`: the protocol must be ours; the answer names the kernel, its
/// capabilities and the protocol features this server declares.
fn hello(kernel: &mut dyn Kernel, protocol: &str, features: Features) -> Result<Value, String> {
    if protocol != PROTOCOL {
        return Err(format!(
            "unsupported protocol {protocol:?} (this kernel speaks {PROTOCOL:?})"
        ));
    }
    let info = kernel.info();
    to_value(HelloAnswer {
        protocol: PROTOCOL.to_owned(),
        name: info.name,
        version: info.version,
        capabilities: info
            .capabilities
            .iter()
            .map(|c| c.name().to_owned())
            .collect(),
        features: features.names(),
    })
}

/// `read_memory`: the bytes as hex.
fn read_memory(
    kernel: &mut dyn Kernel,
    process: ProcessRef,
    address: u64,
    len: u64,
) -> Result<Value, String> {
    let len = usize_of(len, "len")?;
    kernel
        .read_memory(process, address, len)
        .map(|bytes| Value::from(hex::encode(&bytes)))
        .map_err(|e| e.0)
}

/// Answers requests from `input` on `output`, one line each, until `input` ends.
/// A line that is not a request gets an `error` answer (with `"id": null` when its id
/// could not be read) and serving goes on. Returns an I/O error of either stream.
///
/// Each answer is written with one `write_all` and flushed. The line buffers are
/// reused from request to request, and a well-formed request is read in one pass
/// ([`parse_request_fast`]); anything else is read the thorough way
/// ([`parse_request`](super::parse_request)), which names what is wrong.
pub fn serve<R: BufRead, W: Write>(
    kernel: &mut dyn Kernel,
    input: &mut R,
    output: &mut W,
) -> io::Result<()> {
    serve_with(kernel, Features::ALL, input, output)
}

/// [`serve`] declaring (and accepting) only `features`.
pub fn serve_with<R: BufRead, W: Write>(
    kernel: &mut dyn Kernel,
    features: Features,
    input: &mut R,
    output: &mut W,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut out = Vec::new();
    loop {
        // A line already whole in the input's buffer is read where it is; one
        // that is not (longer than the buffer, or split by it) is gathered in
        // `line` first.
        let in_place = {
            let available = input.fill_buf()?;
            memchr::memchr(b'\n', available).map(|at| {
                let line = available.get(..=at).unwrap_or_default();
                (at + 1, answer(kernel, features, line))
            })
        };
        let answer = match in_place {
            Some((used, answer)) => {
                input.consume(used);
                answer
            }
            None => {
                line.clear();
                if input.read_until(b'\n', &mut line)? == 0 {
                    return Ok(());
                }
                answer(kernel, features, &line)
            }
        };
        let Some(answer) = answer else {
            continue;
        };
        out.clear();
        write_answer(&mut out, answer.0, &answer.1);
        out.push(b'\n');
        output.write_all(&out)?;
        output.flush()?;
    }
}

/// The answer to one request line (its newline included), or `None` for a blank
/// line (skipped).
fn answer(
    kernel: &mut dyn Kernel,
    features: Features,
    line: &[u8],
) -> Option<(Option<u64>, Result<Value, String>)> {
    if let Some((id, op)) = parse_request_fast(line) {
        return Some((Some(id), perform_with(kernel, op, features)));
    }
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return None;
    }
    Some(match parse_request_checked(text) {
        (Some(id), Ok(op)) => (Some(id), perform_with(kernel, op, features)),
        (id, Err(e)) => (id, Err(format!("bad request: {e}"))),
        (None, Ok(_)) => (None, Err("bad request: missing id".to_owned())),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::ModelKernel;
    use serde_json::json;

    /// What `serve` answers to `input` read through a buffer of `capacity` bytes.
    fn served(input: &str, capacity: usize) -> String {
        let mut reader = io::BufReader::with_capacity(capacity, input.as_bytes());
        let mut out = Vec::new();
        serve(&mut ModelKernel::new(), &mut reader, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The answers of a server declaring `features` to `requests` (one per line),
    /// after `reset` and `create_process` (process 1).
    fn answers(features: Features, requests: &[String]) -> Vec<Value> {
        let mut input = String::from(
            "{\"id\":0,\"op\":\"reset\"}\n{\"id\":1,\"op\":\"create_process\",\"name\":\"P\",\
             \"pid\":null,\"handle_capacity\":null,\"alias_region_size\":null}\n",
        );
        for request in requests {
            input.push_str(request);
            input.push('\n');
        }
        let mut reader = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        serve_with(&mut ModelKernel::new(), features, &mut reader, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[..2],
            [json!({"id": 0, "ok": null}), json!({"id": 1, "ok": 1})]
        );
        lines[2..].to_vec()
    }

    /// A `map_memory` request of process 1 at `address`, 0x2000 bytes, with
    /// `form` (the contents' keys) as its last keys.
    fn map(id: u64, address: u64, form: &str) -> String {
        format!(
            "{{\"id\":{id},\"op\":\"map_memory\",\"process\":1,\"address\":{address},\
             \"size\":8192,\"state\":\"Normal\",\"permission\":\"rw\",\"attributes\":\
             {{\"locked\":false,\"ipc_locked\":false,\"device_shared\":false,\
             \"uncached\":false,\"permission_locked\":false}}{form}}}"
        )
    }

    fn read(id: u64, address: u64, len: u64) -> String {
        format!(
            "{{\"id\":{id},\"op\":\"read_memory\",\"process\":1,\"address\":{address},\"len\":{len}}}"
        )
    }

    #[test]
    fn hello_declares_the_features_served() {
        let hello = r#"{"id":0,"op":"hello","protocol":"hipc-kernel/1"}"#;
        for (features, expected) in [
            (Features::ALL, Some(json!(["fill"]))),
            (Features::NONE, None),
        ] {
            let mut out = Vec::new();
            let mut input = io::BufReader::new(hello.as_bytes());
            serve_with(&mut ModelKernel::new(), features, &mut input, &mut out).unwrap();
            let answer: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(answer["ok"].get("features"), expected.as_ref(), "{answer}");
            assert_eq!(answer["ok"]["protocol"], "hipc-kernel/1");
        }
    }

    #[test]
    fn both_forms_give_the_region_its_bytes() {
        let (a, b, c) = (0x1000_0000u64, 0x1001_0000u64, 0x1002_0000u64);
        let requests = [
            map(10, a, r#","contents":"0102""#),
            map(
                11,
                b,
                r#","fill":238,"patches":[{"offset":8190,"bytes":"0304"},{"offset":1,"bytes":""}]"#,
            ),
            map(12, c, r#","fill":0,"patches":[{"offset":4,"bytes":"05"}]"#),
            read(13, a, 3),
            read(14, b, 2),
            read(15, b + 8188, 4),
            read(16, c + 3, 3),
            read(17, c + 8190, 2),
        ];
        let answers = answers(Features::ALL, &requests);
        let ok: Vec<&Value> = answers.iter().map(|a| &a["ok"]).collect();
        assert_eq!(
            ok,
            [
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &json!("010200"),
                &json!("eeee"),
                &json!("eeee0304"),
                &json!("000500"),
                &json!("0000"),
            ],
            "{answers:?}"
        );
    }

    #[test]
    fn malformed_or_undeclared_fill_forms_are_answered_with_precise_errors() {
        let a = 0x1000_0000u64;
        let cases = [
            (
                Features::ALL,
                r#","fill":256"#,
                "bad request: fill 256 is out of range: a byte value 0..=255 expected",
            ),
            (
                Features::ALL,
                r#","fill":-3"#,
                "bad request: fill -3 is out of range: a byte value 0..=255 expected",
            ),
            (
                Features::ALL,
                r#","fill":"ee""#,
                "bad request: invalid type: string \"ee\", expected a fill byte value (an integer 0..=255)",
            ),
            (
                Features::ALL,
                r#","contents":"00","fill":1"#,
                "map_memory: give \"contents\" or \"fill\", not both",
            ),
            (
                Features::ALL,
                "",
                "map_memory: missing \"contents\" (hex) or \"fill\" (a byte value)",
            ),
            (
                Features::ALL,
                r#","patches":[]"#,
                "map_memory: missing \"contents\" (hex) or \"fill\" (a byte value)",
            ),
            (
                Features::ALL,
                r#","contents":"00","patches":[]"#,
                "map_memory: \"patches\" go with \"fill\", not with \"contents\"",
            ),
            (
                Features::ALL,
                r#","fill":1,"patches":[{"offset":8191,"bytes":"0102"}]"#,
                "map_memory: patches[0]: 2 bytes at offset 0x1fff do not fit in the region's 0x2000 bytes",
            ),
            (
                Features::ALL,
                r#","fill":1,"patches":[{"offset":0,"bytes":"0"}]"#,
                "map_memory: patches[0].bytes: ",
            ),
            (
                Features::ALL,
                r#","fill":1,"patches":[{"offset":0}]"#,
                "bad request: missing field `bytes`",
            ),
            (
                Features::NONE,
                r#","fill":1"#,
                "map_memory: \"fill\" is protocol feature \"fill\", which this kernel does not declare: send \"contents\"",
            ),
            (Features::NONE, "", "map_memory: missing \"contents\" (hex)"),
        ];
        for (features, form, expected) in cases {
            let answers = answers(features, &[map(7, a, form), map(8, a, r#","contents":"""#)]);
            assert_eq!(answers[0]["id"], 7, "{form}");
            let error = answers[0]["error"].as_str().unwrap_or_default();
            assert!(error.starts_with(expected), "{form}: {error}");
            // Nothing was mapped: the region is still free for a good request.
            assert_eq!(answers[1], json!({"id": 8, "ok": null}), "{form}");
        }
    }

    #[test]
    fn lines_whole_in_the_buffer_or_not_get_the_same_answers() {
        let input = "\n{\"id\":1,\"op\":\"reset\"}\n \r\n{\"op\":\"reset\",\"id\":2}\r\nnope\n\
                     {\"id\":3,\"op\":\"reset\",\"x\":0}\n{\"id\":4,\"op\":\"reset\"}";
        let expected = served(input, 1 << 16);
        let lines: Vec<&str> = expected.lines().collect();
        assert_eq!(lines.len(), 5, "{expected}");
        assert_eq!(lines[0], r#"{"id":1,"ok":null}"#);
        assert_eq!(lines[1], r#"{"id":2,"ok":null}"#);
        assert!(lines[2].starts_with(r#"{"error":"bad request: not a JSON object"#));
        assert!(lines[2].ends_with(r#","id":null}"#));
        assert!(lines[3].starts_with(r#"{"error":"bad request: "#));
        assert!(lines[3].ends_with(r#","id":3}"#));
        assert_eq!(lines[4], r#"{"id":4,"ok":null}"#);
        for capacity in [1, 7, 24, 25, 26, 64] {
            assert_eq!(served(input, capacity), expected, "capacity {capacity}");
        }
    }
}
