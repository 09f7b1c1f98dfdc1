//! The `kernel` target's input: the byte format [`KernelCase::from_bytes`] reads
//! (the table in the module docs of [`super`]) and `make-seeds` writes.

use hipc_conformance::explore::message_bytes;
use hipc_conformance::explore::world::PageConfig;
use hipc_conformance::kernel::MessageBuffer;

/// A message buffer choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Buffer {
    /// The thread's TLS buffer.
    #[default]
    Tls,
    /// A user buffer (any address and size: the kernel checks them).
    User {
        /// Address.
        address: u64,
        /// Size.
        size: u64,
    },
}

impl Buffer {
    pub(super) fn message_buffer(self) -> MessageBuffer {
        match self {
            Buffer::Tls => MessageBuffer::Tls,
            Buffer::User { address, size } => MessageBuffer::User { address, size },
        }
    }
}

/// One fuzz case of the `kernel` target.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct KernelCase {
    /// The client's buffer.
    pub client_buffer: Buffer,
    /// The server's buffer.
    pub server_buffer: Buffer,
    /// The special pages.
    pub pages: [PageConfig; 3],
    /// S's alias region is 0x10000 bytes (OutOfAddressSpace is reachable).
    pub small_alias: bool,
    /// S's handle capacity (at least 5, what the world needs), when limited.
    pub server_capacity: Option<u8>,
    /// The request's bytes.
    pub request: Vec<u8>,
    /// The server buffer's bytes before receiving.
    pub server: Vec<u8>,
    /// The reply's bytes, if the server replies.
    pub reply: Option<Vec<u8>>,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        if let Some((b, rest)) = self.0.split_first_chunk::<8>() {
            self.0 = rest;
            return u64::from_le_bytes(*b);
        }
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        u64::from_le_bytes(b)
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.u16()).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

impl KernelCase {
    /// Reads a case; never fails (missing bytes are zero).
    pub fn from_bytes(data: &[u8]) -> Self {
        let mut r = Reader(data);
        let flags = r.u8();
        let buffer = |user: bool, r: &mut Reader<'_>| {
            if user {
                Buffer::User {
                    address: r.u64(),
                    size: r.u64(),
                }
            } else {
                Buffer::Tls
            }
        };
        let client_buffer = buffer(flags & 1 != 0, &mut r);
        let server_buffer = buffer(flags & 2 != 0, &mut r);
        let mut pages = [PageConfig::default(); 3];
        for p in &mut pages {
            *p = PageConfig {
                state: r.u8(),
                permission: r.u8(),
                attributes: r.u8(),
            };
        }
        let server_capacity = (flags & 16 != 0).then(|| r.u8());
        let generated = flags & 32 != 0;
        let message = |r: &mut Reader<'_>| {
            let bytes = r.bytes();
            if generated {
                message_bytes::generate(&bytes)
            } else {
                bytes
            }
        };
        let request = message(&mut r);
        let server = message(&mut r);
        let reply = (flags & 4 != 0).then(|| message(&mut r));
        KernelCase {
            client_buffer,
            server_buffer,
            pages,
            small_alias: flags & 8 != 0,
            server_capacity,
            request,
            server,
            reply,
        }
    }

    /// Writes a case in the format [`KernelCase::from_bytes`] reads.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let user = |b: Buffer| matches!(b, Buffer::User { .. });
        let flags = u8::from(user(self.client_buffer))
            | u8::from(user(self.server_buffer)) << 1
            | u8::from(self.reply.is_some()) << 2
            | u8::from(self.small_alias) << 3
            | u8::from(self.server_capacity.is_some()) << 4;
        out.push(flags);
        for b in [self.client_buffer, self.server_buffer] {
            if let Buffer::User { address, size } = b {
                out.extend(address.to_le_bytes());
                out.extend(size.to_le_bytes());
            }
        }
        for p in self.pages {
            out.extend([p.state, p.permission, p.attributes]);
        }
        if let Some(c) = self.server_capacity {
            out.push(c);
        }
        let mut bytes = |b: &[u8]| {
            let n = b.len().min(usize::from(u16::MAX));
            out.extend((n as u16).to_le_bytes());
            out.extend(&b[..n]);
        };
        bytes(&self.request);
        bytes(&self.server);
        if let Some(reply) = &self.reply {
            bytes(reply);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `make-seeds` writes reads back as the same case (every field, with and
    /// without the optional parts).
    #[test]
    fn cases_read_back_what_was_written() {
        let page = |n: u8| PageConfig {
            state: n,
            permission: n + 1,
            attributes: n + 2,
        };
        let full = KernelCase {
            client_buffer: Buffer::User {
                address: 0x1000_0000,
                size: 0x2000,
            },
            server_buffer: Buffer::User {
                address: 0x2000_0000,
                size: 0x1000,
            },
            pages: [page(1), page(4), page(7)],
            small_alias: true,
            server_capacity: Some(3),
            request: vec![4, 0, 0, 0, 1, 0, 0, 0, 0xAA],
            server: vec![0; 16],
            reply: Some(vec![0, 0, 0, 0, 0, 0, 0, 0]),
        };
        let bare = KernelCase {
            request: vec![1, 2, 3],
            ..KernelCase::default()
        };
        for case in [full, bare, KernelCase::default()] {
            assert_eq!(KernelCase::from_bytes(&case.to_bytes()), case);
        }
        // Missing bytes read as zero: the empty input is the default case.
        assert_eq!(KernelCase::from_bytes(&[]), KernelCase::default());
    }
}
