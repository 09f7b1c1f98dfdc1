//! The CMIF request builder: libnx's `cmifMakeRequest` and `cmifRequest*` calls as
//! one checked expression (wire-format.md §2.1-§2.3, §2.5, §2.7, §2.8).

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{Immutable, IntoBytes};

use super::control::ControlCommand;
use super::domain::DomainRepr;
use super::request::RequestRepr;
use crate::buffer::BufferAttribute;
use crate::builder::{Items, MessageBuilder, RECEIVE_LIST_MAX, set_once};
use crate::error::Error;

/// The most in-objects a request carries: libstratosphere's limit (§2.10).
pub const IN_OBJECTS_MAX: usize = 8;

/// A CMIF request to build, one call per item, into fixed-capacity storage.
///
/// Each call is one libnx call: [`RequestBuilder::out_pointer`] adds the C entry, the
/// size-table entry and (through the entry count) the receive-list mode, as
/// `cmifRequestOutPointer` does; [`RequestBuilder::in_pointer`] numbers X indices as
/// `cmifRequestInPointer` does. A value that does not fit is kept as the first
/// error, naming its field (`c[0].size`, `x`, `domain.in_objects`), and returned by
/// [`RequestBuilder::emit`]; nothing is dropped, truncated or fixed up, and a
/// single-valued item (`in_data`, `token`, `domain`) given twice is
/// [`Error::GivenTwice`].
///
/// ```
/// use hipc::{BufferAttribute, Message, cmif};
/// let mut tls = [0u8; 0x100];
/// let len = cmif::RequestBuilder::new(5)
///     .in_data(&0x1122_3344_5566_7788u64)
///     .in_buffer(0x8000_1000, 0x2000, BufferAttribute::Ipc)
///     .out_pointer(0x43_2100_0000, 0x200)
///     .emit(&mut tls)?;
/// let msg = Message::new_checked(&tls[..len])?;
/// let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
/// assert_eq!(req.command_id(), Some(5));
/// assert_eq!(req.in_data::<u64>()?, 0x1122_3344_5566_7788);
/// assert_eq!(req.out_pointer_sizes(8, 1)?[0].get(), 0x200);
/// assert_eq!(msg.receive_list()[0].size(), 0x200);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestBuilder<'a> {
    message: MessageBuilder<'a>,
    command_id: u32,
    control: bool,
    token: Option<u32>,
    object_id: Option<u32>,
    in_data: Option<&'a [u8]>,
    in_objects: Items<U32, IN_OBJECTS_MAX>,
    out_pointer_sizes: Items<u16, RECEIVE_LIST_MAX>,
    /// What is left of the server's pointer buffer, when given: auto buffers choose
    /// by it (libnx `server_pointer_size`).
    pointer_buffer_left: Option<u64>,
}

impl<'a> RequestBuilder<'a> {
    /// A request (tag 4) for `command_id`, with nothing else yet.
    pub fn new(command_id: u32) -> Self {
        RequestBuilder {
            message: MessageBuilder::new(0),
            command_id,
            control: false,
            token: None,
            object_id: None,
            in_data: None,
            in_objects: Items::new(),
            out_pointer_sizes: Items::new(),
            pointer_buffer_left: None,
        }
    }
    /// A control request (tag 5, §2.7) for `command`.
    pub fn control(command: ControlCommand) -> Self {
        RequestBuilder {
            control: true,
            ..RequestBuilder::new(command.id())
        }
    }
    /// Sends the request to `object_id` of a domain (a domain SendMessage, §2.5).
    pub fn domain(mut self, object_id: u32) -> Self {
        let set = set_once(&mut self.object_id, object_id, "domain");
        self.check(set)
    }
    /// Adds a context token (tag 6 or 7, SFCI version 1, §2.8).
    pub fn token(mut self, token: u32) -> Self {
        let set = set_once(&mut self.token, token, "token");
        self.check(set)
    }
    /// The in-data: any plain-old-data value (`u64`, `[u8; 16]`, a `#[repr(C)]`
    /// struct deriving zerocopy's `IntoBytes` and `Immutable`), borrowed, its bytes
    /// as they lie in memory (little-endian on the Switch and on every host the
    /// examples run on).
    ///
    /// A struct needs no zerocopy dependency of its own, through [`crate::zerocopy`]:
    ///
    /// ```
    /// use hipc::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
    /// use hipc::{Message, cmif};
    ///
    /// #[derive(IntoBytes, FromBytes, Immutable, KnownLayout, Debug, PartialEq)]
    /// #[zerocopy(crate = "hipc::zerocopy")]
    /// #[repr(C)]
    /// struct OpenArgs {
    ///     title_id: u64,
    ///     flags: u32,
    ///     mode: u32,
    /// }
    ///
    /// let args = OpenArgs { title_id: 0x0100_0000_0000_1000, flags: 1, mode: 2 };
    /// let mut tls = [0u8; 0x100];
    /// cmif::RequestBuilder::new(8).in_data(&args).emit(&mut tls)?;
    /// let msg = Message::new_checked(&tls[..])?;
    /// let req = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
    /// assert_eq!(req.in_data::<OpenArgs>()?, args);
    /// # Ok::<(), hipc::Error>(())
    /// ```
    pub fn in_data<T: IntoBytes + Immutable + ?Sized>(mut self, data: &'a T) -> Self {
        let set = set_once(&mut self.in_data, data.as_bytes(), "in_data");
        self.check(set)
    }
    /// Keeps `result`'s error, if any, as the builder's first error.
    fn check(mut self, result: Result<(), Error>) -> Self {
        self.message = self.message.keep(result);
        self
    }
    /// Sends a PID slot (`send_pid`); the kernel writes the sender's process id.
    pub fn pid(mut self) -> Self {
        self.message = self.message.pid();
        self
    }
    /// Adds a copy handle (`cmifRequestHandle`).
    pub fn copy_handle(mut self, handle: u32) -> Self {
        self.message = self.message.copy_handle(handle);
        self
    }
    /// Adds a move handle.
    pub fn move_handle(mut self, handle: u32) -> Self {
        self.message = self.message.move_handle(handle);
        self
    }
    /// Adds an in-object id of a domain request (`cmifRequestObject`); a request
    /// without [`RequestBuilder::domain`] refuses it
    /// ([`Error::CmifObjectsWithoutDomain`]).
    pub fn in_object(mut self, object_id: u32) -> Self {
        let pushed = self
            .in_objects
            .push(U32::new(object_id), "domain.in_objects");
        self.check(pushed)
    }
    /// Adds an A descriptor (`cmifRequestInBuffer`).
    pub fn in_buffer(mut self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.message = self.message.a(address, size, attribute);
        self
    }
    /// Adds a B descriptor (`cmifRequestOutBuffer`).
    pub fn out_buffer(mut self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.message = self.message.b(address, size, attribute);
        self
    }
    /// Adds a W descriptor (`cmifRequestInOutBuffer`).
    pub fn inout_buffer(mut self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.message = self.message.w(address, size, attribute);
        self
    }
    /// Adds an X descriptor whose index is the number of X descriptors before it
    /// (`cmifRequestInPointer`).
    pub fn in_pointer(mut self, address: u64, size: u64) -> Self {
        // At most 15 X are held, so the index fits its 4 bits; a 16th is refused
        // by the push, not by a truncated index.
        let index = u8::try_from(self.message.x_len()).unwrap_or(u8::MAX);
        self.message = self.message.x(address, size, index);
        self.use_pointer_buffer(size)
    }
    /// Adds an out pointer whose size the server learns from the size table
    /// (`cmifRequestOutPointer`): a C entry and its u16 size-table entry (§2.3).
    pub fn out_pointer(mut self, address: u64, size: u64) -> Self {
        let added = self.message.push_c(address, size).and_then(|()| {
            // `push_c` refused any size above 0xFFFF.
            let size = u16::try_from(size).unwrap_or(u16::MAX);
            self.out_pointer_sizes.push(size, "out_pointer_sizes")
        });
        self.check(added).use_pointer_buffer(size)
    }
    /// Adds an out pointer of a size the command fixes
    /// (`cmifRequestOutFixedPointer`): a C entry only.
    pub fn out_fixed_pointer(mut self, address: u64, size: u64) -> Self {
        self.message = self.message.c(address, size);
        self.use_pointer_buffer(size)
    }

    /// The size of the server's pointer buffer (what QueryPointerBufferSize answers,
    /// §2.7), which [`RequestBuilder::in_auto_buffer`] and
    /// [`RequestBuilder::out_auto_buffer`] choose by; every pointer added uses part
    /// of it, as in libnx. Without it, auto buffers are always mapped.
    pub fn pointer_buffer_size(mut self, size: u16) -> Self {
        let set = set_once(
            &mut self.pointer_buffer_left,
            u64::from(size),
            "pointer_buffer_size",
        );
        self.check(set)
    }
    /// Adds an in auto-buffer (`cmifRequestInAutoBuffer`): an X descriptor and an A
    /// descriptor, one of them empty: the X when the data fits what is left of the
    /// server's pointer buffer, the A otherwise.
    pub fn in_auto_buffer(self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        if self.fits_pointer_buffer(size) {
            self.in_pointer(address, size).in_buffer(0, 0, attribute)
        } else {
            self.in_pointer(0, 0).in_buffer(address, size, attribute)
        }
    }
    /// Adds an out auto-buffer (`cmifRequestOutAutoBuffer`): an out-pointer (C entry
    /// and size-table entry) and a B descriptor, one of them empty, chosen as for
    /// [`RequestBuilder::in_auto_buffer`].
    pub fn out_auto_buffer(self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        if self.fits_pointer_buffer(size) {
            self.out_pointer(address, size).out_buffer(0, 0, attribute)
        } else {
            self.out_pointer(0, 0).out_buffer(address, size, attribute)
        }
    }
    fn fits_pointer_buffer(&self, size: u64) -> bool {
        self.pointer_buffer_left
            .is_some_and(|left| left != 0 && size <= left)
    }
    fn use_pointer_buffer(mut self, size: u64) -> Self {
        if let Some(left) = &mut self.pointer_buffer_left {
            *left = left.saturating_sub(size);
        }
        self
    }

    /// The CMIF part as a [`RequestRepr`] borrowing the builder. Errors:
    /// [`Error::CmifObjectsWithoutDomain`].
    pub fn repr(&self) -> Result<RequestRepr<'_>, Error> {
        let in_objects = self.in_objects.as_slice();
        let domain = match self.object_id {
            Some(object_id) => Some(DomainRepr {
                object_id,
                in_objects,
            }),
            None if !in_objects.is_empty() => {
                return Err(Error::CmifObjectsWithoutDomain {
                    count: in_objects.len(),
                });
            }
            None => None,
        };
        Ok(RequestRepr {
            command_id: self.command_id,
            control: self.control,
            token: self.token,
            domain,
            payload: self.in_data.unwrap_or(&[]),
            out_pointer_sizes: self.out_pointer_sizes.as_slice(),
        })
    }

    /// Writes the whole message at the start of `buf` and returns its length. Errors:
    /// the first mistake made while adding items, then those of
    /// [`RequestBuilder::repr`] and [`RequestRepr::emit`]; on error `buf` is
    /// unchanged.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if let Some(error) = self.message.error() {
            return Err(error);
        }
        let request = self.repr()?;
        let message = self.message.repr()?;
        request.emit(&message, buf)
    }
}
