//! Minimizing a failing case by its choice bytes ([`super::choices`]): shorter
//! and smaller bytes make a scenario with fewer steps, fewer sections, smaller sizes
//! and simpler values, because every generator reads a missing or zero byte as the
//! simplest choice. A candidate is kept when it still fails the same way (the
//! caller's predicate: same signature).

/// How many candidates a shrink may try.
pub const DEFAULT_BUDGET: usize = 1500;

/// Shrinks `bytes` while `still_fails` holds, trying at most `budget` candidates.
/// Passes, repeated until none makes progress: cut the tail, delete chunks of 8, 4,
/// 2 and 1 bytes, zero chunks, then lower single bytes (to 0, halved, minus one).
pub fn shrink(bytes: &[u8], budget: usize, mut still_fails: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let mut best = bytes.to_vec();
    let mut tries = 0usize;
    let mut attempt = |candidate: Vec<u8>, best: &mut Vec<u8>, tries: &mut usize| -> bool {
        if *tries >= budget || candidate == *best {
            return false;
        }
        *tries += 1;
        if still_fails(&candidate) {
            *best = candidate;
            true
        } else {
            false
        }
    };
    loop {
        let before = best.clone();
        // Cut the tail: halve while it still fails, then shorter steps.
        let mut len = best.len() / 2;
        while len > 0 {
            let cut = best
                .get(..best.len() - len)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            if !attempt(cut, &mut best, &mut tries) {
                len /= 2;
            }
        }
        for chunk in [8usize, 4, 2, 1] {
            let mut i = 0;
            while i < best.len() {
                let mut deleted = best.clone();
                deleted.drain(i..(i + chunk).min(best.len()));
                if !attempt(deleted, &mut best, &mut tries) {
                    i += chunk;
                }
            }
        }
        for chunk in [8usize, 4, 2] {
            let mut i = 0;
            while i < best.len() {
                let mut zeroed = best.clone();
                let end = (i + chunk).min(zeroed.len());
                zeroed.iter_mut().take(end).skip(i).for_each(|b| *b = 0);
                attempt(zeroed, &mut best, &mut tries);
                i += chunk;
            }
        }
        for i in 0..best.len() {
            for lower in [0u8, 1, 2] {
                let Some(&b) = best.get(i) else { break };
                let value = match lower {
                    0 => 0,
                    1 => b / 2,
                    _ => b.saturating_sub(1),
                };
                if value < b {
                    let mut smaller = best.clone();
                    if let Some(x) = smaller.get_mut(i) {
                        *x = value;
                    }
                    attempt(smaller, &mut best, &mut tries);
                }
            }
        }
        if best == before || tries >= budget {
            return best;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_one_byte_that_matters() {
        let input: Vec<u8> = (0..64).map(|i| (i * 37 + 11) as u8).collect();
        // Fails when some byte is at least 200.
        let out = shrink(&input, 10_000, |b| b.iter().any(|&x| x >= 200));
        assert_eq!(out, vec![200]);
    }
}
