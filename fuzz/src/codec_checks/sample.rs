//! Which inputs get the costly formatting checks: a sample, chosen by the bytes.

/// One input in [`SAMPLE`] (chosen by a hash of its bytes, so a crashing input
/// crashes again when replayed), or every input when `HIPC_FUZZ_FULL` is set in the
/// environment: whether [`check_decode`](super::check_decode) runs its formatting checks (the error's
/// text, the dissection, the message JSON) on these bytes.
///
/// Profiled (fuzz/README.md): rendering the dissection twice and the JSON round trip
/// took nine tenths of every exec, so the target ran ~10,000 exec/s; on a sample the
/// properties are the same, and the fuzzer spends its time on the codec.
pub fn formatting_sampled(bytes: &[u8]) -> bool {
    static FULL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *FULL.get_or_init(|| std::env::var_os("HIPC_FUZZ_FULL").is_some()) {
        return true;
    }
    // FNV-1a over every byte, eight at a time, and the length. Every byte counts:
    // a hash of the first and last 32 bytes alone let the fuzzer keep an input
    // sampled while it mutated the middle, and as the formatting code is coverage
    // the sampled inputs took over the corpus (formatting was again more than half
    // of every exec, fuzz/README.md).
    let (words, rest) = bytes.as_chunks::<8>();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    for word in words {
        hash = (hash ^ u64::from_le_bytes(*word)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &b in rest {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The high half: the low bits of a multiplicative hash mix poorly.
    ((hash >> 32) as u32).is_multiple_of(SAMPLE)
}

/// One input in this many gets [`check_decode`](super::check_decode)'s formatting checks.
pub const SAMPLE: u32 = 1024;
