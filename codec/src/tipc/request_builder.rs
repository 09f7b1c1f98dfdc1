//! The TIPC request builder: libnx's `tipcMakeRequest` and its item calls as one
//! checked expression (wire-format.md §3).

use zerocopy::{Immutable, IntoBytes};

use super::RequestRepr;
use crate::buffer::BufferAttribute;
use crate::builder::{MessageBuilder, set_once};
use crate::error::Error;

/// A TIPC method request to build into fixed-capacity storage: in-data, PID, handles,
/// A and B buffers. X, W and receive lists are not offered: a TIPC request never
/// carries them (§3).
///
/// ```
/// use hipc::{Message, tipc};
/// let mut tls = [0u8; 0x100];
/// // wire-format.md §6 Ex 6: sm GetServiceHandle("fsp-srv").
/// let len = tipc::RequestBuilder::new(1).in_data(b"fsp-srv\0").emit(&mut tls)?;
/// assert_eq!(&tls[..8], &[0x11, 0, 0, 0, 2, 0, 0, 0]);
/// let msg = Message::new_checked(&tls[..len])?;
/// assert_eq!(tipc::Request::new_checked(&msg)?.in_data::<[u8; 8]>()?, *b"fsp-srv\0");
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestBuilder<'a> {
    message: MessageBuilder<'a>,
    command_id: u16,
    in_data: Option<&'a [u8]>,
}

impl<'a> RequestBuilder<'a> {
    /// A request for method `command_id` (tag `command_id + 16`).
    pub fn new(command_id: u16) -> Self {
        RequestBuilder {
            message: MessageBuilder::new(0),
            command_id,
            in_data: None,
        }
    }
    /// The in-data: any plain-old-data value, borrowed.
    pub fn in_data<T: IntoBytes + Immutable + ?Sized>(mut self, data: &'a T) -> Self {
        let set = set_once(&mut self.in_data, data.as_bytes(), "in_data");
        self.message = self.message.keep(set);
        self
    }
    /// Sends a PID slot; the kernel writes the sender's process id.
    pub fn pid(mut self) -> Self {
        self.message = self.message.pid();
        self
    }
    /// Adds a copy handle.
    pub fn copy_handle(mut self, handle: u32) -> Self {
        self.message = self.message.copy_handle(handle);
        self
    }
    /// Adds a move handle.
    pub fn move_handle(mut self, handle: u32) -> Self {
        self.message = self.message.move_handle(handle);
        self
    }
    /// Adds an A descriptor (`tipcRequestInBuffer`).
    pub fn in_buffer(mut self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.message = self.message.a(address, size, attribute);
        self
    }
    /// Adds a B descriptor (`tipcRequestOutBuffer`).
    pub fn out_buffer(mut self, address: u64, size: u64, attribute: BufferAttribute) -> Self {
        self.message = self.message.b(address, size, attribute);
        self
    }
    /// Writes the whole message at the start of `buf` and returns its length. Errors:
    /// the first mistake made while adding items, then those of [`RequestRepr::emit`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let message = self.message.repr()?;
        let request = RequestRepr {
            command_id: self.command_id,
            payload: self.in_data.unwrap_or(&[]),
        };
        request.emit(&message, buf)
    }
}
