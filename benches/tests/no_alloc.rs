//! Decoding and encoding allocate nothing: a counting `#[global_allocator]` sees
//! zero allocations while every shape is decoded with every field read
//! (`decode_sum`, and the CMIF view of `cmif-small`) and encoded (`encode`).
//!
//! One test function only, so no other test thread allocates while counting.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unsafe_code
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use hipc_benches::{TLS_SIZE, decode_cmif_sum, decode_sum, encode, shapes};

/// Counts allocations (and reallocations) made through it.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn decode_and_encode_allocate_nothing() {
    // Built (and allocated) before counting.
    let shapes = shapes();
    let reprs: Vec<_> = shapes.iter().map(|s| s.repr()).collect();
    let mut buf = [0u8; TLS_SIZE];
    let mut sums = [0u64; 5];
    let mut lens = [0usize; 5];
    // Warm up anything lazily initialised.
    for shape in &shapes {
        black_box(decode_sum(&shape.bytes).unwrap());
    }

    let decode = allocations_during(|| {
        for (sum, shape) in sums.iter_mut().zip(&shapes) {
            *sum = decode_sum(black_box(&shape.bytes)).unwrap();
        }
        black_box(decode_cmif_sum(black_box(&shapes[1].bytes)).unwrap());
    });
    let encode_count = allocations_during(|| {
        for (len, repr) in lens.iter_mut().zip(&reprs) {
            *len = encode(black_box(repr), &mut buf).unwrap();
        }
    });

    assert_eq!(decode, 0, "decode allocated");
    assert_eq!(encode_count, 0, "encode allocated");
    // The work was real: every shape decoded to a non-trivial sum and encoded to
    // its own length.
    for ((shape, sum), len) in shapes.iter().zip(sums).zip(lens) {
        assert!(sum > 0, "{}", shape.name);
        assert_eq!(len, shape.bytes.len(), "{}", shape.name);
    }
    // And the counter does count.
    let vec = allocations_during(|| {
        black_box(vec![0u8; 16]);
    });
    assert_eq!(vec, 1, "the counting allocator counts");
}
