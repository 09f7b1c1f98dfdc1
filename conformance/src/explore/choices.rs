//! The source of every decision a generator makes: a byte string read front to
//! back, where a missing byte reads as zero and zero always means the simplest
//! choice (no item, the smallest size, the first option).
//!
//! Generating from bytes rather than from a random number generator directly is
//! what makes one generator serve three users: `hipc explore` feeds it bytes from a
//! seeded [`Rng`], the cargo-fuzz `scenario` target feeds it the fuzzer's input, and
//! the shrinker ([`super::shrink`]) minimizes a divergence by shortening and zeroing
//! the bytes, which by the rule above simplifies the scenario (the approach of
//! Hypothesis' "internal" shrinking).

/// Reads decisions from a byte string.
#[derive(Clone, Debug)]
pub struct Choices<'a> {
    bytes: &'a [u8],
}

impl<'a> Choices<'a> {
    /// Decisions read from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Choices { bytes }
    }

    /// The next byte (0 once the bytes run out).
    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    /// A number in `0..n` (0 when `n` is 0), from one byte (two when `n` > 256).
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let raw = if n > 256 {
            u32::from(u16::from_le_bytes([self.byte(), self.byte()]))
        } else {
            u32::from(self.byte())
        };
        raw % n
    }

    /// One of `options` (the first when the bytes run out).
    pub fn pick<T: Copy>(&mut self, options: &[T]) -> Option<T> {
        let n = u32::try_from(options.len()).unwrap_or(u32::MAX);
        options.get(self.below(n) as usize).copied()
    }

    /// True with probability `weight`/256 on random bytes; a zero byte is false, so
    /// shrinking turns optional things off.
    pub fn flag(&mut self, weight: u8) -> bool {
        let b = self.byte();
        b != 0 && b <= weight
    }

    /// True with probability about `weight`/256 on random bytes, false on a zero
    /// byte (like [`Choices::flag`], from the other end of the range). Used for
    /// the things a scenario usually does (a server usually receives), which random
    /// bytes should produce often and shrinking should still be able to remove.
    pub fn usually(&mut self, weight: u8) -> bool {
        let b = self.byte();
        b != 0 && b >= 255 - weight
    }

    /// A little-endian u32 from four bytes.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

/// SplitMix64: the seeded generator behind `--seed` (a deterministic stream of
/// bytes; the generator's quality matters little, its determinism a lot).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend(self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// The bytes of case `index` of a run with `seed`: each case has its own stream, so
/// a case can be regenerated alone from (seed, index).
pub fn case_bytes(seed: u64, index: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    rng.next_u64();
    rng.bytes(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhausted_bytes_choose_the_simplest() {
        let mut c = Choices::new(&[]);
        assert_eq!(c.below(7), 0);
        assert!(!c.flag(200));
        assert!(!c.usually(200));
        assert_eq!(c.pick(&[3, 4]), Some(3));
    }

    #[test]
    fn cases_are_deterministic_and_distinct() {
        assert_eq!(case_bytes(1, 2, 32), case_bytes(1, 2, 32));
        assert_ne!(case_bytes(1, 2, 32), case_bytes(1, 3, 32));
        assert_ne!(case_bytes(1, 2, 32), case_bytes(2, 2, 32));
    }
}
