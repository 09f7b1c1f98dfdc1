//! Message buffers (kernel-semantics.md §1): the thread's 0x100-byte TLS buffer, or
//! a locked user buffer, and word access to them.

use std::borrow::Cow;

use hipc::{Header, Layout, SpecialHeader};
use zerocopy::IntoBytes;

use crate::kernel::{MemoryState, MessageBuffer, Permission, ProcessRef, ResultCode, ThreadRef};

use super::ModelKernel;
use super::memory::{AddressSpace, PAGE_SIZE};

/// Size of the TLS message buffer.
pub(crate) const TLS_BUFFER_SIZE: u64 = 0x100;

/// A message buffer as the kernel sees it: whose, where, how big.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct MsgBuf {
    /// The process whose address space holds it.
    pub(crate) process: ProcessRef,
    /// Its user virtual address (the TLS region's address for TLS).
    pub(crate) address: u64,
    /// Its size (0x100 for TLS).
    pub(crate) size: u64,
    /// Whether it is a (locked) user buffer.
    pub(crate) user: bool,
}

impl ModelKernel {
    /// The buffer a syscall of `thread` uses: its TLS, or a user buffer checked and
    /// locked as §1.2 says. The caller unlocks a user buffer with
    /// [`ModelKernel::unlock_user_buffer`].
    pub(super) fn acquire_buffer(
        &mut self,
        thread: ThreadRef,
        buffer: MessageBuffer,
    ) -> Result<MsgBuf, ResultCode> {
        let t = self.thread(thread).ok_or(ResultCode::INVALID_HANDLE)?;
        let process = t.process;
        match buffer {
            MessageBuffer::Tls => Ok(MsgBuf {
                process,
                address: t.tls,
                size: TLS_BUFFER_SIZE,
                user: false,
            }),
            MessageBuffer::User { address, size } => self.lock_user_buffer(process, address, size),
        }
    }

    /// §1.2 rows 1-5 in order, then locks the pages: user permission none, attribute
    /// Locked, so a second lock of the same pages fails with 0xD401.
    pub(super) fn lock_user_buffer(
        &mut self,
        process: ProcessRef,
        address: u64,
        size: u64,
    ) -> Result<MsgBuf, ResultCode> {
        if address % PAGE_SIZE != 0 {
            return Err(ResultCode::INVALID_ADDRESS);
        }
        if size == 0 || size % PAGE_SIZE != 0 {
            return Err(ResultCode::INVALID_SIZE);
        }
        if address.checked_add(size).is_none() {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        }
        let space = self
            .space_mut(process)
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY)?;
        let first_state = space.page(address).map(|p| p.state);
        let lockable = first_state.is_some_and(MemoryState::can_hold_user_buffer)
            && space.check(address, size, |page| {
                Some(page.state) == first_state
                    && page.permission == Permission::Rw
                    && page.attributes.is_empty()
            });
        if !lockable {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        }
        let Some((start, end)) = AddressSpace::span(address, size) else {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        };
        space.update(start, end, |page| {
            page.saved_permission = page.permission;
            page.permission = Permission::None;
            page.attributes.locked = true;
        });
        Ok(MsgBuf {
            process,
            address,
            size,
            user: true,
        })
    }

    /// Unlocks a user buffer (a TLS buffer needs nothing). The model's unlock cannot
    /// fail, so there is no result to merge (§1.2 last paragraph).
    pub(super) fn unlock_user_buffer(&mut self, buf: MsgBuf) {
        if !buf.user {
            return;
        }
        let Some((start, end)) = AddressSpace::span(buf.address, buf.size) else {
            return;
        };
        if let Some(space) = self.space_mut(buf.process) {
            space.update(start, end, |page| {
                if page.attributes.locked {
                    page.attributes.locked = false;
                    page.permission = page.saved_permission;
                }
            });
        }
    }

    /// The layout the message in `buf` declares (header words 0..=2; every buffer is
    /// at least 0x100 bytes, so these words are always inside it).
    pub(super) fn buffer_layout(&self, buf: MsgBuf) -> Result<Layout, ResultCode> {
        let [w0, w1, w2] = self.read_array(buf, 0)?;
        Ok(Layout::new(
            Header::from_words(w0, w1),
            SpecialHeader::from_word(w2),
        ))
    }

    /// Reads `count` words starting at word `start` of `buf`.
    pub(super) fn read_words(
        &self,
        buf: MsgBuf,
        start: usize,
        count: usize,
    ) -> Result<Vec<u32>, ResultCode> {
        let mut words = vec![0u32; count];
        self.read_words_into(buf, start, &mut words)?;
        Ok(words)
    }

    /// Reads `N` words starting at word `start` of `buf`, without allocating (a
    /// header, a descriptor).
    pub(super) fn read_array<const N: usize>(
        &self,
        buf: MsgBuf,
        start: usize,
    ) -> Result<[u32; N], ResultCode> {
        let mut words = [0u32; N];
        self.read_words_into(buf, start, &mut words)?;
        Ok(words)
    }

    /// Fills `words` from word `start` of `buf`: the bytes straight into the
    /// words, then each word from little-endian (nothing to do on a
    /// little-endian host).
    fn read_words_into(
        &self,
        buf: MsgBuf,
        start: usize,
        words: &mut [u32],
    ) -> Result<(), ResultCode> {
        let address = word_address(buf, start, words.len())?;
        self.kernel_read_into(buf.process, address, words.as_mut_bytes())?;
        for word in words.iter_mut() {
            *word = u32::from_le(*word);
        }
        Ok(())
    }

    /// Writes `words` at word `start` of `buf` (through the kernel: a locked user
    /// buffer is written through its kernel alias).
    pub(super) fn write_words(
        &mut self,
        buf: MsgBuf,
        start: usize,
        words: &[u32],
    ) -> Result<(), ResultCode> {
        let address = word_address(buf, start, words.len())?;
        // On a little-endian host the words' bytes are already their
        // little-endian form: written as they are, without a copy.
        let bytes: Cow<'_, [u8]> = if cfg!(target_endian = "little") {
            Cow::Borrowed(words.as_bytes())
        } else {
            Cow::Owned(words.iter().flat_map(|w| w.to_le_bytes()).collect())
        };
        self.kernel_write(buf.process, address, &bytes)
    }
}

/// The address of word `start` of `buf`, checking that `count` words fit the buffer.
fn word_address(buf: MsgBuf, start: usize, count: usize) -> Result<u64, ResultCode> {
    let end = (start as u64)
        .checked_add(count as u64)
        .and_then(|w| w.checked_mul(4));
    match end {
        Some(end) if end <= buf.size => buf
            .address
            .checked_add(start as u64 * 4)
            .ok_or(ResultCode::INVALID_CURRENT_MEMORY),
        _ => Err(ResultCode::INVALID_COMBINATION),
    }
}
