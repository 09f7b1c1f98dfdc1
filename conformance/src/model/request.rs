//! Receiving a request: ReceiveRequest and ReceiveMessage (kernel-semantics.md
//! §4.2-§4.8), with DST = the server's buffer and SRC = the client's.

use hipc::Layout;

use crate::kernel::{ResultCode, ThreadRef};

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::fault::Fault;
use super::map_alias::MapKind;
use super::pointer::Placement;
use super::session::{RequestId, SessionId};
use super::special_data::Sides;

/// A failed receive: the error (for the client) and whether the server's receive
/// list was overwritten ("broken", §4.6).
#[derive(Clone, Copy, Debug)]
struct Failure {
    result: ResultCode,
    broken: bool,
}

impl Failure {
    /// A failure in steps 1-6: nothing was written, never broken.
    fn early(result: ResultCode) -> Self {
        Failure {
            result,
            broken: false,
        }
    }
}

impl ModelKernel {
    /// ReceiveRequest (§4.2) for a signaled server session, into the server's
    /// buffer `dst`. Returns what the server's wait sees: success (the request is
    /// now current), SessionClosed, ReceiveListBroken, or NotFound (nothing to
    /// receive, or a failure the server does not see; ReplyAndReceive waits again).
    pub(super) fn receive_request(
        &mut self,
        session: SessionId,
        server_thread: ThreadRef,
        dst: MsgBuf,
    ) -> ResultCode {
        let Some(s) = self.session(session) else {
            return ResultCode::NOT_FOUND;
        };
        if s.closed {
            return ResultCode::SESSION_CLOSED;
        }
        if s.current.is_some() || s.queue.is_empty() {
            return ResultCode::NOT_FOUND;
        }
        let Some(request) = self.dequeue_request(session) else {
            return ResultCode::NOT_FOUND;
        };
        self.set_current(session, Some(request));
        let Err(failure) = self.receive_message(request, server_thread, dst) else {
            return ResultCode::SUCCESS;
        };
        // §4.6 result routing.
        if self.has_fault(Fault::ErrorToServer) {
            return failure.result;
        }
        self.set_current(session, None);
        self.complete_request(request, failure.result);
        if failure.broken && !self.has_fault(Fault::ReceiveListNeverBroken) {
            ResultCode::RECEIVE_LIST_BROKEN
        } else {
            ResultCode::NOT_FOUND
        }
    }

    fn set_current(&mut self, session: SessionId, request: Option<RequestId>) {
        if let Some(s) = self.session_mut(session) {
            s.current = request;
        }
    }

    /// ReceiveMessage (§4.3): checks (steps 1-6, which modify nothing), then the
    /// translation (steps 7-11); a failure after step 7 is rolled back (§4.8).
    fn receive_message(
        &mut self,
        request: RequestId,
        server_thread: ThreadRef,
        dst: MsgBuf,
    ) -> Result<(), Failure> {
        let Some(req) = self.request(request) else {
            return Err(Failure::early(ResultCode::NOT_FOUND));
        };
        let (src, client_thread) = (req.buffer, req.client_thread);
        let dst_layout = self.buffer_layout(dst).map_err(Failure::early)?;
        let src_layout = self.buffer_layout(src).map_err(Failure::early)?;
        let offset_ignored = self.has_fault(Fault::RecvListOffsetIgnored);

        // 1. Destination self-consistency.
        if dst_layout.message_size() as u64 > dst.size {
            return Err(Failure::early(ResultCode::INVALID_COMBINATION));
        }
        // 2. Source self-consistency (its own receive list included).
        if src_layout.message_size() as u64 > src.size {
            return Err(Failure::early(ResultCode::INVALID_COMBINATION));
        }
        // 3. Destination receive-list offset.
        if !offset_ignored && !dst_layout.recv_list_offset_valid() {
            return Err(Failure::early(ResultCode::INVALID_COMBINATION));
        }
        // 4. Fit: only up to the source's raw end.
        if dst.size < src_layout.raw_end() as u64 {
            return Err(Failure::early(ResultCode::MESSAGE_TOO_LARGE));
        }
        // 5. Capture the destination's receive list.
        let receive_list = self
            .capture_receive_list(dst, &dst_layout)
            .map_err(Failure::early)?;
        // 6. No move handles in requests.
        let moves = src_layout.special_header().map_or(0, |s| s.move_count());
        if moves != 0 && !self.has_fault(Fault::MoveHandlesAcceptedInRequest) {
            return Err(Failure::early(ResultCode::INVALID_COMBINATION));
        }

        let saved_header = self.read_array::<3>(dst, 0).map_err(Failure::early)?;
        let receive_list_index = if offset_ignored {
            dst_layout.raw_end_index()
        } else {
            dst_layout.receive_list_index()
        };
        let sides = Sides {
            src,
            dst,
            src_thread: client_thread,
            dst_thread: server_thread,
        };
        let placement = Placement::new(
            receive_list,
            src_layout.raw_end() as u64,
            self.options.fault,
        );
        let mut broken = false;
        let translated = self.translate_request(
            request,
            sides,
            &src_layout,
            placement,
            receive_list_index,
            &mut broken,
        );
        if let Err(result) = translated {
            self.rollback_receive(
                request,
                sides,
                &src_layout,
                &dst_layout,
                &saved_header,
                broken,
            );
            return Err(Failure { result, broken });
        }
        Ok(())
    }

    /// Steps 7-11. `broken` is set whenever the write cursor passes the server's
    /// receive-list index `l`, even by a step that then fails (§4.6).
    fn translate_request(
        &mut self,
        request: RequestId,
        sides: Sides,
        layout: &Layout,
        mut placement: Placement,
        l: usize,
        broken: &mut bool,
    ) -> Result<(), ResultCode> {
        let (src, dst) = (sides.src, sides.dst);
        // 7. Header, verbatim.
        let header = self.read_array::<2>(src, 0)?;
        self.write_words(dst, 0, &header)?;
        // 8. Special data.
        if layout.special_header().is_some() {
            let result = self.process_special_data(sides, layout);
            *broken |= layout.pointer_index() > l;
            result?;
        }
        // 9. Pointer descriptors.
        for i in 0..layout.header().x_count() {
            let word = layout.pointer_index() + 2 * i;
            let result = self.transfer_pointer(src, dst, word, &mut placement);
            *broken |= word + 2 > l;
            result?;
        }
        // 10. Map-alias descriptors: all A, then B, then W.
        let header = layout.header();
        let (a, b, w) = (header.a_count(), header.b_count(), header.w_count());
        let skip_map_alias = self.has_fault(Fault::WOnlyNotTranslated) && a == 0 && b == 0;
        if !skip_map_alias {
            for i in 0..a + b + w {
                let kind = if i < a {
                    MapKind::Send
                } else if i < a + b {
                    MapKind::Receive
                } else {
                    MapKind::Exchange
                };
                let word = layout.map_alias_index() + 3 * i;
                let result = self.map_alias_request(request, kind, src, dst, word);
                *broken |= word + 3 > l;
                result?;
            }
        }
        // 11. Raw data, verbatim (the w-only fault copies from the W words instead).
        let raw_index = if skip_map_alias {
            layout.map_alias_index()
        } else {
            layout.raw_index()
        };
        let raw = self.read_words(src, raw_index, header.raw_words())?;
        self.write_words(dst, raw_index, &raw)?;
        *broken |= raw_index + header.raw_words() > l;
        Ok(())
    }

    /// §4.8: mappings undone (server, then client); special data cleared if the
    /// request had a special header; the server's header words restored unless its
    /// receive list is broken.
    fn rollback_receive(
        &mut self,
        request: RequestId,
        sides: Sides,
        src_layout: &Layout,
        dst_layout: &Layout,
        saved_header: &[u32],
        broken: bool,
    ) {
        let _ = self.cleanup_map(request);
        if src_layout.special_header().is_some() {
            self.cleanup_special_data(sides.dst);
        }
        if !broken {
            let words = if dst_layout.special_header().is_some() {
                3
            } else {
                2
            };
            if let Some(saved) = saved_header.get(..words) {
                let _ = self.write_words(sides.dst, 0, saved);
            }
        }
    }
}
