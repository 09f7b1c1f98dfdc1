//! The TIPC reply builder (wire-format.md §3): the request's tag, a result word, the
//! out-data, handles.

use zerocopy::{Immutable, IntoBytes};

use super::ResponseRepr;
use crate::builder::{MessageBuilder, set_once};
use crate::error::Error;

/// A TIPC reply to build into fixed-capacity storage.
///
/// ```
/// use hipc::{Message, tipc};
/// let mut tls = [0u8; 0x100];
/// let len = tipc::ResponseBuilder::new(0x11).move_handle(0x1_0002).emit(&mut tls)?;
/// let msg = Message::new_checked(&tls[..len])?;
/// assert_eq!(tipc::Response::new_checked(&msg)?.result(), 0);
/// assert_eq!(msg.move_handles()[0].get(), 0x1_0002);
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseBuilder<'a> {
    message: MessageBuilder<'a>,
    tag: u16,
    result: Option<u32>,
    out_data: Option<&'a [u8]>,
}

impl<'a> ResponseBuilder<'a> {
    /// A successful reply to a request with `tag` (echoed, as libstratosphere does).
    pub fn new(tag: u16) -> Self {
        ResponseBuilder {
            message: MessageBuilder::new(0),
            tag,
            result: None,
            out_data: None,
        }
    }
    /// Sets the result (0 = success).
    pub fn result(mut self, result: u32) -> Self {
        let set = set_once(&mut self.result, result, "result");
        self.check(set)
    }
    /// Keeps `result`'s error, if any, as the builder's first error.
    fn check(mut self, result: Result<(), Error>) -> Self {
        self.message = self.message.keep(result);
        self
    }
    /// The out-data: any plain-old-data value, borrowed.
    pub fn out_data<T: IntoBytes + Immutable + ?Sized>(mut self, data: &'a T) -> Self {
        let set = set_once(&mut self.out_data, data.as_bytes(), "out_data");
        self.check(set)
    }
    /// Adds a copy handle.
    pub fn copy_handle(mut self, handle: u32) -> Self {
        self.message = self.message.copy_handle(handle);
        self
    }
    /// Adds a move handle (out-objects are move handles in TIPC).
    pub fn move_handle(mut self, handle: u32) -> Self {
        self.message = self.message.move_handle(handle);
        self
    }
    /// Writes the whole reply at the start of `buf` and returns its length. Errors:
    /// the first mistake made while adding items, then those of [`ResponseRepr::emit`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let message = self.message.repr()?;
        let response = ResponseRepr {
            tag: self.tag,
            result: self.result.unwrap_or(0),
            payload: self.out_data.unwrap_or(&[]),
        };
        response.emit(&message, buf)
    }
}
