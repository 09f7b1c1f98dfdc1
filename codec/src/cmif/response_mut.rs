//! A writable view of a CMIF response in place (wire-format.md §2.4, §2.6): what a
//! server fills after reserving a reply, or a proxy rewrites.

use zerocopy::FromBytes;
use zerocopy::byteorder::little_endian::U32;

use super::header::OutHeader;
use super::response::Response;
use super::session::Session;
use super::{HEADER_SIZE, PADDING_BUDGET};
use crate::error::Error;
use crate::message::Message;

/// A checked, writable view of a CMIF response inside a message's raw data.
///
/// Made by [`ResponseMut::new_checked`] with the checks of
/// [`Response::new_checked`]; it hands out the SFCO header (result, token), the
/// payload and the out-object ids for writing.
///
/// ```
/// use hipc::{Message, cmif};
/// let mut tls = [0u8; 0x100];
/// cmif::ResponseBuilder::new().out_data(&0u64).emit(&mut tls)?;
/// let mut msg = Message::new_checked(&mut tls[..])?;
/// let mut resp = cmif::ResponseMut::new_checked(&mut msg, cmif::Session::Plain)?;
/// resp.header_mut().result.set(0x2A2);
/// resp.payload_mut()[..8].copy_from_slice(&9u64.to_le_bytes());
/// let resp = cmif::Response::new_checked(&msg, cmif::Session::Plain)?;
/// assert_eq!((resp.result(), resp.out_data::<u64>()?), (0x2A2, 9));
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug)]
pub struct ResponseMut<'a> {
    header: &'a mut OutHeader,
    payload: &'a mut [u8],
    num_out_objects: usize,
    /// Bytes after the domain header (the CMIF region, §2.1), for the id bounds.
    region: usize,
    is_domain: bool,
}

impl<'a> ResponseMut<'a> {
    /// Views the CMIF response in `message`'s raw data for writing. Errors: those of
    /// [`Response::new_checked`].
    pub fn new_checked<T: AsRef<[u8]> + AsMut<[u8]>>(
        message: &'a mut Message<T>,
        session: Session,
    ) -> Result<Self, Error> {
        let response = Response::new_checked(message, session)?;
        let header_at = response
            .header_offset()
            .saturating_sub(response.raw_offset());
        let num_out_objects = response.num_out_objects() as usize;
        let raw = message.raw_mut();
        let too_small = Error::CmifRawTooSmall {
            needed: PADDING_BUDGET + 2 * HEADER_SIZE,
            available: raw.len(),
        };
        let region = raw.len().saturating_sub(PADDING_BUDGET + HEADER_SIZE);
        // `Response::new_checked` read this header, so the split cannot fail; the
        // error keeps the view free of panics all the same.
        let rest = raw.get_mut(header_at..).ok_or(too_small)?;
        let (header, payload) = OutHeader::mut_from_prefix(rest).map_err(|_| too_small)?;
        Ok(ResponseMut {
            header,
            payload,
            num_out_objects,
            region,
            is_domain: session.is_domain(),
        })
    }

    /// The SFCO header (result, token), writable.
    pub fn header_mut(&mut self) -> &mut OutHeader {
        self.header
    }
    /// The payload (as [`Response::payload`] delimits it), writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.payload
    }
    /// The out-object ids of a domain response, writable, for out data of
    /// `out_data_len` bytes (see [`Response::out_objects`]: that length is not on the
    /// wire, so only the bounds are checked). Empty outside a domain. Errors:
    /// [`Error::CmifDomainObjectsOutOfBounds`].
    pub fn out_objects_mut(&mut self, out_data_len: usize) -> Result<&mut [U32], Error> {
        if !self.is_domain || self.num_out_objects == 0 {
            return Ok(&mut []);
        }
        let ids_len = self.num_out_objects.saturating_mul(4);
        let needed = HEADER_SIZE
            .saturating_add(out_data_len)
            .saturating_add(ids_len);
        let error = Error::CmifDomainObjectsOutOfBounds {
            count: u32::try_from(self.num_out_objects).unwrap_or(u32::MAX),
            needed,
            available: self.region,
        };
        if needed > self.region {
            return Err(error);
        }
        let end = out_data_len.saturating_add(ids_len);
        let bytes = self.payload.get_mut(out_data_len..end).ok_or(error)?;
        <[U32]>::mut_from_bytes(bytes).map_err(|_| error)
    }
}
