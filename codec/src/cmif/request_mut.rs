//! A writable view of a CMIF request in place (wire-format.md §2.2, §2.5): what a
//! proxy or a kernel-side tool edits without re-emitting the message.

use core::ops::Range;

use zerocopy::byteorder::little_endian::U32;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

use super::header::InHeader;
use super::request::Request;
use super::session::Session;
use crate::error::Error;
use crate::message::Message;

/// A checked, writable view of a CMIF request inside a message's raw data.
///
/// Made by [`RequestMut::new_checked`] with the same checks as
/// [`Request::new_checked`]; it hands out the SFCI header, the domain target object,
/// the payload and the in-object ids for writing. The layout is fixed when the view
/// is made: the sizes (`data_size`, `num_in_objects`) are not offered for writing,
/// because changing them moves what follows; build a new request for that.
///
/// ```
/// use hipc::{Message, cmif};
/// let mut tls = [0u8; 0x100];
/// cmif::RequestBuilder::new(1).domain(3).in_data(&7u32).in_object(5).emit(&mut tls)?;
/// let mut msg = Message::new_checked(&mut tls[..])?;
/// let mut req = cmif::RequestMut::new_checked(&mut msg, cmif::Session::Domain)?;
/// req.header_mut().expect("a SendMessage").command_id.set(2);
/// req.in_objects_mut()[0].set(6); // a proxy renumbering objects
/// req.payload_mut()[0] = 8;
/// let req = cmif::Request::new_checked(&msg, cmif::Session::Domain)?;
/// assert_eq!((req.command_id(), req.in_data::<u32>()?), (Some(2), 8));
/// assert_eq!(req.domain().map(|d| d.in_object(0)), Some(Some(6)));
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug)]
pub struct RequestMut<'a> {
    raw: &'a mut [u8],
    header: Option<usize>,
    domain_header: Option<usize>,
    payload: Range<usize>,
    in_objects: Range<usize>,
}

impl<'a> RequestMut<'a> {
    /// Views the CMIF request in `message`'s raw data for writing. Errors: those of
    /// [`Request::new_checked`].
    pub fn new_checked<T: AsRef<[u8]> + AsMut<[u8]>>(
        message: &'a mut Message<T>,
        session: Session,
    ) -> Result<Self, Error> {
        let request = Request::new_checked(message, session)?;
        let r = request.raw_offset();
        // Offsets from the message start, at or after the raw data start `r`.
        let header = request.header_offset().map(|at| at.saturating_sub(r));
        let payload_start = request.payload_offset().saturating_sub(r);
        let payload = payload_start..payload_start + request.payload().len();
        let (domain_header, in_objects) = match request.domain() {
            Some(d) => {
                let start = d.in_objects_raw_offset();
                let ids = start..start + 4 * d.in_objects().len();
                (Some(request.padding()), ids)
            }
            None => (None, 0..0),
        };
        Ok(RequestMut {
            raw: message.raw_mut(),
            header,
            domain_header,
            payload,
            in_objects,
        })
    }

    /// The SFCI header, writable; `None` for a domain Close, which has none.
    pub fn header_mut(&mut self) -> Option<&mut InHeader> {
        let at = self.header?;
        at_mut(self.raw, at)
    }
    /// The domain header's target object id, writable; `None` outside a domain.
    pub fn object_id_mut(&mut self) -> Option<&mut U32> {
        // The object id is the domain header's second word (§2.5).
        let at = self.domain_header? + 4;
        at_mut(self.raw, at)
    }
    /// The payload (as [`Request::payload`] delimits it), writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.raw.get_mut(self.payload.clone()).unwrap_or(&mut [])
    }
    /// The in-object ids of a domain SendMessage, writable (empty otherwise).
    pub fn in_objects_mut(&mut self) -> &mut [U32] {
        let bytes = self.raw.get_mut(self.in_objects.clone()).unwrap_or(&mut []);
        <[U32]>::mut_from_bytes(bytes).unwrap_or(&mut [])
    }
}

/// A writable `H` at byte `at` of `raw` (checked in bounds by the view's parse).
fn at_mut<H: FromBytes + IntoBytes + KnownLayout>(raw: &mut [u8], at: usize) -> Option<&mut H> {
    H::mut_from_prefix(raw.get_mut(at..)?).ok().map(|(h, _)| h)
}
