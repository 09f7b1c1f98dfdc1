//! The IPC syscalls and their check orders (kernel-semantics.md §6.2, §6.3, §6.6)
//! and CloseHandle.
//!
//! Waits never block: the model runs every operation to completion, so a wait with
//! nothing signaled returns TimedOut whatever its timeout (the `Kernel` trait's
//! contract). A thread blocked in `SendSyncRequest` cannot make another syscall;
//! the model answers such a call (a runner error) with InvalidState.

use crate::kernel::{
    CURRENT_PROCESS, CURRENT_THREAD, Handle, MessageBuffer, ObjectId, ProcessRef, RequestStatus,
    ResultCode, SendOutcome, ThreadRef, WaitOutcome,
};

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::objects::ObjectKind;
use super::session::{Request, SessionId};

/// The most handles `ReplyAndReceive` waits on.
const MAX_WAIT_HANDLES: usize = 64;

fn outcome(result: ResultCode, out_index: Option<i32>) -> WaitOutcome {
    WaitOutcome { result, out_index }
}

impl ModelKernel {
    fn thread_blocked(&self, thread: ThreadRef) -> bool {
        self.thread(thread)
            .is_some_and(|t| t.status == RequestStatus::Pending)
    }

    /// The client session a handle names in `process` (pseudo-handles are not
    /// sessions): InvalidHandle otherwise.
    fn client_session(
        &self,
        process: ProcessRef,
        handle: Handle,
    ) -> Result<(ObjectId, SessionId), ResultCode> {
        let object = self
            .lookup(process, handle)
            .ok_or(ResultCode::INVALID_HANDLE)?;
        match self.objects.kind(object) {
            Some(ObjectKind::ClientSession(session)) => Ok((object, session)),
            _ => Err(ResultCode::INVALID_HANDLE),
        }
    }

    fn session_closed(&self, session: SessionId) -> bool {
        self.session(session).is_none_or(|s| s.closed)
    }

    /// SendSyncRequest / SendSyncRequestWithUserBuffer (§6.2): user-buffer checks,
    /// session handle, session state, then the request is queued and the thread
    /// blocks. The client buffer is read only when the server receives.
    pub(super) fn svc_send_sync_request(
        &mut self,
        thread: ThreadRef,
        handle: Handle,
        buffer: MessageBuffer,
    ) -> SendOutcome {
        if self.thread(thread).is_none() {
            return SendOutcome::Returned(ResultCode::INVALID_HANDLE);
        }
        if self.thread_blocked(thread) {
            return SendOutcome::Returned(ResultCode::INVALID_STATE);
        }
        let buf = match self.acquire_buffer(thread, buffer) {
            Ok(buf) => buf,
            Err(e) => return SendOutcome::Returned(e),
        };
        let queued = self
            .client_session(buf.process, handle)
            .and_then(|(object, session)| {
                if self.session_closed(session) {
                    return Err(ResultCode::SESSION_CLOSED);
                }
                Ok((object, session))
            });
        let (object, session) = match queued {
            Ok(found) => found,
            Err(e) => {
                self.unlock_user_buffer(buf);
                return SendOutcome::Returned(e);
            }
        };
        // The blocked syscall keeps its client session alive.
        self.objects.acquire(object);
        self.enqueue_request(Request {
            session,
            client_thread: thread,
            buffer: buf,
            event: None,
            session_reference: Some(object),
            mappings: Vec::new(),
        });
        if let Some(t) = self.thread_mut(thread) {
            t.status = RequestStatus::Pending;
        }
        SendOutcome::Pending
    }

    /// SendAsyncRequestWithUserBuffer (§6.6): user-buffer checks, session handle,
    /// event creation and its handle (OutOfHandles), session state (the event
    /// handle is removed again on failure), then queued without blocking.
    pub(super) fn svc_send_async_request(
        &mut self,
        thread: ThreadRef,
        handle: Handle,
        address: u64,
        size: u64,
    ) -> Result<Handle, ResultCode> {
        if self.thread_blocked(thread) {
            return Err(ResultCode::INVALID_STATE);
        }
        let buf = self.acquire_buffer(thread, MessageBuffer::User { address, size })?;
        let result = self.queue_async(thread, handle, buf);
        if result.is_err() {
            self.unlock_user_buffer(buf);
        }
        result
    }

    fn queue_async(
        &mut self,
        thread: ThreadRef,
        handle: Handle,
        buf: MsgBuf,
    ) -> Result<Handle, ResultCode> {
        let (_, session) = self.client_session(buf.process, handle)?;
        let event = self.objects.create(ObjectKind::Event {
            interrupt: false,
            signaled: false,
        });
        let event_handle = self.insert_handle(buf.process, event)?;
        if self.session_closed(session) {
            self.remove_handle(buf.process, event_handle);
            return Err(ResultCode::SESSION_CLOSED);
        }
        self.enqueue_request(Request {
            session,
            client_thread: thread,
            buffer: buf,
            event: Some(event),
            session_reference: None,
            mappings: Vec::new(),
        });
        Ok(event_handle)
    }

    /// ReplyAndReceive / ReplyAndReceiveWithUserBuffer (§6.3).
    pub(super) fn svc_reply_and_receive(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        _timeout_ns: i64,
        buffer: MessageBuffer,
    ) -> WaitOutcome {
        if self.thread(thread).is_none() {
            return outcome(ResultCode::INVALID_HANDLE, None);
        }
        if self.thread_blocked(thread) {
            return outcome(ResultCode::INVALID_STATE, None);
        }
        // 1. User-buffer checks.
        let buf = match self.acquire_buffer(thread, buffer) {
            Ok(buf) => buf,
            Err(e) => return outcome(e, None),
        };
        let result = self.reply_and_receive_locked(thread, handles, reply_target, buf);
        self.unlock_user_buffer(buf);
        result
    }

    fn reply_and_receive_locked(
        &mut self,
        thread: ThreadRef,
        handles: &[Handle],
        reply_target: Handle,
        buf: MsgBuf,
    ) -> WaitOutcome {
        let process = buf.process;
        // 2. Handle count.
        if handles.len() > MAX_WAIT_HANDLES {
            return outcome(ResultCode::OUT_OF_RANGE, None);
        }
        // 3. Every wait handle names a synchronization object (no pseudo-handles).
        let mut objects = Vec::with_capacity(handles.len());
        for &handle in handles {
            match self.lookup(process, handle) {
                Some(object)
                    if self
                        .objects
                        .kind(object)
                        .is_some_and(ObjectKind::is_synchronization_object) =>
                {
                    objects.push(object);
                }
                _ => return outcome(ResultCode::INVALID_HANDLE, None),
            }
        }
        // 4. The reply.
        if reply_target != 0 {
            let session = match self
                .lookup(process, reply_target)
                .and_then(|o| self.objects.kind(o))
            {
                Some(ObjectKind::ServerSession(session)) => session,
                _ => return outcome(ResultCode::INVALID_HANDLE, None),
            };
            if let Err(e) = self.send_reply(session, thread, buf) {
                return outcome(e, Some(-1));
            }
        }
        // 5, 6. The wait: the lowest signaled index wins; NotFound waits again. Each
        // NotFound consumed a queued request, so the loop ends.
        let limit = self.requests.len() + objects.len() + 1;
        for _ in 0..limit {
            let signaled = objects
                .iter()
                .enumerate()
                .find(|&(_, &object)| self.object_signaled(object));
            let Some((index, &object)) = signaled else {
                return outcome(ResultCode::TIMED_OUT, None);
            };
            let index = i32::try_from(index).unwrap_or(i32::MAX);
            match self.objects.kind(object) {
                Some(ObjectKind::ServerSession(session)) => {
                    let result = self.receive_request(session, thread, buf);
                    if result != ResultCode::NOT_FOUND {
                        return outcome(result, Some(index));
                    }
                }
                _ => return outcome(ResultCode::SUCCESS, Some(index)),
            }
        }
        outcome(ResultCode::TIMED_OUT, None)
    }

    fn object_signaled(&self, object: ObjectId) -> bool {
        match self.objects.kind(object) {
            Some(ObjectKind::ServerSession(session)) => self.server_session_signaled(session),
            Some(ObjectKind::Event { signaled, .. }) => signaled,
            // Processes and threads signal on termination, which the model lacks.
            _ => false,
        }
    }

    /// CloseHandle: a pseudo-handle is a silent success; an invalid handle is
    /// InvalidHandle. Closing the last reference to a session end closes it (§6.4).
    pub(super) fn svc_close_handle(&mut self, process: ProcessRef, handle: Handle) -> ResultCode {
        if handle == CURRENT_PROCESS || handle == CURRENT_THREAD {
            return ResultCode::SUCCESS;
        }
        if self.remove_handle(process, handle) {
            ResultCode::SUCCESS
        } else {
            ResultCode::INVALID_HANDLE
        }
    }
}
