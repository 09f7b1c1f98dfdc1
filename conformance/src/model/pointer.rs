//! X descriptors into C receive lists (kernel-semantics.md §3).
//!
//! The destination's receive list is captured from its own buffer before anything
//! is written ([`ModelKernel::capture_receive_list`]), at the word index its own
//! header gives (the receive-list offset when non-zero, else its raw end). Then each
//! X of the source is placed by a [`Placement`], which keeps the per-message *key*
//! of §3.2, and copied from the source process into the destination process.

use hipc::field::{pointer as xbits, receive as cbits};
use hipc::{Layout, ReceiveListMode};

use crate::kernel::ResultCode;

use super::ModelKernel;
use super::buffer::MsgBuf;
use super::fault::Fault;

/// Alignment of pointer data in modes 1 and 2 (`PointerTransferBufferAlignment`).
const POINTER_ALIGNMENT: u64 = 0x10;

/// One C entry: where and how much.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Entry {
    address: u64,
    size: u64,
}

/// A captured receive list.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum ReceiveList {
    /// Mode 0: nowhere to put pointer data.
    None,
    /// Mode 1: into the destination's own message buffer.
    MessageBuffer(MsgBuf),
    /// Mode 2: packed into one entry.
    Single(Entry),
    /// Modes 3..=15: entry chosen by the descriptor's index.
    Indexed(Vec<Entry>),
}

/// Chooses destinations for successive X descriptors of one message (§3.2).
#[derive(Clone, Debug)]
pub(crate) struct Placement {
    list: ReceiveList,
    key: u64,
    /// 4 × E of the source message (mode 1 places data after it).
    source_raw_end: u64,
    fault: Option<Fault>,
}

impl Placement {
    /// A placement into `list` for a source message whose raw data ends at
    /// `source_raw_end` bytes.
    pub(crate) fn new(list: ReceiveList, source_raw_end: u64, fault: Option<Fault>) -> Self {
        Placement {
            list,
            key: 0,
            source_raw_end,
            fault,
        }
    }

    /// Whether data goes through the kernel rather than with user-write semantics:
    /// mode 1 into a locked user buffer (§3.2 consequences, §4.3 step 9).
    pub(crate) fn kernel_write(&self) -> bool {
        matches!(self.list, ReceiveList::MessageBuffer(buf) if buf.user)
    }

    /// The destination address for a descriptor with `index` and `size` (> 0), or
    /// `None` when the list has no room for it (OutOfResource).
    pub(crate) fn place(&mut self, index: u8, size: u64) -> Option<u64> {
        match &self.list {
            ReceiveList::None => None,
            ReceiveList::MessageBuffer(buf) => {
                let start = buf.address.checked_add(self.source_raw_end)?;
                let at = align16(start.checked_add(self.key)?)?;
                let end = at.checked_add(size)?;
                if end > buf.address.checked_add(buf.size)? {
                    return None;
                }
                self.key = end - start;
                Some(at)
            }
            ReceiveList::Single(entry) => {
                let unaligned = entry.address.checked_add(self.key)?;
                let at = if self.fault == Some(Fault::SingleBufferUnaligned) {
                    unaligned
                } else {
                    align16(unaligned)?
                };
                let end = at.checked_add(size)?;
                let limit = entry.address.checked_add(entry.size)?;
                if entry.size == 0 || end > limit {
                    return None;
                }
                self.key = end - entry.address;
                Some(at)
            }
            ReceiveList::Indexed(entries) => {
                let key = if self.fault == Some(Fault::IndexIgnored) {
                    0
                } else {
                    usize::from(index)
                };
                let entry = entries.get(key)?;
                entry.address.checked_add(entry.size)?;
                (entry.size > 0 && entry.size >= size).then_some(entry.address)
            }
        }
    }
}

fn align16(x: u64) -> Option<u64> {
    x.checked_add(POINTER_ALIGNMENT - 1)
        .map(|v| v & !(POINTER_ALIGNMENT - 1))
}

/// The two words of an X descriptor built fresh from (index, address, size): reserved
/// bits zero, fields masked to their widths.
pub(crate) fn pointer_words(index: u8, address: u64, size: u64) -> [u32; 2] {
    let mut word0 = xbits::INDEX.set(0, u32::from(index));
    word0 = xbits::ADDRESS_MID.set(word0, ((address >> 32) & 0xF) as u32);
    word0 = xbits::ADDRESS_HIGH.set(word0, ((address >> 36) & 0x7) as u32);
    word0 = xbits::SIZE.set(word0, size as u32);
    [word0, address as u32]
}

/// (index, address, size) of an X descriptor's words.
fn parse_pointer(word0: u32, word1: u32) -> (u8, u64, u64) {
    let address = u64::from(word1)
        | u64::from(xbits::ADDRESS_MID.get(word0)) << 32
        | u64::from(xbits::ADDRESS_HIGH.get(word0)) << 36;
    (
        xbits::INDEX.get(word0) as u8,
        address,
        u64::from(xbits::SIZE.get(word0)),
    )
}

impl ModelKernel {
    /// Captures the receive list `dst`'s own header declares (§3.1). With the
    /// `recv-list-offset-ignored` fault the list is read right after the raw data.
    pub(super) fn capture_receive_list(
        &self,
        dst: MsgBuf,
        layout: &Layout,
    ) -> Result<ReceiveList, ResultCode> {
        let index = if self.has_fault(Fault::RecvListOffsetIgnored) {
            layout.raw_end_index()
        } else {
            layout.receive_list_index()
        };
        let count = layout.receive_list_entries();
        let words = self.read_words(dst, index, count * 2)?;
        let entries: Vec<Entry> = words
            .chunks_exact(2)
            .map(|w| {
                let (low, high) = (
                    w.first().copied().unwrap_or(0),
                    w.get(1).copied().unwrap_or(0),
                );
                Entry {
                    address: u64::from(low) | u64::from(cbits::ADDRESS_HIGH.get(high)) << 32,
                    size: u64::from(cbits::SIZE.get(high)),
                }
            })
            .collect();
        Ok(match layout.header().recv_list_mode() {
            ReceiveListMode::None => ReceiveList::None,
            ReceiveListMode::ToMessageBuffer => ReceiveList::MessageBuffer(dst),
            ReceiveListMode::SingleBuffer => match entries.first() {
                Some(&entry) => ReceiveList::Single(entry),
                None => ReceiveList::None,
            },
            ReceiveListMode::Indexed { .. } => ReceiveList::Indexed(entries),
        })
    }

    /// Translates the X descriptor at word `word` of `src` into `dst` (§3.2 steps
    /// 1-5): places it, checks the source range (linear-mapped, user-readable, not
    /// Uncached) and the destination range (linear-mapped, user-writable, not
    /// Uncached; only mapped for a kernel write), copies the data and writes the
    /// rewritten descriptor.
    pub(super) fn transfer_pointer(
        &mut self,
        src: MsgBuf,
        dst: MsgBuf,
        word: usize,
        placement: &mut Placement,
    ) -> Result<(), ResultCode> {
        let [w0, w1] = self.read_array(src, word)?;
        let (index, address, size) = parse_pointer(w0, w1);
        if size == 0 && !self.has_fault(Fault::ZeroSizeXRejected) {
            return self.write_words(dst, word, &pointer_words(index, 0, 0));
        }
        let target = placement
            .place(index, size)
            .ok_or(ResultCode::OUT_OF_RESOURCE)?;
        let source_ok = self.space(src.process).is_some_and(|space| {
            space.check(address, size, |page| {
                page.state.linear_mapped()
                    && page.permission.readable()
                    && !page.attributes.uncached
            })
        });
        let kernel_write = placement.kernel_write();
        let destination_ok = self.space(dst.process).is_some_and(|space| {
            space.check(target, size, |page| {
                kernel_write
                    || (page.state.linear_mapped()
                        && page.permission.writable()
                        && !page.attributes.uncached)
            })
        });
        if !source_ok || !destination_ok {
            return Err(ResultCode::INVALID_CURRENT_MEMORY);
        }
        let data = self.kernel_read(src.process, address, size)?;
        self.kernel_write(dst.process, target, &data)?;
        self.write_words(dst, word, &pointer_words(index, target, size))
    }
}
