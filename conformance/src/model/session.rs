//! Sessions and requests (kernel-semantics.md §4.1, §4.2, §6.4).
//!
//! A session holds a FIFO queue of requests and at most one *current* request (the
//! one the server received and has not replied to). A request records the client
//! thread, the client's message buffer, the async event if any, and the A/B/W
//! mappings made while receiving it. The server session is signaled iff the session
//! is closed, or the queue is non-empty and nothing is current.
//!
//! Closing: "client closed" and "server closed" are one flag (§9). A synchronous
//! request in flight holds a reference to its client session (as the blocked
//! syscall does in mesosphère), so the client end closes only once no handle and
//! no synchronous request refer to it; an async client can close with its request
//! still queued or current.

use std::collections::VecDeque;

use crate::kernel::{ObjectId, RequestStatus, ResultCode, ThreadRef};

use super::buffer::MsgBuf;
use super::fault::Fault;
use super::map_alias::Mapping;
use super::objects::ObjectKind;
use super::{ModelKernel, dense_index};

/// Identifies a session.
pub(crate) type SessionId = u64;
/// Identifies a request.
pub(crate) type RequestId = u64;

/// A session between a server and a client.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// Either end closed.
    pub(crate) closed: bool,
    /// Requests not yet received, oldest first.
    pub(crate) queue: VecDeque<RequestId>,
    /// The request being serviced.
    pub(crate) current: Option<RequestId>,
}

impl Session {
    pub(crate) fn new() -> Self {
        Session {
            closed: false,
            queue: VecDeque::new(),
            current: None,
        }
    }
}

/// A request from a client thread.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    /// Its session.
    pub(crate) session: SessionId,
    /// The thread that sent it.
    pub(crate) client_thread: ThreadRef,
    /// The client's message buffer (TLS or a locked user buffer).
    pub(crate) buffer: MsgBuf,
    /// The event to signal on completion, for an async request.
    pub(crate) event: Option<ObjectId>,
    /// The client session reference a synchronous request holds.
    pub(crate) session_reference: Option<ObjectId>,
    /// A/B/W mappings made while receiving it, in A, B, W order.
    pub(crate) mappings: Vec<Mapping>,
}

impl ModelKernel {
    /// Whether the server session is signaled (§4.1 last paragraph).
    pub(super) fn server_session_signaled(&self, session: SessionId) -> bool {
        self.session(session)
            .is_some_and(|s| s.closed || (!s.queue.is_empty() && s.current.is_none()))
    }

    /// Session `session` (entry `session - 1`).
    pub(super) fn session(&self, session: SessionId) -> Option<&Session> {
        self.sessions.get(dense_index(session)?)
    }

    /// Session `session`, to change.
    pub(super) fn session_mut(&mut self, session: SessionId) -> Option<&mut Session> {
        self.sessions.get_mut(dense_index(session)?)
    }

    /// Where request `request` is among those in flight (kept in id order).
    fn request_index(&self, request: RequestId) -> Option<usize> {
        self.requests
            .binary_search_by_key(&request, |&(id, _)| id)
            .ok()
    }

    /// Request `request`, while in flight.
    pub(super) fn request(&self, request: RequestId) -> Option<&Request> {
        let i = self.request_index(request)?;
        self.requests.get(i).map(|(_, r)| r)
    }

    /// Request `request`, to change.
    pub(super) fn request_mut(&mut self, request: RequestId) -> Option<&mut Request> {
        let i = self.request_index(request)?;
        self.requests.get_mut(i).map(|(_, r)| r)
    }

    /// Forgets a request (it finished), giving it back.
    fn remove_request(&mut self, request: RequestId) -> Option<Request> {
        let i = self.request_index(request)?;
        Some(self.requests.remove(i).1)
    }

    /// Appends a request to the session's queue (§4.1 step 4).
    pub(super) fn enqueue_request(&mut self, request: Request) -> RequestId {
        self.next_request += 1;
        let id = self.next_request;
        if let Some(session) = self.session_mut(request.session) {
            session.queue.push_back(id);
        }
        // Ids only grow, so pushing keeps the requests in id order.
        self.requests.push((id, request));
        id
    }

    /// Pops the request to receive next: the oldest (the `lifo-queue` fault: newest).
    pub(super) fn dequeue_request(&mut self, session: SessionId) -> Option<RequestId> {
        let lifo = self.has_fault(Fault::LifoQueue);
        let session = self.session_mut(session)?;
        if lifo {
            session.queue.pop_back()
        } else {
            session.queue.pop_front()
        }
    }

    /// Delivers `result` to the client of a finished request and forgets it. A
    /// synchronous client's `SendSyncRequest` returns `result`; an async client gets
    /// a null header and `result` in its buffer on failure (§6.6). Either way the
    /// client's user buffer is unlocked. The request's mappings must already be
    /// undone.
    pub(super) fn complete_request(&mut self, request: RequestId, result: ResultCode) {
        let Some(req) = self.remove_request(request) else {
            return;
        };
        match req.event {
            None => {
                self.unlock_user_buffer(req.buffer);
                if let Some(thread) = self.thread_mut(req.client_thread) {
                    thread.status = RequestStatus::Completed(result);
                }
            }
            Some(event) => {
                if !result.is_success() {
                    // ReplyAsyncError: words 0..=1 zero, the result in word 2.
                    let _ = self.write_words(req.buffer, 0, &[0, 0, result.0]);
                }
                self.unlock_user_buffer(req.buffer);
                if let Some(object) = self.objects.get_mut(event) {
                    if let ObjectKind::Event { signaled, .. } = &mut object.kind {
                        *signaled = true;
                    }
                }
            }
        }
        if let Some(reference) = req.session_reference {
            self.release_object(reference);
        }
    }

    /// The server end closed (§6.4): the current request, then every queued one in
    /// order, has its mappings undone and its client woken with SessionClosed (or the
    /// cleanup failure).
    pub(super) fn on_server_closed(&mut self, session: SessionId) {
        if let Some(s) = self.session_mut(session) {
            s.closed = true;
        }
        loop {
            let next = self
                .session_mut(session)
                .and_then(|s| s.current.take().or_else(|| s.queue.pop_front()));
            let Some(request) = next else {
                break;
            };
            let result = match self.cleanup_map(request) {
                Ok(()) => ResultCode::SESSION_CLOSED,
                Err(e) => e,
            };
            self.complete_request(request, result);
        }
    }

    /// The client end closed (§6.4): queued requests are completed with
    /// SessionClosed (only async ones can be queued: a synchronous one keeps its
    /// session open); the current request stays until the server replies; the
    /// server session is signaled from now on.
    pub(super) fn on_client_closed(&mut self, session: SessionId) {
        let queued: Vec<RequestId> = match self.session_mut(session) {
            Some(s) => {
                s.closed = true;
                s.queue.drain(..).collect()
            }
            None => return,
        };
        for request in queued {
            self.complete_request(request, ResultCode::SESSION_CLOSED);
        }
    }
}
