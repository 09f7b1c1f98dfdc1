//! Special data: the PID and copy/move handles (kernel-semantics.md §4.3 step 8,
//! §5.2 step 9) and their cleanup on failure (§4.7, §5.4).
//!
//! # The handle-rollback quirk (§4.7, §9): replicated
//!
//! [`ModelKernel::cleanup_special_data`] re-parses the destination buffer with the
//! header translation copied into it and does nothing at all if that header's
//! MessageSize exceeds the destination buffer, exactly as mesosphère does: copied
//! handles then stay in the receiver's table. The model is a reference for
//! mesosphère's observable behaviour, and the quirk is likely inherited from
//! Nintendo's kernel; vectors are told not to assert either way.

use hipc::Layout;

use crate::kernel::{CURRENT_PROCESS, CURRENT_THREAD, Handle, ObjectId, ResultCode, ThreadRef};

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::fault::Fault;
use super::objects::ObjectKind;

/// The two sides of a translation, for handle resolution.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sides {
    /// Source buffer (client for a request, server for a reply).
    pub(crate) src: MsgBuf,
    /// Destination buffer.
    pub(crate) dst: MsgBuf,
    /// The sending thread (what 0xFFFF8000 names).
    pub(crate) src_thread: ThreadRef,
    /// The receiving thread (only the `pseudo-handle-resolves-to-receiver` fault uses it).
    pub(crate) dst_thread: ThreadRef,
}

impl ModelKernel {
    /// Writes the special header, the PID and every handle slot into the
    /// destination; returns the running result of the handle slots (§4.3 step 8).
    /// Every slot is written even after a failure.
    pub(super) fn process_special_data(
        &mut self,
        sides: Sides,
        layout: &Layout,
    ) -> Result<(), ResultCode> {
        let Some(special) = layout.special_header() else {
            return Ok(());
        };
        self.write_words(sides.dst, 2, &[special.word.get()])?;
        if let Some(pid_range) = layout.pid() {
            let index = pid_range.start / 4;
            let [low, high] = self.read_array(sides.src, index)?;
            let written = u64::from(low) | u64::from(high) << 32;
            let pid = self.pid_to_deliver(sides, written);
            self.write_words(sides.dst, index, &[pid as u32, (pid >> 32) as u32])?;
        }
        let copy_index = layout.copy_handles().start / 4;
        let copies = self.read_words(sides.src, copy_index, special.copy_count())?;
        let moves_index = layout.move_handles().start / 4;
        let moves = self.read_words(sides.src, moves_index, special.move_count())?;
        let mut result = Ok(());
        let mut slots = Vec::with_capacity(copies.len() + moves.len());
        for handle in copies {
            slots.push(self.copy_handle(sides, handle, &mut result));
        }
        for handle in moves {
            slots.push(self.move_handle(sides, handle, &mut result));
        }
        self.write_words(sides.dst, copy_index, &slots)?;
        result
    }

    /// The PID the destination sees: the sender's real process id; with the
    /// Atmosphère extension, a value whose top 16 bits are 0xFFFE passes through
    /// with those bits cleared.
    fn pid_to_deliver(&self, sides: Sides, written: u64) -> u64 {
        if self.has_fault(Fault::PidNotSubstituted) {
            return written;
        }
        if self.options.ams_pid_passthrough && written >> 48 == 0xFFFE {
            return written & 0x0000_FFFF_FFFF_FFFF;
        }
        self.process(sides.src.process).map_or(0, |p| p.pid)
    }

    /// One copy slot: 0 stays 0; after a failure, 0 without looking; else the
    /// sender's object (pseudo-handles resolve to the sender's process/thread,
    /// interrupt events are not found) gets a new handle in the receiver.
    fn copy_handle(
        &mut self,
        sides: Sides,
        handle: Handle,
        result: &mut Result<(), ResultCode>,
    ) -> u32 {
        if handle == 0 {
            if self.has_fault(Fault::CopyHandleZeroRejected) && result.is_ok() {
                *result = Err(ResultCode::INVALID_HANDLE);
            }
            return 0;
        }
        if result.is_err() {
            return 0;
        }
        let Some(object) = self.resolve_for_copy(sides, handle) else {
            *result = Err(ResultCode::INVALID_HANDLE);
            return 0;
        };
        match self.insert_handle(sides.dst.process, object) {
            Ok(new) => {
                if self.has_fault(Fault::CopyHandleMoved) {
                    self.remove_handle(sides.src.process, handle);
                }
                new
            }
            Err(e) => {
                *result = Err(e);
                0
            }
        }
    }

    /// One move slot (§5.2 step 9): 0 stays 0; after a failure the handle is removed
    /// from the sender anyway; else looked up without pseudo-handles, inserted into
    /// the receiver, and removed from the sender whether or not the insert worked.
    fn move_handle(
        &mut self,
        sides: Sides,
        handle: Handle,
        result: &mut Result<(), ResultCode>,
    ) -> u32 {
        if handle == 0 {
            return 0;
        }
        if result.is_err() {
            self.remove_handle(sides.src.process, handle);
            return 0;
        }
        let Some(object) = self
            .lookup(sides.src.process, handle)
            .filter(|&o| self.transferable(o))
        else {
            *result = Err(ResultCode::INVALID_HANDLE);
            return 0;
        };
        let inserted = self.insert_handle(sides.dst.process, object);
        if !self.has_fault(Fault::MoveHandleLeftInSender) {
            self.remove_handle(sides.src.process, handle);
        }
        inserted.unwrap_or_else(|e| {
            *result = Err(e);
            0
        })
    }

    /// The object a copy slot names, with pseudo-handle support.
    fn resolve_for_copy(&self, sides: Sides, handle: Handle) -> Option<ObjectId> {
        let (process, thread) = if self.has_fault(Fault::PseudoHandleResolvesToReceiver) {
            (sides.dst.process, sides.dst_thread)
        } else {
            (sides.src.process, sides.src_thread)
        };
        let object = match handle {
            CURRENT_PROCESS => self.process(process).map(|p| p.object),
            CURRENT_THREAD => self.thread(thread).map(|t| t.object),
            _ => self.lookup(sides.src.process, handle),
        }?;
        self.transferable(object).then_some(object)
    }

    /// Interrupt events cannot be transferred (treated as not found).
    fn transferable(&self, object: ObjectId) -> bool {
        let interrupt = matches!(
            self.objects.kind(object),
            Some(ObjectKind::Event {
                interrupt: true,
                ..
            })
        );
        !interrupt || self.has_fault(Fault::InterruptEventTransferable)
    }

    /// Rollback of special data in a destination buffer (§4.7, §5.4): re-parses the
    /// buffer with the header now in it; unless that header does not fit the buffer
    /// (the replicated quirk, see the module documentation), zeroes the PID slot and
    /// every handle slot, removing each non-zero handle from the destination's table.
    pub(super) fn cleanup_special_data(&mut self, dst: MsgBuf) {
        let Ok(layout) = self.buffer_layout(dst) else {
            return;
        };
        if layout.message_size() as u64 > dst.size {
            return;
        }
        let Some(special) = layout.special_header() else {
            return;
        };
        if let Some(pid_range) = layout.pid() {
            let _ = self.write_words(dst, pid_range.start / 4, &[0, 0]);
        }
        let start = layout.copy_handles().start / 4;
        let count = special.copy_count() + special.move_count();
        let Ok(handles) = self.read_words(dst, start, count) else {
            return;
        };
        if !self.has_fault(Fault::NoHandleRollback) {
            for &handle in handles.iter().filter(|&&h| h != 0) {
                self.remove_handle(dst.process, handle);
            }
        }
        let _ = self.write_words(dst, start, &vec![0; count]);
    }

    /// The server's move handles named in its reply buffer are removed
    /// (`CleanupServerHandles`, §5.4, §6.4): nothing if the buffer's own message does
    /// not fit it (InvalidCombination).
    pub(super) fn cleanup_server_handles(&mut self, src: MsgBuf) -> Result<(), ResultCode> {
        let layout = self.buffer_layout(src)?;
        if layout.message_size() as u64 > src.size {
            return Err(ResultCode::INVALID_COMBINATION);
        }
        let Some(special) = layout.special_header() else {
            return Ok(());
        };
        let handles =
            self.read_words(src, layout.move_handles().start / 4, special.move_count())?;
        for handle in handles {
            self.remove_handle(src.process, handle);
        }
        Ok(())
    }
}
