//! Hex text to bytes and back, as the `hipc` command and the vector files use it.
//!
//! Input is forgiving in the ways a paste is untidy: ASCII whitespace may appear
//! anywhere (between bytes, inside a byte, around the whole), and the digits may be
//! preceded by one `0x` / `0X` prefix (after any leading whitespace). Upper and lower
//! case digits are both accepted. Anything else is an error naming the offending
//! character and its position. Output is always lowercase with no separators.
//!
//! Hand-written rather than taken from the `hex` crate: the crate neither skips
//! whitespace nor accepts a prefix, so we would have to filter the input into a
//! copy first and would then lose the original positions for error messages. The
//! codec is a few dozen lines, with no dependency. Strings that are nothing but
//! digit pairs (the protocol's memory contents) take a table-driven path.

use std::fmt;

/// Why a hex string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HexError {
    /// A character that is neither a hex digit nor whitespace.
    InvalidChar {
        /// The character.
        ch: char,
        /// Its byte offset in the input (0-based).
        offset: usize,
    },
    /// An odd number of hex digits: the last byte is incomplete.
    OddLength {
        /// How many hex digits the input holds.
        digits: usize,
    },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HexError::InvalidChar { ch, offset } => write!(
                f,
                "invalid hex character {ch:?} at byte offset {offset} (expected 0-9, a-f, A-F or whitespace)"
            ),
            HexError::OddLength { digits } => write!(
                f,
                "odd number of hex digits ({digits}): the last byte is incomplete"
            ),
        }
    }
}

impl std::error::Error for HexError {}

/// Parses hex text into bytes, skipping ASCII whitespace anywhere and one optional
/// leading `0x` / `0X`.
///
/// ```
/// use hipc_conformance::hex::{decode, HexError};
/// assert_eq!(decode(" 0x04 00\n0A ff ").unwrap(), vec![4, 0, 10, 255]);
/// assert_eq!(decode("abc"), Err(HexError::OddLength { digits: 3 }));
/// assert_eq!(decode("0g"), Err(HexError::InvalidChar { ch: 'g', offset: 1 }));
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    // The common case, and the bulk of the out-of-process protocol's traffic (memory
    // contents): nothing but digit pairs. Anything else takes the general path below,
    // which also finds the error to report.
    if let Some(bytes) = decode_plain(text.as_bytes()) {
        return Ok(bytes);
    }
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let start = text.len() - trimmed.len();
    let (body, start) = match trimmed.get(..2) {
        Some("0x" | "0X") => (trimmed.get(2..).unwrap_or(""), start + 2),
        _ => (trimmed, start),
    };
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (i, ch) in body.char_indices() {
        if ch.is_ascii_whitespace() {
            continue;
        }
        let Some(nibble) = ch.to_digit(16) else {
            return Err(HexError::InvalidChar {
                ch,
                offset: start + i,
            });
        };
        digits += 1;
        // `to_digit(16)` is at most 15, so the cast is lossless.
        let nibble = nibble as u8;
        match high.take() {
            None => high = Some(nibble),
            Some(h) => out.push(h << 4 | nibble),
        }
    }
    if high.is_some() {
        return Err(HexError::OddLength { digits });
    }
    Ok(out)
}

/// Each byte's value as a hex digit, or [`NOT_DIGIT`].
// Built at compile time: an index out of range would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const DIGIT_VALUES: [u8; 256] = {
    let mut table = [NOT_DIGIT; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};
const NOT_DIGIT: u8 = 0xFF;

/// `digits` decoded when it is nothing but pairs of hex digits; `None` otherwise.
fn decode_plain(digits: &[u8]) -> Option<Vec<u8>> {
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = vec![0; digits.len() / 2];
    decode_pairs(digits, &mut out)?;
    Some(out)
}

/// Decodes `digits` (pairs of hex digits) into `out`, one byte per pair; `None`
/// when one is not a digit.
fn decode_pairs(digits: &[u8], out: &mut [u8]) -> Option<()> {
    let value = |c: u8| {
        DIGIT_VALUES
            .get(usize::from(c))
            .copied()
            .unwrap_or(NOT_DIGIT)
    };
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        if let &[high, low] = pair {
            let (high, low) = (value(high), value(low));
            // NOT_DIGIT has the high nibble set; a digit's value never does.
            bad |= high | low;
            *byte = high << 4 | (low & 0xF);
        }
    }
    (bad & 0xF0 == 0).then_some(())
}

/// The lowercase hex digits.
const LOWER_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Formats bytes as lowercase hex with no separators.
///
/// ```
/// assert_eq!(hipc_conformance::hex::encode(&[0x04, 0xab]), "04ab");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    // Built as bytes (one pass, no per-char UTF-8 encoding).
    let mut ascii = Vec::with_capacity(bytes.len() * 2);
    encode_to_bytes(bytes, &mut ascii);
    // Only ASCII digits were written, so this never fails.
    String::from_utf8(ascii).unwrap_or_default()
}

/// Appends the lowercase hex of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    out.push_str(&encode(bytes));
}

/// Appends the lowercase hex of `bytes` to `out`, as ASCII bytes: for writers that
/// build a line of text in a byte buffer.
pub fn encode_to_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len() * 2, 0);
    let digits = out.get_mut(start..).unwrap_or_default();
    for (pair, &b) in digits.chunks_exact_mut(2).zip(bytes) {
        if let Some(hex) = DIGIT_PAIRS.get(usize::from(b)) {
            pair.copy_from_slice(hex);
        }
    }
}

/// Each byte's two lowercase hex digits.
// Built at compile time: an index out of range would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const DIGIT_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [LOWER_DIGITS[b >> 4], LOWER_DIGITS[b & 0xF]];
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn plain_lower_and_upper() {
        assert_eq!(decode("0a0B").unwrap(), vec![0x0a, 0x0b]);
        assert_eq!(decode("DEADbeef").unwrap(), vec![0xde, 0xad, 0xbe, 0xef]);
    }

    #[test]
    fn empty_and_whitespace_only() {
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode(" \t\r\n").unwrap(), Vec::<u8>::new());
        assert_eq!(decode("0x").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn whitespace_anywhere() {
        assert_eq!(
            decode("\t 04 0\n0 00\r\n00 ").unwrap(),
            vec![0x04, 0x00, 0x00, 0x00]
        );
    }

    #[test]
    fn prefix() {
        assert_eq!(decode("0x0400").unwrap(), vec![4, 0]);
        assert_eq!(decode("  0X0400").unwrap(), vec![4, 0]);
        assert_eq!(decode("0x 04 00").unwrap(), vec![4, 0]);
        // Only one prefix, and only at the start.
        assert_eq!(
            decode("04 0x00"),
            Err(HexError::InvalidChar { ch: 'x', offset: 4 })
        );
        assert_eq!(
            decode("0x0x00"),
            Err(HexError::InvalidChar { ch: 'x', offset: 3 })
        );
    }

    #[test]
    fn odd_length() {
        let err = decode("040").unwrap_err();
        assert_eq!(err, HexError::OddLength { digits: 3 });
        assert!(err.to_string().contains("odd number of hex digits (3)"));
        assert_eq!(decode("0x 0 4 0"), Err(HexError::OddLength { digits: 3 }));
    }

    #[test]
    fn invalid_char_names_char_and_offset() {
        let err = decode("04 zz").unwrap_err();
        assert_eq!(err, HexError::InvalidChar { ch: 'z', offset: 3 });
        assert_eq!(
            err.to_string(),
            "invalid hex character 'z' at byte offset 3 (expected 0-9, a-f, A-F or whitespace)"
        );
        // Offsets are byte offsets into the original text, prefix included.
        assert_eq!(
            decode(" 0x0é"),
            Err(HexError::InvalidChar {
                ch: 'é', offset: 4
            })
        );
        // Non-ASCII whitespace is not whitespace here.
        assert!(decode("04\u{a0}00").is_err());
    }

    #[test]
    fn plain_pairs_and_the_general_path_agree() {
        // Digit pairs only (the fast path), and the same bytes with what only the
        // general path accepts or rejects.
        assert_eq!(decode("00ff7F80").unwrap(), vec![0, 0xff, 0x7f, 0x80]);
        assert_eq!(decode("0x00ff").unwrap(), vec![0, 0xff]);
        assert_eq!(decode("00 ff").unwrap(), vec![0, 0xff]);
        assert_eq!(
            decode("00fg"),
            Err(HexError::InvalidChar { ch: 'g', offset: 3 })
        );
        assert_eq!(
            decode("g0"),
            Err(HexError::InvalidChar { ch: 'g', offset: 0 })
        );
        let mut s = String::new();
        encode_into(&[1, 0xab], &mut s);
        encode_into(&[0xcd], &mut s);
        assert_eq!(s, "01abcd");
        let mut v = b"x".to_vec();
        encode_to_bytes(&[0, 0x7f, 0xff], &mut v);
        assert_eq!(v, b"x007fff");
    }

    #[test]
    fn encode_lowercase() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0x00, 0x0f, 0xf0, 0xff, 0xab]), "000ff0ffab");
    }

    #[test]
    fn round_trip_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(decode(&encode(&all).to_uppercase()).unwrap(), all);
    }

    #[test]
    fn the_table_path_agrees_with_from_str_radix_for_every_byte_in_every_position() {
        let base = *b"0123456789abcdefABCDEF00";
        for at in 0..base.len() {
            for b in 0..=255u8 {
                let mut text = base;
                text[at] = b;
                let expected: Option<Vec<u8>> = text
                    .chunks_exact(2)
                    .map(|pair| {
                        let pair = std::str::from_utf8(pair).ok()?;
                        // from_str_radix accepts a sign; hex digits only here.
                        pair.bytes()
                            .all(|c| c.is_ascii_hexdigit())
                            .then(|| u8::from_str_radix(pair, 16).ok())?
                    })
                    .collect();
                assert_eq!(decode_plain(&text), expected, "{b:#x} at {at}");
            }
        }
    }
}
