//! The writable header of a checked message (wire-format.md §1.3): the tag only.

use zerocopy::IntoBytes;

use crate::header::Header;
use crate::layout::Layout;

/// The header of a [`crate::Message`] over a writable buffer, from
/// [`crate::Message::header_mut`].
///
/// Only the tag can be written: every other header field says where the sections
/// lie, and changing one would make the checked layout a lie (build a new message
/// with [`crate::MessageRepr`] or [`crate::MessageBuilder`] for that). The tag is
/// what a kernel or server rewrites in place (a reply's tag, §1.5).
///
/// ```
/// use hipc::{Message, MessageBuilder};
/// let mut tls = [0u8; 0x100];
/// MessageBuilder::new(4).raw(&[0; 8]).emit(&mut tls)?;
/// let mut msg = Message::new_checked(&mut tls[..])?;
/// msg.header_mut().set_tag(0);
/// assert_eq!(msg.header().tag(), 0);
/// assert_eq!(msg.header().raw_words(), 2); // the rest is unchanged
/// # Ok::<(), hipc::Error>(())
/// ```
#[derive(Debug)]
pub struct HeaderMut<'a> {
    bytes: &'a mut [u8],
    layout: &'a mut Layout,
}

impl<'a> HeaderMut<'a> {
    /// The header bytes (the first 8 of a checked message) and its layout.
    pub(crate) fn new(bytes: &'a mut [u8], layout: &'a mut Layout) -> Self {
        HeaderMut { bytes, layout }
    }
    /// The header as it is now.
    pub fn get(&self) -> Header {
        self.layout.header()
    }
    /// Replaces the tag in the buffer (and in the message's view of it).
    pub fn set_tag(&mut self, tag: u16) {
        let header = self.layout.header().with_tag(tag);
        if let Some(dst) = self.bytes.get_mut(..8) {
            dst.copy_from_slice(header.as_bytes());
        }
        *self.layout = Layout::new(header, self.layout.special_header().unwrap_or_default());
    }
}
