//! A protocol-analyser view of a message: every field with its byte offset and value.

use core::fmt;

use zerocopy::IntoBytes;

use crate::message::Message;
use crate::tag::tag_name;

/// Displays a message field by field, one line per item, each with its byte offset,
/// its bytes and its decoded fields, the way a packet dissector shows a packet.
/// Made by [`Message::dissect`].
///
/// ```
/// let bytes = [4u8, 0, 0, 0, 0, 0, 0, 0];
/// let msg = hipc::Message::new_checked(&bytes[..])?;
/// let text = format!("{}", msg.dissect());
/// assert!(text.contains("type=4 (Request)"));
/// # Ok::<(), hipc::Error>(())
/// ```
pub struct Dissection<'m, T> {
    message: &'m Message<T>,
}

impl<T: AsRef<[u8]>> Message<T> {
    /// A field-by-field display of the message.
    pub fn dissect(&self) -> Dissection<'_, T> {
        Dissection { message: self }
    }
}

struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    /// Writes the bytes as `xx xx ...`, left-aligned and padded with spaces to the
    /// formatter's width, if any (a plain `write!` per byte would ignore `{:<36}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        let written = (self.0.len() * 3).saturating_sub(1);
        for _ in written..f.width().unwrap_or(0) {
            f.write_str(" ")?;
        }
        Ok(())
    }
}

fn line(
    f: &mut fmt::Formatter<'_>,
    offset: usize,
    name: fmt::Arguments<'_>,
    bytes: &[u8],
) -> fmt::Result {
    write!(
        f,
        "{offset:#06x}  {:<16} {:<36} ",
        alloc_free_name(name),
        Hex(bytes)
    )
}

/// Formats a short name into a fixed stack buffer so it can be padded (no allocation).
fn alloc_free_name(args: fmt::Arguments<'_>) -> NameBuf {
    use fmt::Write;
    let mut buf = NameBuf {
        bytes: [0; 24],
        len: 0,
    };
    let _ = buf.write_fmt(args);
    buf
}

struct NameBuf {
    bytes: [u8; 24],
    len: usize,
}

impl fmt::Write for NameBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

impl fmt::Display for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self
            .bytes
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        f.pad(s)
    }
}

impl<T: AsRef<[u8]>> fmt::Display for Dissection<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.message;
        writeln!(
            f,
            "HIPC message, {} bytes ({:#x})",
            m.message_len(),
            m.message_len()
        )?;
        header_lines(f, m)?;
        special_lines(f, m)?;
        descriptor_lines(f, m)?;
        raw_lines(f, m)?;
        receive_list_lines(f, m)?;
        let trailing = m.trailing_len();
        if trailing > 0 {
            writeln!(
                f,
                "{:#06x}  trailing: {trailing} bytes after the end of the message",
                m.message_len()
            )?;
        }
        Ok(())
    }
}

/// The two header words and their fields (wire-format.md §1.3, §1.4).
fn header_lines<T: AsRef<[u8]>>(f: &mut fmt::Formatter<'_>, m: &Message<T>) -> fmt::Result {
    let header = m.header();
    line(f, 0, format_args!("header.word0"), header.word0.as_bytes())?;
    writeln!(
        f,
        "type={} ({}) x={} a={} b={} w={}",
        header.tag(),
        tag_name(header.tag()),
        header.x_count(),
        header.a_count(),
        header.b_count(),
        header.w_count()
    )?;
    line(f, 4, format_args!("header.word1"), header.word1.as_bytes())?;
    writeln!(
        f,
        "raw_words={} recv_list_count={} ({}) recv_list_offset={} reserved={:#x} special_header={}",
        header.raw_words(),
        header.recv_list_count(),
        header.recv_list_mode().name(),
        header.recv_list_offset(),
        header.reserved(),
        header.has_special_header()
    )
}

/// The special header, the PID and the copy and move handles (wire-format.md §1.8).
fn special_lines<T: AsRef<[u8]>>(f: &mut fmt::Formatter<'_>, m: &Message<T>) -> fmt::Result {
    let layout = m.layout();
    let buf = m.buffer();
    let at = |r: core::ops::Range<usize>| buf.get(r).unwrap_or(&[]);
    if let (Some(range), Some(s)) = (layout.special_header_range(), m.special_header()) {
        line(
            f,
            range.start,
            format_args!("special_header"),
            at(range.clone()),
        )?;
        writeln!(
            f,
            "pid={} copy={} move={} reserved={:#x}",
            s.has_pid(),
            s.copy_count(),
            s.move_count(),
            s.reserved()
        )?;
    }
    if let (Some(range), Some(pid)) = (layout.pid(), m.pid()) {
        line(f, range.start, format_args!("pid"), at(range.clone()))?;
        writeln!(f, "{pid} ({pid:#x})")?;
    }
    let handles = [
        ("copy_handles", m.copy_handles(), layout.copy_handles()),
        ("move_handles", m.move_handles(), layout.move_handles()),
    ];
    for (name, list, range) in handles {
        for (i, h) in list.iter().enumerate() {
            line(
                f,
                range.start + 4 * i,
                format_args!("{name}[{i}]"),
                h.as_bytes(),
            )?;
            writeln!(f, "{:#010x}", h.get())?;
        }
    }
    Ok(())
}

/// The X descriptors, then the A, B and W descriptors (wire-format.md §1.9,
/// §1.10).
fn descriptor_lines<T: AsRef<[u8]>>(f: &mut fmt::Formatter<'_>, m: &Message<T>) -> fmt::Result {
    let layout = m.layout();
    for (i, x) in m.x_descriptors().iter().enumerate() {
        line(
            f,
            layout.x().start + 8 * i,
            format_args!("x[{i}]"),
            x.as_bytes(),
        )?;
        writeln!(
            f,
            "index={} address={:#x} size={:#x} reserved={:#x}",
            x.index(),
            x.address(),
            x.size(),
            x.reserved()
        )?;
    }
    let buffers = [
        ("a", m.a_descriptors(), layout.a()),
        ("b", m.b_descriptors(), layout.b()),
        ("w", m.w_descriptors(), layout.w()),
    ];
    for (name, list, range) in buffers {
        for (i, d) in list.iter().enumerate() {
            line(
                f,
                range.start + 12 * i,
                format_args!("{name}[{i}]"),
                d.as_bytes(),
            )?;
            writeln!(
                f,
                "address={:#x} size={:#x} mode={} ({:?}) reserved={:#x}",
                d.address(),
                d.size(),
                d.mode(),
                d.attribute(),
                d.reserved()
            )?;
        }
    }
    Ok(())
}

/// The raw data word by word (wire-format.md §1.12), with the ASCII of words that
/// are all printable (CMIF's "SFCI"/"SFCO" magic reads at a glance).
fn raw_lines<T: AsRef<[u8]>>(f: &mut fmt::Formatter<'_>, m: &Message<T>) -> fmt::Result {
    let start = m.layout().raw().start;
    for (i, word) in m.raw_words().iter().enumerate() {
        let bytes = word.as_bytes();
        line(f, start + 4 * i, format_args!("raw_words[{i}]"), bytes)?;
        write!(f, "{:#010x}", word.get())?;
        if bytes.iter().all(|b| b.is_ascii_graphic()) {
            f.write_str(" \"")?;
            for &b in bytes {
                write!(f, "{}", char::from(b))?;
            }
            f.write_str("\"")?;
        }
        writeln!(f)?;
    }
    Ok(())
}

/// The gap before a receive list placed further on, then its entries
/// (wire-format.md §1.7, §1.11).
fn receive_list_lines<T: AsRef<[u8]>>(f: &mut fmt::Formatter<'_>, m: &Message<T>) -> fmt::Result {
    let layout = m.layout();
    let gap = layout.gap();
    if !gap.is_empty() {
        let bytes = m.buffer().get(gap.clone()).unwrap_or(&[]);
        line(f, gap.start, format_args!("gap"), bytes)?;
        writeln!(
            f,
            "{} bytes before the receive list (not part of the message)",
            gap.len()
        )?;
    }
    for (i, c) in m.receive_list().iter().enumerate() {
        line(
            f,
            layout.receive_list().start + 8 * i,
            format_args!("c[{i}]"),
            c.as_bytes(),
        )?;
        writeln!(
            f,
            "address={:#x} size={:#x} reserved={:#x}",
            c.address(),
            c.size(),
            c.reserved()
        )?;
    }
    Ok(())
}
