//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use zerocopy::byteorder::little_endian::U32;

/// Decodes lowercase or uppercase hex (no separators).
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Encodes bytes as lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Little-endian bytes of a list of words (raw data).
pub fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Handle words.
pub fn handles(hs: &[u32]) -> Vec<U32> {
    hs.iter().copied().map(U32::new).collect()
}

/// "SFCI" as a little-endian word.
pub const SFCI: u32 = 0x4943_4653;
/// "SFCO" as a little-endian word.
pub const SFCO: u32 = 0x4F43_4653;

/// Emits `repr` into a buffer 0x40 bytes larger than needed and returns the
/// message bytes (checking that the bytes after the message are untouched).
pub fn emit(repr: &hipc::MessageRepr<'_>) -> Vec<u8> {
    let needed = repr.buffer_len().unwrap();
    let mut buf = vec![0xE7u8; needed + 0x40];
    let len = repr.emit(&mut buf).unwrap();
    assert_eq!(len, needed);
    assert!(
        buf[len..].iter().all(|&b| b == 0xE7),
        "emit wrote past the message"
    );
    buf.truncate(len);
    buf
}

/// Raw words of a parsed message as plain u32s.
pub fn raw_u32s<T: AsRef<[u8]>>(msg: &hipc::Message<T>) -> Vec<u32> {
    msg.raw_words().iter().map(|w| w.get()).collect()
}

/// Handle words as plain u32s.
pub fn u32s(ws: &[U32]) -> Vec<u32> {
    ws.iter().map(|w| w.get()).collect()
}
