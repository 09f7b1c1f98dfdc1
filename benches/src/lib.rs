//! What the hipc benchmarks share: the message shapes (built once with the codec),
//! the work each benchmark times ([`decode_sum`], [`encode`], [`copy_hidden`]), the
//! naive parser they are compared with ([`naive`]) and the ratio report printed at
//! the end of a run ([`report`]). See `benches/README.md`.
//!
//! The benchmarks are `benches/benches/codec.rs` (`decode/*`, `encode/*`) and
//! `benches/benches/kernel.rs` (`translate/*`, `replay/*`); `tests/no_alloc.rs`
//! proves with a counting allocator that [`decode_sum`] and [`encode`] allocate
//! nothing.

pub mod naive;
pub mod report;

use std::hint::black_box;

use hipc::{
    BufferDescriptor, Error, Message, MessageRepr, PointerDescriptor, ReceiveListEntry, Sections,
    U32, cmif,
};

/// The client heap the shapes' X, A, B, W and C addresses point into (the kernel
/// benchmark maps it in the client process).
pub const CLIENT_HEAP: u64 = 0x0800_0000;
/// Size of [`CLIENT_HEAP`].
pub const CLIENT_HEAP_SIZE: u64 = 0x1_0000;
/// The size of the thread-local message buffer.
pub const TLS_SIZE: usize = 0x100;

/// One message shape: its field values and the bytes the codec emits for them.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The benchmark id's last part (`empty`, `cmif-small`, ...).
    pub name: &'static str,
    /// Header tag.
    pub tag: u16,
    /// The PID slot, when present.
    pub pid: Option<u64>,
    /// Copy handle words.
    pub copy_handles: Vec<U32>,
    /// Move handle words.
    pub move_handles: Vec<U32>,
    /// X descriptors.
    pub x: Vec<PointerDescriptor>,
    /// A descriptors.
    pub a: Vec<BufferDescriptor>,
    /// B descriptors.
    pub b: Vec<BufferDescriptor>,
    /// W descriptors.
    pub w: Vec<BufferDescriptor>,
    /// Raw data.
    pub raw: Vec<u8>,
    /// The receive-list count field.
    pub recv_list_count: u8,
    /// Receive-list entries.
    pub c: Vec<ReceiveListEntry>,
    /// The emitted message (exactly its length).
    pub bytes: Vec<u8>,
}

impl Shape {
    /// The representation [`MessageRepr::emit`] turns into [`Shape::bytes`].
    pub fn repr(&self) -> MessageRepr<'_> {
        MessageRepr {
            tag: self.tag,
            pid: self.pid,
            copy_handles: &self.copy_handles,
            move_handles: &self.move_handles,
            x: &self.x,
            a: &self.a,
            b: &self.b,
            w: &self.w,
            raw: &self.raw,
            recv_list_count: self.recv_list_count,
            c: &self.c,
            ..MessageRepr::EMPTY
        }
    }

    /// The nearest request the kernel accepts: move handles are refused in requests
    /// (InvalidCombination, kernel-semantics.md §4.3 step 6), so they become copy
    /// handles (same count, same size, same layout). `handles` replaces every handle
    /// word in order (copies then moves), so a kernel can be given handles that are
    /// valid in its client's table.
    pub fn as_legal_request(&self, handles: &[u32]) -> Shape {
        let mut shape = self.clone();
        shape.copy_handles = handles.iter().map(|&h| U32::new(h)).collect();
        shape.move_handles.clear();
        shape.bytes = emit_exact(&shape.repr());
        shape
    }

    /// Number of handle words (copy and move).
    pub fn handle_count(&self) -> usize {
        self.copy_handles.len() + self.move_handles.len()
    }
}

fn emit_exact(repr: &MessageRepr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 0x1000];
    let len = repr.emit(&mut buf).unwrap_or(0);
    buf.truncate(len);
    buf
}

fn ptr(index: u8, offset: u64, size: u64) -> PointerDescriptor {
    PointerDescriptor::new(CLIENT_HEAP + offset, size, index).unwrap_or_default()
}

fn buf(offset: u64, size: u64, mode: u8) -> BufferDescriptor {
    hipc::BufferAttribute::from_bits(mode)
        .and_then(|mode| BufferDescriptor::new(CLIENT_HEAP + offset, size, mode))
        .unwrap_or_default()
}

fn recv(offset: u64, size: u64) -> ReceiveListEntry {
    ReceiveListEntry::new(CLIENT_HEAP + offset, size).unwrap_or_default()
}

fn counting_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
}

fn shape(name: &'static str, tag: u16) -> Shape {
    Shape {
        name,
        tag,
        pid: None,
        copy_handles: Vec::new(),
        move_handles: Vec::new(),
        x: Vec::new(),
        a: Vec::new(),
        b: Vec::new(),
        w: Vec::new(),
        raw: Vec::new(),
        recv_list_count: 0,
        c: Vec::new(),
        bytes: Vec::new(),
    }
}

/// The five shapes of the benchmark ids, in order: `empty`, `cmif-small`,
/// `handles`, `buffers`, `tls-max`. Built once with the codec.
pub fn shapes() -> Vec<Shape> {
    // empty: type 4 and nothing else, 8 bytes.
    let empty = shape("empty", 4);

    // cmif-small: a CMIF request, command 17 with 8 argument bytes: 16 bytes of
    // padding budget, the SFCI header, the arguments (40 raw bytes, 48 in all).
    let mut cmif_small = shape("cmif-small", 4);
    let args = 0x0123_4567_89ab_cdefu64.to_le_bytes();
    let request = cmif::RequestRepr {
        command_id: 17,
        payload: &args,
        ..cmif::RequestRepr::EMPTY
    };
    let mut raw = vec![0u8; request.raw_len().unwrap_or(0)];
    let _ = request.write_raw(hipc::HEADER_SIZE, &mut raw);
    cmif_small.raw = raw;

    // handles: PID, 2 copy handles, 1 move handle, 16 raw bytes.
    let mut handles = shape("handles", 4);
    handles.pid = Some(0);
    handles.copy_handles = vec![U32::new(0x0001_0001), U32::new(0x0002_0002)];
    handles.move_handles = vec![U32::new(0x0003_0003)];
    handles.raw = counting_bytes(16, 0x10);

    // buffers: 2 X, 2 A, 1 B, receive-list mode 2 with one entry, 32 raw bytes.
    let mut buffers = shape("buffers", 4);
    buffers.x = vec![ptr(0, 0x0000, 0x40), ptr(1, 0x0100, 0x80)];
    buffers.a = vec![buf(0x1000, 0x1000, 0), buf(0x2000, 0x800, 1)];
    buffers.b = vec![buf(0x3000, 0x1000, 0)];
    buffers.raw = counting_bytes(32, 0x20);
    buffers.recv_list_count = 2;
    buffers.c = vec![recv(0x8000, 0x200)];

    // tls-max: every kind of section, exactly 0x100 bytes: header 8, special
    // header 4, PID 8, 2 copy and 2 move handles 16, 2 X 16, 2 A 24, 2 B 24, 1 W 12,
    // 128 raw bytes, receive-list mode 4 (two indexed entries) 16.
    let mut tls_max = shape("tls-max", 4);
    tls_max.pid = Some(0);
    tls_max.copy_handles = vec![U32::new(0x0001_0001), U32::new(0x0002_0002)];
    tls_max.move_handles = vec![U32::new(0x0003_0003), U32::new(0x0004_0004)];
    tls_max.x = vec![ptr(0, 0x0000, 0x40), ptr(1, 0x0100, 0x80)];
    tls_max.a = vec![buf(0x1000, 0x1000, 0), buf(0x2000, 0x800, 1)];
    tls_max.b = vec![buf(0x3000, 0x1000, 0), buf(0x5000, 0x400, 3)];
    tls_max.w = vec![buf(0x6000, 0x1000, 0)];
    tls_max.raw = counting_bytes(128, 0x40);
    tls_max.recv_list_count = 4;
    tls_max.c = vec![recv(0x8000, 0x200), recv(0x9000, 0x200)];

    let mut all = vec![empty, cmif_small, handles, buffers, tls_max];
    for s in &mut all {
        s.bytes = emit_exact(&s.repr());
    }
    all
}

/// Checks the message in `bytes` and reads every field of it (the tag, the PID,
/// each handle, each descriptor's address, size and index or mode, each raw word,
/// each receive-list entry's address and size) into a sum: the `decode/hipc` work.
/// The check is [`Sections::parse`]'s, the same as [`Message::new_checked`]'s, made
/// once: every section is then a typed slice, read with no further bounds check.
#[inline]
pub fn decode_sum(bytes: &[u8]) -> Result<u64, Error> {
    let msg = Sections::parse(bytes)?;
    let mut sum = u64::from(msg.header().tag());
    sum = sum.wrapping_add(msg.pid().unwrap_or(0));
    // Copy, then move handles in one loop: they are contiguous.
    for h in msg.handles() {
        sum = sum.wrapping_add(u64::from(h.get()));
    }
    for x in msg.x_descriptors() {
        sum = sum
            .wrapping_add(x.address())
            .wrapping_add(x.size())
            .wrapping_add(u64::from(x.index()));
    }
    // A, B and W in one loop: they are contiguous, in kernel order.
    for d in msg.map_alias_descriptors() {
        sum = sum
            .wrapping_add(d.address())
            .wrapping_add(d.size())
            .wrapping_add(u64::from(d.mode()));
    }
    for w in msg.raw_words() {
        sum = sum.wrapping_add(u64::from(w.get()));
    }
    for c in msg.receive_list() {
        sum = sum.wrapping_add(c.address()).wrapping_add(c.size());
    }
    Ok(sum)
}

/// Only [`Message::new_checked`]: the header read, every section's position
/// computed and proved inside `bytes`, the view handed to `black_box` so it is
/// built, and no field read. The `decode/hipc-check` work: the counterpart of
/// libnx's parse, which fills a struct of section pointers and counts.
#[inline]
pub fn decode_check(bytes: &[u8]) -> bool {
    match Message::new_checked(bytes) {
        Ok(msg) => {
            black_box(&msg);
            true
        }
        Err(_) => false,
    }
}

/// Reads the CMIF request of `bytes` (not a domain session): its command id and
/// every payload word, into a sum. The `decode/hipc-cmif` work.
#[inline]
pub fn decode_cmif_sum(bytes: &[u8]) -> Result<u64, Error> {
    let msg = Message::new_checked(bytes)?;
    let request = cmif::Request::new_checked(&msg, cmif::Session::Plain)?;
    let mut sum = u64::from(request.command_id().unwrap_or(0));
    for chunk in request.payload().chunks_exact(4) {
        let mut word = [0u8; 4];
        word.copy_from_slice(chunk);
        sum = sum.wrapping_add(u64::from(u32::from_le_bytes(word)));
    }
    Ok(sum)
}

/// Emits `repr` into `buf`: the `encode/hipc` work.
#[inline]
pub fn encode(repr: &MessageRepr<'_>, buf: &mut [u8]) -> Result<usize, Error> {
    repr.emit(buf)
}

/// Copies `src` into the start of `dst` with the length hidden from the compiler
/// (so it is a real `memcpy` call, not an unrolled fixed-size copy): the floor the
/// `decode/memcpy` and `encode/memcpy` baselines measure. Returns the length copied.
#[inline]
pub fn copy_hidden(src: &[u8], dst: &mut [u8]) -> usize {
    let len = black_box(src.len());
    match (src.get(..len), dst.get_mut(..len)) {
        (Some(s), Some(d)) => {
            d.copy_from_slice(s);
            len
        }
        _ => 0,
    }
}
