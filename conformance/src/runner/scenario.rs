//! Running a kernel scenario (vectors/README.md "Kernel tests").
//!
//! A test is skipped when the kernel lacks a capability it `requires` or declares
//! one it `excludes`. Otherwise the runner resets the kernel, performs the set-up
//! ([`super::setup`]), then the steps in order; the first step whose expectation does
//! not hold ends the test, and the failure names the step, the decoded field and both
//! values. This file performs the set-up, the inputs and the syscall steps; the
//! observation steps (`expect_*`, `count_handles`) are in [`super::observe`].
//!
//! `hipc record` (crate::record) runs scenarios through the same executor with
//! [`record_kernel_test`]: a [`StepObserver`] is told what each step's call
//! returned, and expectations are not checked.
//!
//! Decisions where the README leaves room:
//!
//! * A syscall step without `expect` checks nothing about the call ("A test that
//!   omits the `expect` of a syscall step checks nothing"); inside an `expect`
//!   object an omitted `result` means Success.
//! * `bind_event` and `count_handles` bind like an expectation: an unbound symbol
//!   takes the value, a bound one must equal it.
//! * A step giving both `message` and `hex` is a vector error, as is an expectation
//!   that does not apply to its op (`"idle"` for `send`, `out_index` for `close`).

use super::message_buffer::AnyBuffer;
use super::outcome::{Status, TestOutcome};
use super::pattern::encode_input;
use super::problem::{Mismatch, Problem, show, vector_error};
use super::setup::{World, perform_setup};
use super::symbols::{Origin, Symbols};
use crate::hex;
use crate::kernel::{
    Capability, Handle, Kernel, KernelInfo, MessageBuffer, ProcessRef, RequestStatus, ResultCode,
    SendOutcome, ThreadRef, WaitOutcome,
};
use crate::vector::{
    BufferDecl, CallExpect, CloseStep, Expr, FileKind, KernelTest, MessagePattern,
    ReplyAndReceiveStep, ResultExpr, ReturnExpect, SendAsyncStep, SendStep, Step, VectorFile,
    WriteStep,
};

/// Runs one kernel scenario against `kernel`, whose name and capabilities are `info`.
pub fn run_kernel_test(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    file: &VectorFile,
    test: &KernelTest,
) -> TestOutcome {
    let mut outcome = TestOutcome {
        file: file.path.clone(),
        id: test.id.clone(),
        kind: FileKind::Kernel,
        verdict: Some(test.result),
        comment: test.comment.clone(),
        status: Status::Passed,
        reason: None,
        failure: None,
    };
    if let Some(reason) = skip_reason(info, test) {
        outcome.status = Status::Skipped;
        outcome.reason = Some(reason);
        return outcome;
    }
    run_checked(kernel, info, test, outcome)
}

/// Runs a kernel scenario whatever the kernel's capabilities (`hipc run --probe`):
/// what the suite would find if the kernel declared what the test needs. The
/// caller reports the outcome apart from the verdict.
pub fn probe_kernel_test(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    file: &VectorFile,
    test: &KernelTest,
) -> TestOutcome {
    let outcome = TestOutcome {
        file: file.path.clone(),
        id: test.id.clone(),
        kind: FileKind::Kernel,
        verdict: Some(test.result),
        comment: test.comment.clone(),
        status: Status::Passed,
        reason: None,
        failure: None,
    };
    run_checked(kernel, info, test, outcome)
}

/// Runs the scenario, turning the first problem into the failure of `outcome`.
fn run_checked(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    test: &KernelTest,
    mut outcome: TestOutcome,
) -> TestOutcome {
    if let Err((place, step, op, problem)) = run(kernel, info, test, None) {
        let (failure, reason) = problem.into_failure(&place, step, op);
        outcome.status = Status::Failed;
        outcome.reason = Some(reason);
        outcome.failure = Some(failure);
    }
    outcome
}

/// Runs one kernel scenario for `hipc record`: what each step's call returned goes
/// to `observer` after the step. Recording does not check: an expectation that does
/// not hold, and any problem an observation step meets, do not end the scenario.
/// Vector and kernel errors do; the error is the reason a report would give
/// (`vector error at step 1 (reply_and_receive): handles[0]: ...`). The caller skips
/// the tests [`skip_reason`] names.
pub(crate) fn record_kernel_test(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    test: &KernelTest,
    observer: &mut dyn StepObserver,
) -> Result<(), String> {
    run(kernel, info, test, Some(observer))
        .map_err(|(place, step, op, problem)| problem.into_failure(&place, step, op).1)
}

/// What a syscall step's call returned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Call {
    /// `send`.
    Send(SendOutcome),
    /// `send_async` (Success when it created an event) and `close`.
    Returned(ResultCode),
    /// `reply_and_receive`.
    ReplyAndReceive(WaitOutcome),
}

/// Told what each step of a scenario did ([`record_kernel_test`]).
pub(crate) trait StepObserver {
    /// Step `index` has run; `call` is what its syscall returned (`None` for a step
    /// that makes no call). `run` reads the scenario's state as it is now.
    fn step_ran(&mut self, run: &mut Run<'_>, index: usize, call: Option<Call>);
}

/// What an observer reads of a scenario in progress.
impl Run<'_> {
    /// Where the request of a thread of the set-up stands.
    pub(crate) fn request_status(&mut self, thread: &str) -> Option<RequestStatus> {
        let (t, _) = self.world.thread("thread", thread).ok()?;
        Some(self.kernel.request_status(t))
    }

    /// The kernel, for an observer that reads more of the state than a step did
    /// (`hipc explore`'s final observations).
    pub(crate) fn kernel(&mut self) -> &mut dyn Kernel {
        &mut *self.kernel
    }

    /// A set-up process by name.
    pub(crate) fn process_ref(&self, name: &str) -> Option<ProcessRef> {
        self.world.processes.get(name).copied()
    }

    /// A set-up thread by name.
    pub(crate) fn thread_ref(&self, name: &str) -> Option<ThreadRef> {
        self.world.threads.get(name).map(|(t, _)| *t)
    }

    /// Every bound symbol: name, value, and the step that bound it (`None` for the
    /// set-up's).
    pub(crate) fn bound_symbols(&self) -> Vec<(String, i128, Option<usize>)> {
        self.symbols.bindings()
    }

    /// Whether a symbol is bound.
    pub(crate) fn is_bound(&self, name: &str) -> bool {
        self.symbols.get(name).is_some()
    }

    /// The set-up process whose process id is `pid`.
    pub(crate) fn process_with_pid(&self, pid: u64) -> Option<&str> {
        self.world
            .processes
            .keys()
            .map(String::as_str)
            .find(|name| {
                self.symbols
                    .get(&format!("pid.{name}"))
                    .is_some_and(|b| b.value == i128::from(pid))
            })
    }
}

/// Why the test does not run on this kernel, if it does not: a capability it
/// requires or needs ([`crate::vector::Needs`]: derived from its buffers, addresses
/// and attributes) that the kernel lacks, or one it excludes that the kernel has.
pub fn skip_reason(info: &KernelInfo, test: &KernelTest) -> Option<String> {
    let has = |c: &Capability| info.capabilities.contains(c);
    let mut missing: Vec<&str> = test
        .requires
        .iter()
        .chain(&test.needs.capabilities)
        .filter(|c| !has(c))
        .map(|c| c.name())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if test.needs.message_buffer && !has(&Capability::TlsBuffer) && !has(&Capability::UserBuffer) {
        missing.push("a message buffer (tls-buffer or user-buffer)");
    }
    let mut present: Vec<&str> = test
        .excludes
        .iter()
        .filter(|c| has(c))
        .map(|c| c.name())
        .collect();
    present.dedup();
    let mut reasons = Vec::new();
    if !missing.is_empty() {
        reasons.push(format!(
            "kernel {} lacks required capabilit{}: {}",
            info.name,
            if missing.len() == 1 { "y" } else { "ies" },
            missing.join(", ")
        ));
    }
    if !present.is_empty() {
        reasons.push(format!(
            "kernel {} declares excluded capabilit{}: {}",
            info.name,
            if present.len() == 1 { "y" } else { "ies" },
            present.join(", ")
        ));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

type RunError = (String, Option<usize>, Option<&'static str>, Problem);

fn run(
    kernel: &mut dyn Kernel,
    info: &KernelInfo,
    test: &KernelTest,
    mut observer: Option<&mut dyn StepObserver>,
) -> Result<(), RunError> {
    // A fault left over from an earlier test belongs to that test, not this one.
    let _ = kernel.take_fault();
    kernel
        .reset()
        .map_err(|e| ("reset".to_string(), None, Some("reset"), Problem::Kernel(e)))?;
    let mut symbols = Symbols::new();
    let any = AnyBuffer::for_kernel(info);
    let world = perform_setup(kernel, &test.setup, any, &mut symbols);
    let world = match kernel.take_fault() {
        Some(fault) => Err(Problem::Kernel(fault)),
        None => world,
    }
    .map_err(|p| ("set-up".to_string(), None, Some("setup"), p))?;
    let mut run = Run {
        kernel,
        world,
        symbols,
        step: 0,
        call: None,
    };
    for (i, step) in test.steps.iter().enumerate() {
        run.step = i;
        run.call = None;
        let mut result = run.step(step);
        let observation = !matches!(
            step,
            Step::Send(_)
                | Step::SendAsync(_)
                | Step::ReplyAndReceive(_)
                | Step::Close(_)
                | Step::Write(_)
        );
        if observer.is_some() && (observation || matches!(result, Err(Problem::Mismatch(_)))) {
            result = Ok(());
        }
        // An adapter fault outranks what the step saw (placeholder values).
        let result = match run.kernel.take_fault() {
            Some(fault) => Err(Problem::Kernel(fault)),
            None => result,
        };
        result.map_err(|p| {
            (
                format!("step {i} ({})", step.op()),
                Some(i),
                Some(step.op()),
                p,
            )
        })?;
        if let Some(observer) = observer.as_deref_mut() {
            let call = run.call;
            observer.step_ran(&mut run, i, call);
        }
    }
    Ok(())
}

/// The state of a scenario in progress.
pub(crate) struct Run<'k> {
    pub(super) kernel: &'k mut dyn Kernel,
    pub(super) world: World,
    pub(super) symbols: Symbols,
    /// The index of the step being run.
    pub(super) step: usize,
    /// What the step's syscall returned, once it has.
    call: Option<Call>,
}

/// A message buffer resolved to addresses.
#[derive(Clone, Copy, Debug)]
pub(super) struct Buffer {
    pub(super) kind: MessageBuffer,
    pub(super) process: ProcessRef,
    pub(super) address: u64,
    pub(super) size: u64,
}

/// The TLS message buffer size.
pub(super) const TLS_SIZE: u64 = 0x100;

impl Run<'_> {
    /// Runs one step: the syscalls and writes here, one function each; the
    /// observations in [`super::observe`].
    fn step(&mut self, step: &Step) -> Result<(), Problem> {
        match step {
            Step::Send(send) => self.send(send),
            Step::SendAsync(send) => self.send_async(send),
            Step::ReplyAndReceive(call) => self.reply_and_receive(call),
            Step::Close(close) => self.close(close),
            Step::Write(write) => self.write(write),
            _ => self.observe(step),
        }
    }

    /// `send`: `SendSyncRequest[WithUserBuffer]`, and whether the client blocked
    /// or the syscall returned.
    fn send(&mut self, step: &SendStep) -> Result<(), Problem> {
        let (thread, process) = self.world.thread("thread", &step.thread)?;
        let session: Handle = self.symbols.value("session", &step.session)?;
        let buffer = self.buffer(thread, process, &step.buffer)?;
        self.write_input(
            process,
            buffer.address,
            step.message.as_ref(),
            step.hex.as_deref(),
        )?;
        let outcome = self.kernel.send_sync_request(thread, session, buffer.kind);
        self.call = Some(Call::Send(outcome));
        match &step.expect {
            None => Ok(()),
            Some(CallExpect::Idle) => Err(vector_error(
                "expect",
                "\"idle\" applies to expect_client only; send expects \"pending\" or {\"result\": ...}",
            )),
            Some(CallExpect::Pending) => match outcome {
                SendOutcome::Pending => Ok(()),
                SendOutcome::Returned(code) => Err(Mismatch::new(
                    "result",
                    "pending (the client blocks)",
                    format!("returned {code}"),
                )
                .detail("the request should have been queued, but the syscall returned at once")
                .into()),
            },
            Some(CallExpect::Returned(r)) => {
                no_out_index(r)?;
                match outcome {
                    SendOutcome::Pending => Err(Mismatch::new(
                        "result",
                        self.show_result(r.result.as_ref()),
                        "pending (the client blocked)",
                    )
                    .detail("the syscall should have returned at once, but the request was queued")
                    .into()),
                    SendOutcome::Returned(code) => self.expect_result(r.result.as_ref(), code),
                }
            }
        }
    }

    /// `send_async`: `SendAsyncRequestWithUserBuffer` (a user buffer only), binding
    /// the event it returns.
    fn send_async(&mut self, step: &SendAsyncStep) -> Result<(), Problem> {
        let (thread, process) = self.world.thread("thread", &step.thread)?;
        let session: Handle = self.symbols.value("session", &step.session)?;
        let buffer = self.buffer(thread, process, &step.buffer)?;
        let MessageBuffer::User { address, size } = buffer.kind else {
            return Err(vector_error(
                "buffer",
                "send_async needs a user buffer ({\"address\": ..., \"size\": ...})",
            ));
        };
        self.write_input(process, address, step.message.as_ref(), step.hex.as_deref())?;
        let result = self
            .kernel
            .send_async_request(thread, session, address, size)?;
        let code = match result {
            Ok(_) => ResultCode::SUCCESS,
            Err(code) => code,
        };
        self.call = Some(Call::Returned(code));
        match &step.expect {
            None => {}
            Some(CallExpect::Returned(r)) => {
                no_out_index(r)?;
                self.expect_result(r.result.as_ref(), code)?;
            }
            Some(_) => {
                return Err(vector_error(
                    "expect",
                    "send_async expects {\"result\": ...}",
                ));
            }
        }
        if let (Some(name), Ok(handle)) = (&step.bind_event, result) {
            self.bind("bind_event", name, u64::from(handle), "event handle")?;
        }
        Ok(())
    }

    /// `reply_and_receive`: `ReplyAndReceive[WithUserBuffer]`, its result and the
    /// out index where the vector gives one.
    fn reply_and_receive(&mut self, step: &ReplyAndReceiveStep) -> Result<(), Problem> {
        let (thread, process) = self.world.thread("thread", &step.thread)?;
        let handle_values = step
            .handles
            .iter()
            .enumerate()
            .map(|(i, h)| {
                self.symbols
                    .value::<Handle>(format_args!("handles[{i}]"), h)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reply_target: Handle = match &step.reply_target {
            Some(e) => self.symbols.value("reply_target", e)?,
            None => 0,
        };
        let timeout: i64 = match &step.timeout {
            Some(e) => self.symbols.value("timeout", e)?,
            None => 0,
        };
        let buffer = self.buffer(thread, process, &step.buffer)?;
        self.write_input(
            process,
            buffer.address,
            step.message.as_ref(),
            step.hex.as_deref(),
        )?;
        let outcome = self.kernel.reply_and_receive(
            thread,
            &handle_values,
            reply_target,
            timeout,
            buffer.kind,
        );
        self.call = Some(Call::ReplyAndReceive(outcome));
        let r = match &step.expect {
            None => return Ok(()),
            Some(CallExpect::Returned(r)) => r,
            Some(_) => {
                return Err(vector_error(
                    "expect",
                    "reply_and_receive expects {\"result\": ..., \"out_index\": ...}",
                ));
            }
        };
        self.expect_result(r.result.as_ref(), outcome.result)?;
        self.expect_out_index(&step.handles, r.out_index.as_ref(), outcome.out_index)
    }

    /// The out index a `reply_and_receive` expects, against what the kernel wrote;
    /// a mismatch names the handle the kernel's index points at.
    fn expect_out_index(
        &mut self,
        handles: &[Expr],
        expected: Option<&Expr>,
        actual: Option<i32>,
    ) -> Result<(), Problem> {
        let which = |symbols: &Symbols, i: i32| -> Option<String> {
            let index = usize::try_from(i).ok()?;
            let h = handles.get(index)?;
            Some(format!("handles[{index}] is {}", symbols.describe(h)))
        };
        match (expected, actual) {
            (None, _) => Ok(()),
            (Some(e), None) => Err(Mismatch::new("out_index", e.to_string(), "not written")
                .detail("the kernel did not write an out index")
                .into()),
            (Some(e), Some(i)) => {
                let step = self.step;
                // A failed expectation binds nothing, so describing the
                // handle after it reads the same symbols as before.
                let result = self.symbols.expect(e, i128::from(i), || Origin::Step {
                    step,
                    field: "out_index".into(),
                });
                result.map_err(|m| {
                    let detail = which(&self.symbols, i);
                    let detail = [m.detail, detail].into_iter().flatten().collect::<Vec<_>>();
                    Mismatch::new("out_index", m.expected, i.to_string())
                        .maybe_detail((!detail.is_empty()).then(|| detail.join("; ")))
                        .into()
                })
            }
        }
    }

    /// `close`: `CloseHandle`.
    fn close(&mut self, step: &CloseStep) -> Result<(), Problem> {
        let process = self.world.process("process", &step.process)?;
        let h: Handle = self.symbols.value("handle", &step.handle)?;
        let code = self.kernel.close_handle(process, h);
        self.call = Some(Call::Returned(code));
        match &step.expect {
            None => Ok(()),
            Some(CallExpect::Returned(r)) => {
                no_out_index(r)?;
                self.expect_result(r.result.as_ref(), code)
            }
            Some(_) => Err(vector_error("expect", "close expects {\"result\": ...}")),
        }
    }

    /// `write`: a debugger write into a thread's buffer or at a process address.
    fn write(&mut self, step: &WriteStep) -> Result<(), Problem> {
        let (process, address) = match (&step.thread, &step.process, &step.address) {
            (Some(thread), None, None) => {
                let (t, p) = self.world.thread("thread", thread)?;
                let b = self.buffer(t, p, &step.buffer.clone().unwrap_or_default())?;
                (p, b.address)
            }
            (None, Some(process), Some(address)) => {
                if step.buffer.is_some() {
                    return Err(vector_error(
                        "buffer",
                        "a buffer belongs to a thread: give \"thread\" with it",
                    ));
                }
                (
                    self.world.process("process", process)?,
                    self.symbols.value("address", address)?,
                )
            }
            _ => {
                return Err(vector_error(
                    "",
                    "write takes \"thread\" (and \"buffer\"), or \"process\" and \"address\"",
                ));
            }
        };
        if step.message.is_none() && step.hex.is_none() {
            return Err(vector_error("", "write needs \"message\" or \"hex\""));
        }
        self.write_input(process, address, step.message.as_ref(), step.hex.as_deref())
    }

    /// Resolves a step's buffer for a thread.
    pub(super) fn buffer(
        &mut self,
        thread: ThreadRef,
        process: ProcessRef,
        decl: &BufferDecl,
    ) -> Result<Buffer, Problem> {
        match decl {
            BufferDecl::Any => {
                let resolved = self.world.any.get(&thread).copied().ok_or_else(|| {
                    vector_error(
                        "buffer",
                        "the thread has no message buffer (not in the set-up)",
                    )
                })?;
                Ok(Buffer {
                    kind: resolved.kind,
                    process,
                    address: resolved.address,
                    size: resolved.size,
                })
            }
            BufferDecl::Tls => Ok(Buffer {
                kind: MessageBuffer::Tls,
                process,
                address: match self.world.tls.get(&thread) {
                    Some(&address) => address,
                    None => self.kernel.tls_address(thread),
                },
                size: TLS_SIZE,
            }),
            BufferDecl::User { address, size } => {
                let address = self.symbols.value("buffer.address", address)?;
                let size = self.symbols.value("buffer.size", size)?;
                Ok(Buffer {
                    kind: MessageBuffer::User { address, size },
                    process,
                    address,
                    size,
                })
            }
        }
    }

    /// Writes a step's input (`message` or `hex`) at `address`, before its syscall.
    fn write_input(
        &mut self,
        process: ProcessRef,
        address: u64,
        message: Option<&MessagePattern>,
        hex: Option<&str>,
    ) -> Result<(), Problem> {
        let bytes = match (message, hex) {
            (None, None) => return Ok(()),
            (Some(_), Some(_)) => {
                return Err(vector_error("hex", "give \"message\" or \"hex\", not both"));
            }
            (Some(m), None) => encode_input(m, &self.symbols)?,
            (None, Some(h)) => {
                hex::decode(h).map_err(|e| vector_error("hex", format!("bad hex: {e}")))?
            }
        };
        self.kernel.write_memory(process, address, &bytes)?;
        Ok(())
    }

    /// Displays an expected result.
    pub(super) fn show_result(&self, expected: Option<&ResultExpr>) -> String {
        match expected {
            None => ResultCode::SUCCESS.to_string(),
            Some(ResultExpr::Code(c)) => c.to_string(),
            Some(ResultExpr::Expr(e)) => match self.symbols.resolve(e) {
                Ok(v) => match u32::try_from(v) {
                    Ok(v) => format!("{e} = {}", ResultCode(v)),
                    Err(_) => format!("{e} = {}", show(v)),
                },
                Err(_) => e.to_string(),
            },
        }
    }

    /// Checks a result (absent: Success), field `result`.
    pub(super) fn expect_result(
        &mut self,
        expected: Option<&ResultExpr>,
        actual: ResultCode,
    ) -> Result<(), Problem> {
        self.check_result("result", expected, actual, |s| s.to_string())
    }

    /// Checks a result under `field`, displaying both sides through `wrap`.
    pub(super) fn check_result(
        &mut self,
        field: &str,
        expected: Option<&ResultExpr>,
        actual: ResultCode,
        wrap: impl Fn(&str) -> String,
    ) -> Result<(), Problem> {
        let ok = match expected {
            None => actual == ResultCode::SUCCESS,
            Some(ResultExpr::Code(c)) => actual == *c,
            Some(ResultExpr::Expr(e)) => {
                let step = self.step;
                let shown = self.show_result(expected);
                return self
                    .symbols
                    .expect(e, i128::from(actual.0), || Origin::Step {
                        step,
                        field: field.to_string(),
                    })
                    .map_err(|m| {
                        Mismatch::new(field, wrap(&shown), wrap(&actual.to_string()))
                            .maybe_detail(m.detail)
                            .into()
                    });
            }
        };
        if ok {
            return Ok(());
        }
        Err(Mismatch::new(
            field,
            wrap(&self.show_result(expected)),
            wrap(&actual.to_string()),
        )
        .maybe_detail(result_meaning(actual).map(|text| format!("{actual} means {text}")))
        .into())
    }

    /// Binds (or checks) a symbol the step names, such as `bind_event`.
    pub(super) fn bind(
        &mut self,
        field: &str,
        name: &str,
        value: u64,
        what: &str,
    ) -> Result<(), Problem> {
        let name = name.strip_prefix('$').unwrap_or(name);
        let step = self.step;
        let expr = Expr::Sym {
            name: name.to_string(),
            offset: 0,
        };
        self.symbols
            .expect(&expr, i128::from(value), || Origin::Step {
                step,
                field: field.to_string(),
            })
            .map_err(|m| {
                Mismatch::new(field, m.expected, show(i128::from(value)))
                    .maybe_detail(m.detail)
                    .detail(format!("${name} is already bound; the {what} differs"))
                    .into()
            })
    }
}

/// The kernel-semantics.md §6.1 meaning of a result, for explanations.
fn result_meaning(code: ResultCode) -> Option<&'static str> {
    (!code.is_success() && code.name().is_some()).then_some(match code {
        ResultCode::INVALID_HANDLE => "a bad session, copy/move or wait handle",
        ResultCode::INVALID_COMBINATION => {
            "an invalid combination (size > buffer, bad receive-list offset, move handle in a request, map-alias in a reply, attribute 2)"
        }
        ResultCode::INVALID_CURRENT_MEMORY => {
            "a memory state, permission, attribute or range check failing"
        }
        ResultCode::SESSION_CLOSED => "the other end closed",
        ResultCode::TIMED_OUT => "the wait timed out (nothing to receive)",
        ResultCode::OUT_OF_RESOURCE => "no receive-list slot for a pointer, or request exhaustion",
        ResultCode::MESSAGE_TOO_LARGE => "a destination buffer smaller than the message",
        ResultCode::RECEIVE_LIST_BROKEN => {
            "a receive that failed after overwriting the server's receive list"
        }
        _ => "a kernel result",
    })
}

fn no_out_index(r: &ReturnExpect) -> Result<(), Problem> {
    if r.out_index.is_some() {
        return Err(vector_error(
            "expect.out_index",
            "out_index applies to reply_and_receive only",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
