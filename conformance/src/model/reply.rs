//! Replying: SendReply and SendMessage (kernel-semantics.md §5), with SRC = the
//! server's buffer and DST = the client's buffer, which still holds its request.

use hipc::Layout;

use crate::kernel::{ResultCode, ThreadRef};

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::fault::Fault;
use super::pointer::Placement;
use super::session::{RequestId, SessionId};
use super::special_data::Sides;

impl ModelKernel {
    /// SendReply (§5.1, §5.3, §6.4). `Ok` is the server's reply half succeeding (the
    /// client gets the translation result, whatever it is); `Err` is InvalidState
    /// (no current request) or SessionClosed (the closed path), for which
    /// ReplyAndReceive sets out_index to −1 and does not receive.
    pub(super) fn send_reply(
        &mut self,
        session: SessionId,
        server_thread: ThreadRef,
        src: MsgBuf,
    ) -> Result<(), ResultCode> {
        let (current, closed) = match self.session_mut(session) {
            Some(s) => (s.current.take(), s.closed),
            None => (None, false),
        };
        let Some(request) = current else {
            return if self.has_fault(Fault::ReplyWithoutRequestAccepted) {
                Ok(())
            } else {
                Err(ResultCode::INVALID_STATE)
            };
        };
        if !closed {
            let result = self.send_message(request, server_thread, src);
            self.complete_request(request, result.err().unwrap_or(ResultCode::SUCCESS));
            return Ok(());
        }
        // The closed path: the server's move handles are closed, the mappings undone.
        let handles = self.cleanup_server_handles(src);
        let mappings = self.cleanup_map(request);
        match handles.and(mappings) {
            Ok(()) => {
                self.complete_request(request, ResultCode::SESSION_CLOSED);
                Err(ResultCode::SESSION_CLOSED)
            }
            Err(e) => {
                self.complete_request(request, e);
                Ok(())
            }
        }
    }

    /// SendMessage (§5.2). On failure the state of §5.4 is left behind.
    fn send_message(
        &mut self,
        request: RequestId,
        server_thread: ThreadRef,
        src: MsgBuf,
    ) -> Result<(), ResultCode> {
        let Some(req) = self.request(request) else {
            return Err(ResultCode::INVALID_STATE);
        };
        let (dst, client_thread) = (req.buffer, req.client_thread);
        let sides = Sides {
            src,
            dst,
            src_thread: server_thread,
            dst_thread: client_thread,
        };
        let (placement, src_layout) = match self.check_reply(request, sides) {
            Ok(checked) => checked,
            Err(e) => {
                // Failure in steps 1-7: the server's move handles are closed (unless
                // its own message does not fit its buffer), the mappings undone.
                let _ = self.cleanup_server_handles(src);
                let _ = self.cleanup_map(request);
                return Err(e);
            }
        };
        let translated = self.translate_reply(request, sides, &src_layout, placement);
        if translated.is_err() {
            // Failure in steps 8-13: handles given to the client are taken back.
            if src_layout.special_header().is_some() {
                self.cleanup_special_data(dst);
            }
            let _ = self.cleanup_map(request);
        }
        translated
    }

    /// Steps 1-7: the checks, the capture of the client's receive list, and the
    /// copy-back of B and W partial pages.
    fn check_reply(
        &mut self,
        request: RequestId,
        sides: Sides,
    ) -> Result<(Placement, Layout), ResultCode> {
        let (src, dst) = (sides.src, sides.dst);
        let src_layout = self.buffer_layout(src)?;
        let dst_layout = self.buffer_layout(dst)?;
        // 1, 2. Both messages fit their buffers.
        if src_layout.message_size() as u64 > src.size
            || dst_layout.message_size() as u64 > dst.size
        {
            return Err(ResultCode::INVALID_COMBINATION);
        }
        // 3. The client's receive-list offset.
        if !self.has_fault(Fault::RecvListOffsetIgnored) && !dst_layout.recv_list_offset_valid() {
            return Err(ResultCode::INVALID_COMBINATION);
        }
        // 4. Fit.
        if dst.size < src_layout.raw_end() as u64 {
            return Err(ResultCode::MESSAGE_TOO_LARGE);
        }
        // 5. No map-alias descriptors in replies.
        let header = src_layout.header();
        if (header.a_count() != 0 || header.b_count() != 0 || header.w_count() != 0)
            && !self.has_fault(Fault::MapAliasAllowedInReply)
        {
            return Err(ResultCode::INVALID_COMBINATION);
        }
        // 6. The client's receive list.
        let list = self.capture_receive_list(dst, &dst_layout)?;
        // 7. Copy-back of partial pages, B then W.
        self.copy_back(request)?;
        let placement = Placement::new(list, src_layout.raw_end() as u64, self.options.fault);
        Ok((placement, src_layout))
    }

    /// Steps 8-13.
    fn translate_reply(
        &mut self,
        request: RequestId,
        sides: Sides,
        layout: &Layout,
        mut placement: Placement,
    ) -> Result<(), ResultCode> {
        let (src, dst) = (sides.src, sides.dst);
        // 8. Header.
        let header = self.read_array::<2>(src, 0)?;
        self.write_words(dst, 0, &header)?;
        // 9. Special data: PID of the server, copy and move handles.
        self.process_special_data(sides, layout)?;
        // 10. Pointer descriptors into the client's receive list.
        for i in 0..layout.header().x_count() {
            let word = layout.pointer_index() + 2 * i;
            self.transfer_pointer(src, dst, word, &mut placement)?;
        }
        // 11. No map-alias slots (the fault lets their words through verbatim).
        let map_alias = layout.map_alias_index();
        let map_alias_words = layout.raw_index() - map_alias;
        if map_alias_words != 0 {
            let words = self.read_words(src, map_alias, map_alias_words)?;
            self.write_words(dst, map_alias, &words)?;
        }
        // 12. Raw data.
        let raw = self.read_words(src, layout.raw_index(), layout.header().raw_words())?;
        self.write_words(dst, layout.raw_index(), &raw)?;
        // 13. Unmap / restore; its result is the final result.
        self.cleanup_map(request)
    }
}
