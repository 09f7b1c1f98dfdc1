//! A straightforward HIPC parser, written the way one would by hand: a cursor over
//! the bytes, every field read in wire order with byteorder's `read_u32::<LE>()`,
//! bit fields pulled out with shifts and masks, everything stored in an owned
//! struct. The `decode/naive` benchmark compares [`crate::decode_sum`] with it.
//!
//! To compare parsing rather than `malloc`, the benchmark reuses one
//! [`NaiveMessage`] ([`NaiveMessage::parse_into`] clears its vectors, which keep
//! their capacity), so in steady state it allocates nothing either.
//! [`NaiveMessage::parse`] makes a fresh one (and allocates).

use std::io::{self, Cursor, Seek, SeekFrom};

use byteorder::{LittleEndian as LE, ReadBytesExt};

/// An X descriptor, decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NaivePointer {
    /// Receive-list index.
    pub index: u8,
    /// 39-bit address.
    pub address: u64,
    /// Size.
    pub size: u16,
}

/// An A/B/W descriptor, decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NaiveBuffer {
    /// 39-bit address.
    pub address: u64,
    /// 36-bit size.
    pub size: u64,
    /// Attribute.
    pub mode: u8,
}

/// A receive-list entry, decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NaiveReceive {
    /// 39-bit address.
    pub address: u64,
    /// Size.
    pub size: u16,
}

/// A whole message, decoded into owned fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NaiveMessage {
    /// Tag.
    pub tag: u16,
    /// Receive-list count field.
    pub recv_list_count: u8,
    /// Receive-list offset (words).
    pub recv_list_offset: u16,
    /// PID, when present.
    pub pid: Option<u64>,
    /// Copy handles.
    pub copy_handles: Vec<u32>,
    /// Move handles.
    pub move_handles: Vec<u32>,
    /// X descriptors.
    pub x: Vec<NaivePointer>,
    /// A descriptors.
    pub a: Vec<NaiveBuffer>,
    /// B descriptors.
    pub b: Vec<NaiveBuffer>,
    /// W descriptors.
    pub w: Vec<NaiveBuffer>,
    /// Raw data words.
    pub raw: Vec<u32>,
    /// Receive-list entries.
    pub c: Vec<NaiveReceive>,
}

fn bits(word: u32, shift: u32, width: u32) -> u32 {
    (word >> shift) & ((1 << width) - 1)
}

fn read_buffer(r: &mut Cursor<&[u8]>) -> io::Result<NaiveBuffer> {
    let size_low = r.read_u32::<LE>()?;
    let address_low = r.read_u32::<LE>()?;
    let w2 = r.read_u32::<LE>()?;
    Ok(NaiveBuffer {
        address: u64::from(address_low)
            | u64::from(bits(w2, 28, 4)) << 32
            | u64::from(bits(w2, 2, 3)) << 36,
        size: u64::from(size_low) | u64::from(bits(w2, 24, 4)) << 32,
        mode: bits(w2, 0, 2) as u8,
    })
}

impl NaiveMessage {
    /// Parses a fresh message.
    pub fn parse(bytes: &[u8]) -> io::Result<NaiveMessage> {
        let mut msg = NaiveMessage::default();
        msg.parse_into(bytes)?;
        Ok(msg)
    }

    /// Parses `bytes` into `self`, reusing its vectors.
    pub fn parse_into(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut r = Cursor::new(bytes);
        let w0 = r.read_u32::<LE>()?;
        let w1 = r.read_u32::<LE>()?;
        self.tag = bits(w0, 0, 16) as u16;
        let (nx, na, nb, nw) = (
            bits(w0, 16, 4),
            bits(w0, 20, 4),
            bits(w0, 24, 4),
            bits(w0, 28, 4),
        );
        let raw_words = bits(w1, 0, 10);
        self.recv_list_count = bits(w1, 10, 4) as u8;
        self.recv_list_offset = bits(w1, 20, 11) as u16;
        self.pid = None;
        self.copy_handles.clear();
        self.move_handles.clear();
        if bits(w1, 31, 1) != 0 {
            let special = r.read_u32::<LE>()?;
            if special & 1 != 0 {
                self.pid = Some(r.read_u64::<LE>()?);
            }
            for _ in 0..bits(special, 1, 4) {
                self.copy_handles.push(r.read_u32::<LE>()?);
            }
            for _ in 0..bits(special, 5, 4) {
                self.move_handles.push(r.read_u32::<LE>()?);
            }
        }
        self.x.clear();
        for _ in 0..nx {
            let w = r.read_u32::<LE>()?;
            let address_low = r.read_u32::<LE>()?;
            self.x.push(NaivePointer {
                index: bits(w, 0, 4) as u8,
                address: u64::from(address_low)
                    | u64::from(bits(w, 12, 4)) << 32
                    | u64::from(bits(w, 6, 3)) << 36,
                size: bits(w, 16, 16) as u16,
            });
        }
        self.a.clear();
        for _ in 0..na {
            self.a.push(read_buffer(&mut r)?);
        }
        self.b.clear();
        for _ in 0..nb {
            self.b.push(read_buffer(&mut r)?);
        }
        self.w.clear();
        for _ in 0..nw {
            self.w.push(read_buffer(&mut r)?);
        }
        self.raw.clear();
        for _ in 0..raw_words {
            self.raw.push(r.read_u32::<LE>()?);
        }
        let raw_end = r.position();
        if self.recv_list_offset != 0 {
            let at = u64::from(self.recv_list_offset) * 4;
            if at < raw_end {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "receive-list offset inside the message",
                ));
            }
            r.seek(SeekFrom::Start(at))?;
        }
        let entries = match self.recv_list_count {
            0 | 1 => 0,
            2 => 1,
            n => n - 2,
        };
        self.c.clear();
        for _ in 0..entries {
            let address_low = r.read_u32::<LE>()?;
            let w = r.read_u32::<LE>()?;
            self.c.push(NaiveReceive {
                address: u64::from(address_low) | u64::from(bits(w, 0, 7)) << 32,
                size: bits(w, 16, 16) as u16,
            });
        }
        Ok(())
    }

    /// The same sum [`crate::decode_sum`] computes, from the owned fields.
    pub fn sum(&self) -> u64 {
        let mut sum = u64::from(self.tag);
        sum = sum.wrapping_add(self.pid.unwrap_or(0));
        for &h in self.copy_handles.iter().chain(&self.move_handles) {
            sum = sum.wrapping_add(u64::from(h));
        }
        for x in &self.x {
            sum = sum
                .wrapping_add(x.address)
                .wrapping_add(u64::from(x.size))
                .wrapping_add(u64::from(x.index));
        }
        for d in self.a.iter().chain(&self.b).chain(&self.w) {
            sum = sum
                .wrapping_add(d.address)
                .wrapping_add(d.size)
                .wrapping_add(u64::from(d.mode));
        }
        for &w in &self.raw {
            sum = sum.wrapping_add(u64::from(w));
        }
        for c in &self.c {
            sum = sum.wrapping_add(c.address).wrapping_add(u64::from(c.size));
        }
        sum
    }
}
