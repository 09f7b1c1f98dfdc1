//! The fill form of `map_memory` (PROTOCOL.md): a region's contents as a fill
//! byte and patches, made when shorter ([`compact_contents`]) and expanded by the
//! kernel's side ([`expand_fill`]).

use serde::{Deserialize, Serialize};

use super::MAX_FILL;

/// A `map_memory` fill byte: a JSON integer 0..=255. Anything else is refused
/// with a message naming `fill` (`fill 256 is out of range ...`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(transparent)]
pub struct Fill(pub u8);

impl<'de> Deserialize<'de> for Fill {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ByteVisitor;
        impl serde::de::Visitor<'_> for ByteVisitor {
            type Value = Fill;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a fill byte value (an integer 0..=255)")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Fill, E> {
                u8::try_from(v).map(Fill).map_err(|_| {
                    E::custom(format_args!(
                        "fill {v} is out of range: a byte value 0..=255 expected"
                    ))
                })
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Fill, E> {
                u8::try_from(v).map(Fill).map_err(|_| {
                    E::custom(format_args!(
                        "fill {v} is out of range: a byte value 0..=255 expected"
                    ))
                })
            }
        }
        deserializer.deserialize_any(ByteVisitor)
    }
}

/// Bytes written over a region's fill: `{"offset": u64, "bytes": hex}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// From the region's start.
    pub offset: u64,
    /// The bytes, hex.
    pub bytes: String,
}

/// A region's contents in the fill form: `fill` everywhere, then the `patches`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FillForm {
    /// The byte most of the region holds.
    pub fill: u8,
    /// Where it holds others (in address order, not overlapping).
    pub patches: Vec<Patch>,
}

/// A run of the fill byte shorter than this between two patches stays inside one
/// patch: a new patch costs about as many characters as this many bytes of hex.
const PATCH_GAP: usize = 16;
/// What a patch costs besides its hex digits: `{"offset":NNNNN,"bytes":""},`.
const PATCH_OVERHEAD: usize = 30;
/// The most patches the runner sends in one request (contents that would need
/// more go in the full form), so that a kernel can read them with fixed limits.
pub const MAX_PATCHES: usize = 64;

/// `contents` of a region of `size` bytes (the rest zero, as in the full form) in
/// the fill form, when that is shorter on the line than the full form's hex; `None`
/// when it is not (or `contents` does not fit the region: the full form then
/// carries it to the kernel, which refuses it).
///
/// The fill byte is the most frequent one of a sample; the patches are the
/// stretches of other bytes, merged across runs of the fill byte shorter than
/// [`PATCH_GAP`]. The scan stops as soon as the patches would be no shorter than
/// the full form (or more than [`MAX_PATCHES`]), so contents without a common
/// byte cost little.
pub fn compact_contents(contents: &[u8], size: u64) -> Option<FillForm> {
    let len = contents.len();
    if len as u64 > size || size > MAX_FILL {
        return None;
    }
    let fill = common_byte(contents, size);
    if fill != 0 && (len as u64) < size {
        // The zeros after `contents` would be one more (large) patch.
        return None;
    }
    let full = 2 * len;
    let mut cost = "\"fill\":255".len();
    let mut patches = Vec::new();
    let mut next = next_other(contents, 0, fill);
    while let Some(start) = next {
        let mut end = run_end(contents, start, fill);
        loop {
            next = next_other(contents, end, fill);
            match next {
                Some(n) if n - end < PATCH_GAP => end = run_end(contents, n, fill),
                _ => break,
            }
        }
        cost += PATCH_OVERHEAD + 2 * (end - start);
        if cost >= full || patches.len() == MAX_PATCHES {
            return None;
        }
        let bytes = contents.get(start..end).unwrap_or_default();
        patches.push(Patch {
            offset: start as u64,
            bytes: crate::hex::encode(bytes),
        });
    }
    (cost < full).then_some(FillForm { fill, patches })
}

/// The most frequent byte of `contents` followed by `size - contents.len()`
/// zeros, estimated from at most about 512 evenly spaced samples.
fn common_byte(contents: &[u8], size: u64) -> u8 {
    let stride = (contents.len() / 512).max(1);
    let mut counts = [0u64; 256];
    for &b in contents.iter().step_by(stride) {
        if let Some(count) = counts.get_mut(usize::from(b)) {
            *count += 1;
        }
    }
    if let Some(zeros) = counts.first_mut() {
        *zeros += size.saturating_sub(contents.len() as u64) / stride as u64;
    }
    let mut best = (0u8, 0u64);
    for (b, &count) in (0..=255u8).zip(counts.iter()) {
        if count > best.1 {
            best = (b, count);
        }
    }
    best.0
}

/// The first index at or after `from` whose byte is not `fill`.
fn next_other(bytes: &[u8], from: usize, fill: u8) -> Option<usize> {
    let rest = bytes.get(from..)?;
    // Eight bytes at a time through the long runs of the fill byte.
    let pattern = u64::from_ne_bytes([fill; 8]);
    let mut skipped = 0;
    for chunk in rest.chunks_exact(8) {
        match <[u8; 8]>::try_from(chunk) {
            Ok(word) if u64::from_ne_bytes(word) == pattern => skipped += 8,
            _ => break,
        }
    }
    rest.get(skipped..)?
        .iter()
        .position(|&b| b != fill)
        .map(|i| from + skipped + i)
}

/// The first index at or after `from` whose byte is `fill` (or the length).
fn run_end(bytes: &[u8], from: usize, fill: u8) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == fill))
        .map_or(bytes.len(), |i| from + i)
}

/// The contents a fill form gives a region of `size` bytes: `fill` throughout,
/// the patches written over it in order. With fill 0 only up to the end of the
/// last patch (the rest of the region is zero anyway, as in the full form).
/// Errors name what is wrong: a patch whose bytes are not hex or that does not
/// fit in the region, or more than [`MAX_FILL`] bytes to make.
pub fn expand_fill(size: u64, fill: u8, patches: &[Patch]) -> Result<Vec<u8>, String> {
    let too_large = || {
        format!(
            "fill: regions of at most {MAX_FILL:#x} bytes can be filled with a non-zero byte or patched"
        )
    };
    let mut bytes = if fill == 0 {
        Vec::new()
    } else {
        let n = usize::try_from(size)
            .ok()
            .filter(|&n| n as u64 <= MAX_FILL)
            .ok_or_else(too_large)?;
        vec![fill; n]
    };
    for (i, patch) in patches.iter().enumerate() {
        let data =
            crate::hex::decode(&patch.bytes).map_err(|e| format!("patches[{i}].bytes: {e}"))?;
        let end = patch
            .offset
            .checked_add(data.len() as u64)
            .filter(|&end| end <= size);
        let Some(end) = end else {
            return Err(format!(
                "patches[{i}]: {} bytes at offset {:#x} do not fit in the region's {size:#x} bytes",
                data.len(),
                patch.offset
            ));
        };
        if end > MAX_FILL {
            return Err(too_large());
        }
        // Both fit in usize: they are at most MAX_FILL.
        let (start, end) = (patch.offset as usize, end as usize);
        if bytes.len() < end {
            bytes.resize(end, fill);
        }
        if let Some(slot) = bytes.get_mut(start..end) {
            slot.copy_from_slice(&data);
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    fn whole(contents: &[u8], size: usize) -> Vec<u8> {
        let mut bytes = contents.to_vec();
        bytes.resize(size, 0);
        bytes
    }

    /// 8 pages of 0xee with `n` single bytes of 1, 64 bytes apart.
    fn many_patches(n: usize) -> Vec<u8> {
        let mut bytes = vec![0xee; 0x8000];
        for i in 0..n {
            bytes[i * 64] = 1;
        }
        bytes
    }

    #[test]
    fn the_fill_form_gives_back_the_contents_and_is_shorter_or_not_used() {
        let page = 0x1000;
        let mut patched = vec![0xc5; 6 * page];
        patched[0x1000..0x1010].copy_from_slice(&[0x10; 16]);
        patched[0x1018..0x1020].copy_from_slice(&[0x11; 8]); // merged: gap 8
        patched[0x2ff0..0x3000].copy_from_slice(&[0x30; 16]);
        patched[0x5fff] = 0; // at the very end
        let patched_size = patched.len();
        let mut sparse_zero = vec![0; 0x1810];
        sparse_zero[0x1800..].copy_from_slice(&[0xab; 16]);
        let random: Vec<u8> = (0..page as u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        /// Contents, region size, and the fill byte and patch count expected.
        type Case = (Vec<u8>, usize, Option<(u8, usize)>);
        let cases: Vec<Case> = vec![
            (vec![0xee; 2 * page], 2 * page, Some((0xee, 0))),
            (patched, patched_size, Some((0xc5, 3))),
            (sparse_zero, 2 * page, Some((0, 1))),
            (vec![0; page], page, Some((0, 0))),
            // Nothing to gain: empty, short, or no common byte.
            (Vec::new(), page, None),
            (vec![1, 2, 3, 4], page, None),
            (random, page, None),
            // A non-zero majority with zeros after the contents, or contents
            // larger than the region: the full form.
            (vec![0xee; page], 2 * page, None),
            (vec![0xee; 2 * page], page, None),
            // At most MAX_PATCHES patches.
            (
                many_patches(MAX_PATCHES),
                8 * page,
                Some((0xee, MAX_PATCHES)),
            ),
            (many_patches(MAX_PATCHES + 1), 8 * page, None),
        ];
        for (i, (contents, size, expected)) in cases.into_iter().enumerate() {
            let form = compact_contents(&contents, size as u64);
            assert_eq!(
                form.as_ref().map(|f| (f.fill, f.patches.len())),
                expected,
                "case {i}"
            );
            let Some(form) = form else { continue };
            let full = 2 * contents.len();
            let compact = serde_json::to_string(&form.patches).unwrap().len() + 12;
            assert!(compact < full, "case {i}: {compact} >= {full}");
            let expanded = expand_fill(size as u64, form.fill, &form.patches).unwrap();
            assert_eq!(whole(&expanded, size), whole(&contents, size), "case {i}");
            // Patches in order, apart, each starting and ending on a non-fill byte.
            let mut last_end = 0;
            for p in &form.patches {
                let bytes = crate::hex::decode(&p.bytes).unwrap();
                assert!(p.offset == 0 || p.offset as usize >= last_end);
                assert_ne!(bytes.first(), Some(&form.fill));
                assert_ne!(bytes.last(), Some(&form.fill));
                last_end = p.offset as usize + bytes.len();
            }
        }
    }

    #[test]
    fn fill_forms_that_do_not_fit_are_refused_with_the_reason() {
        let patch = |offset: u64, bytes: &str| Patch {
            offset,
            bytes: bytes.to_owned(),
        };
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0xffe, "0102"), patch(0, "")]).unwrap()[0xffc..],
            [7, 7, 1, 2]
        );
        assert_eq!(
            expand_fill(0x1000, 0, &[patch(2, "aa"), patch(2, "bb")]).unwrap(),
            [0, 0, 0xbb]
        );
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0xfff, "0102")]),
            Err(
                "patches[0]: 2 bytes at offset 0xfff do not fit in the region's 0x1000 bytes"
                    .to_owned()
            )
        );
        assert_eq!(
            expand_fill(0x1000, 7, &[patch(0, "01"), patch(u64::MAX, "01")]),
            Err("patches[1]: 1 bytes at offset 0xffffffffffffffff do not fit in the region's 0x1000 bytes".to_owned())
        );
        let bad_hex = expand_fill(0x1000, 0, &[patch(0, "0g")]).unwrap_err();
        assert!(bad_hex.starts_with("patches[0].bytes: "), "{bad_hex}");
        let huge = expand_fill(MAX_FILL + 0x1000, 1, &[]).unwrap_err();
        assert!(huge.starts_with("fill: regions of at most"), "{huge}");
        // A zero fill allocates nothing: any size is fine without patches.
        assert_eq!(expand_fill(u64::MAX, 0, &[]), Ok(Vec::new()));
    }
}
