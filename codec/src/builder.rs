//! A HIPC message builder with its own fixed-capacity storage (wire-format.md §1):
//! items are added one call at a time, the way libnx's `hipcMakeRequest` users fill
//! a message, and everything is checked by [`MessageRepr::emit`] in the end.
//!
//! The CMIF and TIPC builders ([`crate::cmif::RequestBuilder`],
//! [`crate::tipc::RequestBuilder`], ...) keep their HIPC part in one of these.

use zerocopy::byteorder::little_endian::U32;

use crate::buffer::{BufferAttribute, BufferDescriptor};
use crate::error::{Error, Section};
use crate::field::limits;
use crate::pointer::PointerDescriptor;
use crate::receive_list::{ReceiveListEntry, ReceiveListMode};
use crate::repr::MessageRepr;

/// The most C entries a message holds: receive-list count 15 means 13 entries
/// (§1.6).
pub(crate) const RECEIVE_LIST_MAX: usize = 13;

/// Sets a single-valued item; a second value is [`Error::GivenTwice`], never a
/// silent replacement.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    field: &'static str,
) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::GivenTwice { field });
    }
    *slot = Some(value);
    Ok(())
}

/// Checks a map-alias descriptor and pushes it onto its section's list.
fn push_buffer<const N: usize>(
    list: &mut Items<BufferDescriptor, N>,
    section: Section,
    address: u64,
    size: u64,
    attribute: BufferAttribute,
) -> Result<(), Error> {
    let d =
        BufferDescriptor::new(address, size, attribute).map_err(|e| e.at(section, list.len()))?;
    list.push(d, section.name())
}

/// A fixed-capacity list: what a builder holds of one section, without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Items<T, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> Items<T, N> {
    pub(crate) fn new() -> Self {
        Items {
            items: [T::default(); N],
            len: 0,
        }
    }
    /// Appends `item`; a full list is [`Error::BuilderFull`] naming `field`.
    pub(crate) fn push(&mut self, item: T, field: &'static str) -> Result<(), Error> {
        let slot = self
            .items
            .get_mut(self.len)
            .ok_or(Error::BuilderFull { field, max: N })?;
        *slot = item;
        self.len += 1;
        Ok(())
    }
    pub(crate) fn len(&self) -> usize {
        self.len
    }
    pub(crate) fn as_slice(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or(&[])
    }
}

/// A HIPC message to build, item by item, into fixed-capacity storage (no
/// allocation): the builder form of [`MessageRepr`].
///
/// Every method takes and returns the builder, so a message is one expression. A
/// value that does not fit is not dropped or truncated: the first such error is kept
/// (naming the field and the item's position, e.g. `x[1].address`) and returned by
/// [`MessageBuilder::repr`] or [`MessageBuilder::emit`]. A single-valued item
/// given twice (`raw`, `receive_list_mode`) is refused too ([`Error::GivenTwice`]),
/// rather than the second silently replacing the first.
///
/// The receive-list mode is, unless set with [`MessageBuilder::receive_list_mode`],
/// what libnx chooses: none without C entries, indexed with one entry per C entry
/// (mode `2 + n`, §1.6).
///
/// ```
/// use hipc::{BufferAttribute, Message, MessageBuilder};
/// let mut tls = [0u8; 0x100];
/// let len = MessageBuilder::new(4)
///     .copy_handle(0x1234)
///     .a(0x8000_1000, 0x2000, BufferAttribute::Ipc)
///     .c(0x43_2100_0000, 0x200)
///     .raw(&[0; 8])
///     .emit(&mut tls)?;
/// let msg = Message::new_checked(&tls[..len])?;
/// assert_eq!(msg.header().recv_list_count(), 3); // indexed, one entry
/// assert_eq!(msg.copy_handles()[0].get(), 0x1234);
/// // A mistake is an error naming the field, never a fix-up:
/// let err = MessageBuilder::new(4).c(0, 0x1_0000).emit(&mut tls).unwrap_err();
/// assert_eq!(err.to_string(), "c[0].size: value 0x10000 does not fit (largest is 0xffff)");
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MessageBuilder<'a> {
    tag: u16,
    pid: Option<u64>,
    copy_handles: Items<U32, { limits::COUNT_MAX }>,
    move_handles: Items<U32, { limits::COUNT_MAX }>,
    x: Items<PointerDescriptor, { limits::COUNT_MAX }>,
    a: Items<BufferDescriptor, { limits::COUNT_MAX }>,
    b: Items<BufferDescriptor, { limits::COUNT_MAX }>,
    w: Items<BufferDescriptor, { limits::COUNT_MAX }>,
    c: Items<ReceiveListEntry, RECEIVE_LIST_MAX>,
    mode: Option<ReceiveListMode>,
    raw: Option<&'a [u8]>,
    error: Option<Error>,
}

impl<'a> MessageBuilder<'a> {
    /// An empty message with `tag` (header word 0 bits 0..=15).
    pub fn new(tag: u16) -> Self {
        MessageBuilder {
            tag,
            pid: None,
            copy_handles: Items::new(),
            move_handles: Items::new(),
            x: Items::new(),
            a: Items::new(),
            b: Items::new(),
            w: Items::new(),
            c: Items::new(),
            mode: None,
            raw: None,
            error: None,
        }
    }

    /// Keeps the first error; later mistakes do not replace it.
    pub(crate) fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }

    /// Keeps `result`'s error, if any, as the first error (the layer builders'
    /// checks of their own items go through here).
    pub(crate) fn keep(self, result: Result<(), Error>) -> Self {
        match result {
            Ok(()) => self,
            Err(error) => self.fail(error),
        }
    }

    /// Runs `add` (check an item, push it) and keeps its error if it fails.
    fn add(mut self, add: impl FnOnce(&mut Self) -> Result<(), Error>) -> Self {
        if let Err(error) = add(&mut self) {
            self.error.get_or_insert(error);
        }
        self
    }

    /// Sends a PID slot; the kernel writes the sender's process id into it (§1.3).
    pub fn pid(mut self) -> Self {
        self.pid = Some(0);
        self
    }
    /// Adds a copy handle.
    pub fn copy_handle(self, handle: u32) -> Self {
        self.add(|m| m.copy_handles.push(U32::new(handle), "copy_handles"))
    }
    /// Adds a move handle.
    pub fn move_handle(self, handle: u32) -> Self {
        self.add(|m| m.move_handles.push(U32::new(handle), "move_handles"))
    }
    /// Adds an X descriptor (a buffer the kernel copies into the receiver's
    /// receive-list entry `index`, §1.9).
    pub fn x(self, address: u64, size: u64, index: u8) -> Self {
        self.add(|m| {
            let d = PointerDescriptor::new(address, size, index)
                .map_err(|e| e.at(Section::X, m.x.len()))?;
            m.x.push(d, "x")
        })
    }
    /// Adds an A descriptor (a buffer the receiver reads, §1.10).
    pub fn a(self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.add(|m| push_buffer(&mut m.a, Section::A, address, size, attribute))
    }
    /// Adds a B descriptor (a buffer the receiver writes, §1.10).
    pub fn b(self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.add(|m| push_buffer(&mut m.b, Section::B, address, size, attribute))
    }
    /// Adds a W descriptor (a buffer the receiver reads and writes, §1.10).
    pub fn w(self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.add(|m| push_buffer(&mut m.w, Section::W, address, size, attribute))
    }
    /// Adds a C receive-list entry (a buffer of the sender's where X data of the
    /// reply lands, §1.6).
    pub fn c(self, address: u64, size: u64) -> Self {
        self.add(|m| m.push_c(address, size))
    }
    /// Adds a C entry, reporting whether it was added.
    pub(crate) fn push_c(&mut self, address: u64, size: u64) -> Result<(), Error> {
        let entry = ReceiveListEntry::new(address, size)
            .map_err(|e| e.at(Section::ReceiveList, self.c.len()))?;
        self.c.push(entry, "c")
    }
    /// Sets the receive-list mode instead of the default (indexed, one entry per C
    /// entry). The entries added must be as many as the mode implies, or
    /// [`MessageBuilder::emit`] fails with [`Error::RecvListEntriesMismatch`].
    pub fn receive_list_mode(self, mode: ReceiveListMode) -> Self {
        self.add(|m| set_once(&mut m.mode, mode, "receive_list_mode"))
    }
    /// Sets the raw data (a whole number of words, §1.4).
    pub fn raw(self, raw: &'a [u8]) -> Self {
        self.add(|m| set_once(&mut m.raw, raw, "raw"))
    }

    /// The number of X descriptors so far (the next X's index in libnx's numbering).
    pub(crate) fn x_len(&self) -> usize {
        self.x.len()
    }
    /// The first error, if any.
    pub(crate) fn error(&self) -> Option<Error> {
        self.error
    }

    /// The receive-list mode the message will have.
    pub fn recv_list_mode(&self) -> ReceiveListMode {
        self.mode.unwrap_or(match self.c.len() {
            0 => ReceiveListMode::None,
            // At most 13 entries are held, so this is 1..=13.
            n => ReceiveListMode::Indexed {
                entries: u8::try_from(n).unwrap_or(u8::MAX),
            },
        })
    }

    /// The message as a [`MessageRepr`] borrowing the builder, or the first error
    /// met while adding items.
    pub fn repr(&self) -> Result<MessageRepr<'_>, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(MessageRepr {
            tag: self.tag,
            pid: self.pid,
            copy_handles: self.copy_handles.as_slice(),
            move_handles: self.move_handles.as_slice(),
            x: self.x.as_slice(),
            a: self.a.as_slice(),
            b: self.b.as_slice(),
            w: self.w.as_slice(),
            raw: self.raw.unwrap_or(&[]),
            recv_list_count: self.recv_list_mode().count(),
            c: self.c.as_slice(),
            ..MessageRepr::EMPTY
        })
    }

    /// Writes the message at the start of `buf` and returns its length
    /// ([`MessageRepr::emit`]), or the first error met while adding items.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.repr()?.emit(buf)
    }
}
