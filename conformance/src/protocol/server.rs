//! The kernel's side of the protocol for any in-process [`Kernel`]: read requests,
//! perform them, write answers (what `hipc serve-model` runs).

use std::io::{self, BufRead, Write};

use serde_json::Value;

use super::{
    AsyncAnswer, HelloAnswer, Op, PROTOCOL, ResultAnswer, SendAnswer, SessionAnswer, StatusAnswer,
    WaitAnswer, parse_request_checked, parse_request_fast, write_answer,
};
use crate::hex;
use crate::kernel::{Kernel, KernelError, MemoryRegion, ProcessSpec, RequestStatus, SendOutcome};

fn to_value<T: serde::Serialize>(value: T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

fn kernel_result<T: serde::Serialize>(result: Result<T, KernelError>) -> Result<Value, String> {
    result.map_err(|e| e.0).and_then(to_value)
}

fn usize_of(value: u64, what: &str) -> Result<usize, String> {
    usize::try_from(value).map_err(|_| format!("{what} {value} is too large"))
}

/// Performs one request on `kernel`: the `ok` value or the `error` text.
pub fn perform(kernel: &mut dyn Kernel, op: Op) -> Result<Value, String> {
    let answer = match op {
        Op::Hello { protocol } => {
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
            })
        }
        Op::Reset {} => kernel_result(kernel.reset()),
        Op::CreateProcess {
            name,
            pid,
            handle_capacity,
            alias_region_size,
        } => {
            let handle_capacity = match handle_capacity {
                Some(n) => Some(usize_of(n, "handle_capacity")?),
                None => None,
            };
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
        } => {
            let contents = hex::decode(&contents).map_err(|e| format!("contents: {e}"))?;
            kernel_result(kernel.map_memory(
                process,
                &MemoryRegion {
                    address,
                    size,
                    state,
                    permission,
                    attributes,
                    contents,
                },
            ))
        }
        Op::CreateEvent { process, kind } => kernel_result(kernel.create_event(process, kind)),
        Op::CreateSession { server, client } => kernel
            .create_session(server, client)
            .map_err(|e| e.0)
            .and_then(|s| {
                to_value(SessionAnswer {
                    server: s.server,
                    client: s.client,
                })
            }),
        Op::SendSyncRequest {
            thread,
            session,
            buffer,
        } => to_value(match kernel.send_sync_request(thread, session, buffer) {
            SendOutcome::Pending => SendAnswer::Pending,
            SendOutcome::Returned(r) => SendAnswer::Returned { result: r.0 },
        }),
        Op::SendAsyncRequest {
            thread,
            session,
            address,
            size,
        } => kernel
            .send_async_request(thread, session, address, size)
            .map_err(|e| e.0)
            .and_then(|r| {
                to_value(match r {
                    Ok(event) => AsyncAnswer {
                        result: 0,
                        event: Some(event),
                    },
                    Err(result) => AsyncAnswer {
                        result: result.0,
                        event: None,
                    },
                })
            }),
        Op::ReplyAndReceive {
            thread,
            handles,
            reply_target,
            timeout_ns,
            buffer,
        } => {
            let w = kernel.reply_and_receive(thread, &handles, reply_target, timeout_ns, buffer);
            to_value(WaitAnswer {
                result: w.result.0,
                out_index: w.out_index,
            })
        }
        Op::CloseHandle { process, handle } => to_value(ResultAnswer {
            result: kernel.close_handle(process, handle).0,
        }),
        Op::RequestStatus { thread } => to_value(match kernel.request_status(thread) {
            RequestStatus::Idle => StatusAnswer::Idle,
            RequestStatus::Pending => StatusAnswer::Pending,
            RequestStatus::Completed(r) => StatusAnswer::Completed { result: r.0 },
        }),
        Op::ProcessId { process } => to_value(kernel.process_id(process)),
        Op::TlsAddress { thread } => to_value(kernel.tls_address(thread)),
        Op::ReadMemory {
            process,
            address,
            len,
        } => {
            let len = usize_of(len, "len")?;
            kernel
                .read_memory(process, address, len)
                .map(|bytes| Value::from(hex::encode(&bytes)))
                .map_err(|e| e.0)
        }
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
    };
    // An in-process kernel may still record a fault for an operation whose
    // signature cannot carry an error: the answer becomes that error.
    match kernel.take_fault() {
        Some(fault) => Err(fault.0),
        None => answer,
    }
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
                (at + 1, answer(kernel, line))
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
                answer(kernel, &line)
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
fn answer(kernel: &mut dyn Kernel, line: &[u8]) -> Option<(Option<u64>, Result<Value, String>)> {
    if let Some((id, op)) = parse_request_fast(line) {
        return Some((Some(id), perform(kernel, op)));
    }
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return None;
    }
    Some(match parse_request_checked(text) {
        (Some(id), Ok(op)) => (Some(id), perform(kernel, op)),
        (id, Err(e)) => (id, Err(format!("bad request: {e}"))),
        (None, Ok(_)) => (None, Err("bad request: missing id".to_owned())),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::ModelKernel;

    /// What `serve` answers to `input` read through a buffer of `capacity` bytes.
    fn served(input: &str, capacity: usize) -> String {
        let mut reader = io::BufReader::with_capacity(capacity, input.as_bytes());
        let mut out = Vec::new();
        serve(&mut ModelKernel::new(), &mut reader, &mut out).unwrap();
        String::from_utf8(out).unwrap()
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
