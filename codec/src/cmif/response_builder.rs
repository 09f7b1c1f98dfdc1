//! The CMIF response builder: what libstratosphere's reply preparation writes
//! (wire-format.md §2.4, §2.6), one checked call per item.

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{Immutable, IntoBytes};

use super::response::ResponseRepr;
use crate::builder::{Items, MessageBuilder, set_once};

use crate::error::Error;

/// The most out-objects a reply carries: libstratosphere's limit (§2.10).
pub const OUT_OBJECTS_MAX: usize = 8;

/// A CMIF reply to build into fixed-capacity storage: result, typed out-data,
/// handles, and on a domain session the out-object ids.
///
/// ```
/// use hipc::{Message, cmif};
/// let mut tls = [0u8; 0x100];
/// let len = cmif::ResponseBuilder::new().out_data(&42u32).move_handle(0x1_0002).emit(&mut tls)?;
/// let msg = Message::new_checked(&tls[..len])?;
/// let resp = cmif::Response::new_checked(&msg, cmif::Session::Plain)?;
/// assert_eq!((resp.result(), resp.out_data::<u32>()?), (0, 42));
/// // Out-objects on a reply that is not a domain reply are refused:
/// let err = cmif::ResponseBuilder::new().out_object(3).emit(&mut tls).unwrap_err();
/// assert_eq!(err, hipc::Error::CmifObjectsWithoutDomain { count: 1 });
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseBuilder<'a> {
    message: MessageBuilder<'a>,
    result: u32,
    token: Option<u32>,
    domain: bool,
    out_data: Option<&'a [u8]>,
    out_objects: Items<U32, OUT_OBJECTS_MAX>,
}

impl Default for ResponseBuilder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> ResponseBuilder<'a> {
    /// A successful reply (result 0) with nothing else yet.
    pub fn new() -> Self {
        ResponseBuilder {
            message: MessageBuilder::new(0),
            result: 0,
            token: None,
            domain: false,
            out_data: None,
            out_objects: Items::new(),
        }
    }
    /// A failed reply: `result` and nothing else (what a server sends on error).
    pub fn error(result: u32) -> Self {
        ResponseBuilder {
            result,
            ..ResponseBuilder::new()
        }
    }
    /// The SFCO token (libstratosphere writes the interface's debug id).
    pub fn token(mut self, token: u32) -> Self {
        let set = set_once(&mut self.token, token, "token");
        self.check(set)
    }
    /// A reply on a domain session: a domain out-header comes first (§2.6).
    pub fn domain(mut self) -> Self {
        self.domain = true;
        self
    }
    /// The out-data: any plain-old-data value, borrowed (see
    /// [`super::RequestBuilder::in_data`]).
    pub fn out_data<T: IntoBytes + Immutable + ?Sized>(mut self, data: &'a T) -> Self {
        let set = set_once(&mut self.out_data, data.as_bytes(), "out_data");
        self.check(set)
    }
    /// Keeps `result`'s error, if any, as the builder's first error.
    fn check(mut self, result: Result<(), Error>) -> Self {
        self.message = self.message.keep(result);
        self
    }
    /// Adds a copy handle.
    pub fn copy_handle(mut self, handle: u32) -> Self {
        self.message = self.message.copy_handle(handle);
        self
    }
    /// Adds a move handle (an out-object on a plain session).
    pub fn move_handle(mut self, handle: u32) -> Self {
        self.message = self.message.move_handle(handle);
        self
    }
    /// Adds an out-object id of a domain reply; without
    /// [`ResponseBuilder::domain`] it is refused
    /// ([`Error::CmifObjectsWithoutDomain`]).
    pub fn out_object(mut self, object_id: u32) -> Self {
        let pushed = self
            .out_objects
            .push(U32::new(object_id), "domain.out_objects");
        self.check(pushed)
    }

    /// The CMIF part as a [`ResponseRepr`] borrowing the builder. Errors:
    /// [`Error::CmifObjectsWithoutDomain`].
    pub fn repr(&self) -> Result<ResponseRepr<'_>, Error> {
        let ids = self.out_objects.as_slice();
        if !self.domain && !ids.is_empty() {
            return Err(Error::CmifObjectsWithoutDomain { count: ids.len() });
        }
        Ok(ResponseRepr {
            result: self.result,
            token: self.token.unwrap_or(0),
            payload: self.out_data.unwrap_or(&[]),
            domain_out_objects: self.domain.then_some(ids),
        })
    }

    /// Writes the whole reply at the start of `buf` and returns its length. Errors:
    /// the first mistake made while adding items, then those of
    /// [`ResponseBuilder::repr`] and [`ResponseRepr::emit`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if let Some(error) = self.message.error() {
            return Err(error);
        }
        let response = self.repr()?;
        let message = self.message.repr()?;
        response.emit(&message, buf)
    }
}
