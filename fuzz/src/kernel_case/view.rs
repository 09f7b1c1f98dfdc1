//! Reading a message in a buffer the way the kernel does (by its header alone),
//! and rewriting the handle selectors of an input.

use hipc::{BufferDescriptor, Layout, PointerDescriptor};
use zerocopy::FromBytes;

use super::SELECTORS;

/// A message read by its header alone, without [`hipc::Message::new_checked`]'s
/// checks: the kernel does not validate a source's receive-list offset, and a
/// destination's receive list may reach past its buffer (§3.1, §4.3 step 4).
pub(super) struct View<'a> {
    bytes: &'a [u8],
    layout: Layout,
}

impl<'a> View<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Option<Self> {
        let layout = Layout::parse(bytes).ok()?;
        (layout.raw_end() <= bytes.len()).then_some(View { bytes, layout })
    }
    /// The words of `range`, read in place (a check walks them once; no vector).
    pub(super) fn words(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = u32> + 'a {
        self.bytes
            .get(range)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    }
    pub(super) fn pid(&self) -> Option<u64> {
        let r = self.layout.pid()?;
        let mut w = self.words(r);
        let (low, high) = (w.next()?, w.next()?);
        Some(u64::from(low) | u64::from(high) << 32)
    }
    pub(super) fn copies(&self) -> impl Iterator<Item = u32> + 'a {
        self.words(self.layout.copy_handles())
    }
    pub(super) fn moves(&self) -> impl Iterator<Item = u32> + 'a {
        self.words(self.layout.move_handles())
    }
    pub(super) fn raw(&self) -> &'a [u8] {
        self.bytes.get(self.layout.raw()).unwrap_or(&[])
    }
    pub(super) fn header(&self) -> &'a [u8] {
        &self.bytes[..8]
    }
    pub(super) fn x(&self) -> &'a [PointerDescriptor] {
        <[PointerDescriptor]>::ref_from_bytes(self.bytes.get(self.layout.x()).unwrap_or(&[]))
            .unwrap_or(&[])
    }
    pub(super) fn map_alias(&self) -> &'a [BufferDescriptor] {
        <[BufferDescriptor]>::ref_from_bytes(self.bytes.get(self.layout.map_alias()).unwrap_or(&[]))
            .unwrap_or(&[])
    }
}

/// Whether a buffer's own receive list (as its header declares it before the
/// translation; the kernel captures it then, §3.1) names memory inside the buffer:
/// pointer data may then overwrite the very words translation wrote, which the
/// kernel allows, so the delivered words are not checked against the source.
pub(super) fn receive_list_overlaps(before: Option<&[u8]>, address: u64, size: u64) -> bool {
    let Some(bytes) = before else {
        return false;
    };
    let Ok(layout) = Layout::parse(bytes) else {
        return false;
    };
    let entries = bytes.get(layout.receive_list()).unwrap_or(&[]);
    let end = address.saturating_add(size);
    entries.chunks_exact(8).any(|e| {
        let Ok(c) = hipc::ReceiveListEntry::read_from_bytes(e) else {
            return false;
        };
        let (a, n) = (c.address(), c.size());
        a < end && address < a.saturating_add(n.max(1))
    })
}

/// Rewrites the selector words in a message's copy and move slots.
pub(super) fn remap_handles(bytes: &mut [u8], map: impl Fn(u32) -> u32) {
    let Ok(layout) = Layout::parse(bytes) else {
        return;
    };
    // The handle words that are in `bytes` (a message cut short keeps the first).
    let end = layout.move_handles().end.min(bytes.len());
    let start = layout.copy_handles().start.min(end);
    let handles = bytes.get_mut(start..end).unwrap_or_default();
    for word in handles.chunks_exact_mut(4) {
        let v = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        if v < SELECTORS {
            word.copy_from_slice(&map(v).to_le_bytes());
        }
    }
}
