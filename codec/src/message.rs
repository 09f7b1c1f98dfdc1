//! A checked, zero-copy view of a message in a buffer (smoltcp's `Packet` pattern).

use core::ops::Range;

use zerocopy::byteorder::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::buffer::BufferDescriptor;
use crate::error::Error;
use crate::header::{Header, SpecialHeader};
use crate::layout::{Layout, Sections};
use crate::pointer::PointerDescriptor;
use crate::receive_list::ReceiveListEntry;
use crate::repr::MessageRepr;

/// A HIPC message inside a buffer: the 0x100-byte TLS message buffer, a page-sized
/// user buffer, or any byte slice.
///
/// [`Message::new_checked`] validates once that every section the header declares
/// lies inside the buffer and that the receive-list offset does not point inside
/// the message. After that, every accessor is O(1), returns a view into the buffer
/// (nothing is copied or allocated) and cannot panic.
///
/// ```
/// use hipc::Message;
/// // wire-format.md §6 Ex 3: PID, one copy handle, one move handle, CMIF command 3.
/// let bytes = hex("040000000800008023000000510000000000000034120000785600000000000053464349000000000300000000000000000000000000000000000000");
/// let msg = Message::new_checked(&bytes[..])?;
/// assert_eq!(msg.header().tag(), 4);
/// assert_eq!(msg.pid(), Some(0x51));
/// assert_eq!(msg.copy_handles()[0].get(), 0x1234);
/// assert_eq!(msg.move_handles()[0].get(), 0x5678);
/// assert_eq!(msg.raw_words()[1].get(), 0x4943_4653); // "SFCI"
/// # fn hex(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect() }
/// # Ok::<(), hipc::Error>(())
/// ```
///
/// With a mutable buffer the same sections are writable in place, which is what a
/// kernel does when it substitutes the PID and translates handles:
///
/// ```
/// use hipc::{Message, MessageRepr, U32};
/// let mut tls = [0u8; 0x100];
/// let handles = [U32::new(0x1234)];
/// let len = MessageRepr { tag: 4, pid: Some(0), copy_handles: &handles, ..MessageRepr::EMPTY }
///     .emit(&mut tls)?;
/// let mut msg = Message::new_checked(&mut tls[..])?;
/// msg.set_pid(81)?;                                  // the sender's real PID
/// msg.copy_handles_mut()[0] = U32::new(0x0001_0002); // the receiver's handle
/// assert_eq!(msg.pid(), Some(81));
/// assert_eq!(msg.message_len(), len);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<T> {
    buffer: T,
    layout: Layout,
}

impl<T: AsRef<[u8]>> Message<T> {
    /// Wraps `buffer` after checking that the message its header declares fits in it.
    ///
    /// Errors: [`Error::Truncated`] names the first section that does not fit;
    /// [`Error::RecvListOffsetInsideMessage`] a non-zero receive-list offset below the
    /// end of the raw data. Bytes after the message are allowed (a TLS buffer is
    /// 0x100 bytes whatever the message); see [`Message::trailing_len`].
    #[inline(always)]
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let bytes = buffer.as_ref();
        let layout = Layout::parse(bytes)?;
        layout.check(bytes.len())?;
        Ok(Message { buffer, layout })
    }

    /// Every section as a typed slice, cut from the buffer once
    /// ([`Sections`]): the way to read many sections without a bounds check per
    /// read. The buffer was checked by [`Message::new_checked`]; should its `AsRef`
    /// hand out a different slice now, every section is empty (no panic).
    #[inline]
    pub fn sections(&self) -> Sections<'_> {
        Sections::split(self.buffer.as_ref()).unwrap_or(Sections::EMPTY)
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The layout computed from the header.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The header words.
    pub fn header(&self) -> Header {
        self.layout.header()
    }

    /// The special header, when present.
    pub fn special_header(&self) -> Option<SpecialHeader> {
        self.layout.special_header()
    }

    /// The whole buffer, message and trailing bytes.
    pub fn buffer(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The message's own bytes: up to the end of the receive list (or of the raw data
    /// when there is none), gap included.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes(0..self.layout.end())
    }

    /// Length of the message's bytes: to the end of the receive list, or of the raw
    /// data when there are no entries ([`Layout::end`]).
    pub fn message_len(&self) -> usize {
        self.layout.end()
    }

    /// How many bytes of the buffer follow the end of the message.
    pub fn trailing_len(&self) -> usize {
        self.buffer.as_ref().len().saturating_sub(self.layout.end())
    }

    /// The process id slot, when the special header has the PID bit. Read unaligned
    /// (it starts at byte 12).
    pub fn pid(&self) -> Option<u64> {
        let range = self.layout.pid()?;
        Some(self.view::<U64>(range).map_or(0, U64::get))
    }

    /// The copy handle words.
    pub fn copy_handles(&self) -> &[U32] {
        self.slice(self.layout.copy_handles())
    }
    /// The move handle words.
    pub fn move_handles(&self) -> &[U32] {
        self.slice(self.layout.move_handles())
    }
    /// The X descriptors.
    pub fn x_descriptors(&self) -> &[PointerDescriptor] {
        self.slice(self.layout.x())
    }
    /// The A descriptors.
    pub fn a_descriptors(&self) -> &[BufferDescriptor] {
        self.slice(self.layout.a())
    }
    /// The B descriptors.
    pub fn b_descriptors(&self) -> &[BufferDescriptor] {
        self.slice(self.layout.b())
    }
    /// The W descriptors.
    pub fn w_descriptors(&self) -> &[BufferDescriptor] {
        self.slice(self.layout.w())
    }
    /// All map-alias descriptors in kernel order: A, then B, then W.
    pub fn map_alias_descriptors(&self) -> &[BufferDescriptor] {
        self.slice(self.layout.map_alias())
    }
    /// The raw data as bytes.
    pub fn raw(&self) -> &[u8] {
        self.bytes(self.layout.raw())
    }
    /// The raw data as little-endian words.
    pub fn raw_words(&self) -> &[U32] {
        self.slice(self.layout.raw())
    }
    /// The C receive-list entries.
    ///
    /// On a message the kernel delivered, these words are the *receiver's own*
    /// leftover data: the kernel never transfers the sender's receive list
    /// (wire-format.md §1.6).
    pub fn receive_list(&self) -> &[ReceiveListEntry] {
        self.slice(self.layout.receive_list())
    }

    /// A borrowed representation of the whole message, O(1): everything needed to
    /// emit it again, byte for byte, with one exception: the gap between the raw
    /// data and a receive list placed further on (a non-zero receive-list offset,
    /// §1.7) is not part of the message's fields, and [`MessageRepr::emit`] writes it
    /// as zeros. [`Message::gap`] shows what it holds here.
    pub fn repr(&self) -> MessageRepr<'_> {
        let header = self.header();
        let special = self.special_header();
        MessageRepr {
            tag: header.tag(),
            special_header: special.is_some(),
            pid: self.pid(),
            copy_handles: self.copy_handles(),
            move_handles: self.move_handles(),
            x: self.x_descriptors(),
            a: self.a_descriptors(),
            b: self.b_descriptors(),
            w: self.w_descriptors(),
            raw: self.raw(),
            recv_list_count: header.recv_list_count(),
            recv_list_offset: header.recv_list_offset(),
            c: self.receive_list(),
            header_reserved: header.reserved(),
            special_reserved: special.map_or(0, |s| s.reserved()),
        }
    }

    /// The bytes between the end of the raw data and a receive list placed further
    /// on by a non-zero receive-list offset (§1.7); empty otherwise. Not a field:
    /// [`Message::repr`] does not carry it and emitting writes zeros there.
    pub fn gap(&self) -> &[u8] {
        self.bytes(self.layout.gap())
    }

    fn bytes(&self, range: Range<usize>) -> &[u8] {
        // `new_checked` proved every range of the layout in bounds; the fallback
        // exists so that no panic path exists at all (even for an `AsRef` impl that
        // returns different slices on different calls).
        self.buffer.as_ref().get(range).unwrap_or(&[])
    }

    fn slice<E: FromBytes + Immutable + KnownLayout>(&self, range: Range<usize>) -> &[E] {
        // Most sections of most messages are empty: answer those without touching
        // the buffer, so neither the bounds check nor the caller's loop runs.
        if range.is_empty() {
            return &[];
        }
        <[E]>::ref_from_bytes(self.bytes(range)).unwrap_or(&[])
    }

    fn view<E: FromBytes + Immutable + KnownLayout + Copy>(
        &self,
        range: Range<usize>,
    ) -> Option<E> {
        E::read_from_bytes(self.bytes(range)).ok()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Message<T> {
    /// The whole buffer, writable.
    pub fn buffer_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }
    /// Overwrites the PID slot (what the kernel does with the sender's process id).
    /// Errors: [`Error::NoPidSlot`] when the message has none (nothing is written).
    pub fn set_pid(&mut self, pid: u64) -> Result<(), Error> {
        let range = self.layout.pid().ok_or(Error::NoPidSlot)?;
        let slot = self.bytes_mut(range).ok_or(Error::NoPidSlot)?;
        slot.copy_from_slice(&pid.to_le_bytes());
        Ok(())
    }
    /// The header, writable: its tag (the other fields fix the layout; see
    /// [`crate::HeaderMut`]).
    pub fn header_mut(&mut self) -> crate::header_mut::HeaderMut<'_> {
        crate::header_mut::HeaderMut::new(self.buffer.as_mut(), &mut self.layout)
    }
    /// The copy handle words, writable.
    pub fn copy_handles_mut(&mut self) -> &mut [U32] {
        let range = self.layout.copy_handles();
        self.slice_mut(range)
    }
    /// The move handle words, writable.
    pub fn move_handles_mut(&mut self) -> &mut [U32] {
        let range = self.layout.move_handles();
        self.slice_mut(range)
    }
    /// The X descriptors, writable.
    pub fn x_descriptors_mut(&mut self) -> &mut [PointerDescriptor] {
        let range = self.layout.x();
        self.slice_mut(range)
    }
    /// The A descriptors, writable.
    pub fn a_descriptors_mut(&mut self) -> &mut [BufferDescriptor] {
        let range = self.layout.a();
        self.slice_mut(range)
    }
    /// The B descriptors, writable.
    pub fn b_descriptors_mut(&mut self) -> &mut [BufferDescriptor] {
        let range = self.layout.b();
        self.slice_mut(range)
    }
    /// The W descriptors, writable.
    pub fn w_descriptors_mut(&mut self) -> &mut [BufferDescriptor] {
        let range = self.layout.w();
        self.slice_mut(range)
    }
    /// All map-alias descriptors (A, B, W in order), writable.
    pub fn map_alias_descriptors_mut(&mut self) -> &mut [BufferDescriptor] {
        let range = self.layout.map_alias();
        self.slice_mut(range)
    }
    /// The raw data, writable.
    pub fn raw_mut(&mut self) -> &mut [u8] {
        let range = self.layout.raw();
        self.bytes_mut(range).unwrap_or(&mut [])
    }
    /// The receive-list entries, writable.
    pub fn receive_list_mut(&mut self) -> &mut [ReceiveListEntry] {
        let range = self.layout.receive_list();
        self.slice_mut(range)
    }

    fn bytes_mut(&mut self, range: Range<usize>) -> Option<&mut [u8]> {
        self.buffer.as_mut().get_mut(range)
    }

    fn slice_mut<E: FromBytes + IntoBytes + KnownLayout>(
        &mut self,
        range: Range<usize>,
    ) -> &mut [E] {
        match self.bytes_mut(range) {
            Some(bytes) => <[E]>::mut_from_bytes(bytes).unwrap_or(&mut []),
            None => &mut [],
        }
    }
}
