//! An arbitrary `MessageRepr` (values possibly out of range): emit then parse gives
//! it back; what does not fit is refused, never truncated. The descriptor
//! constructors accept exactly the values that fit.
#![no_main]

use hipc::MessageRepr;
use hipc_fuzz::codec_checks::{FieldValues, check_constructors, check_roundtrip};

libfuzzer_sys::fuzz_target!(|input: (FieldValues, u8, MessageRepr<'_>)| {
    let (values, spare, repr) = input;
    check_constructors(values);
    check_roundtrip(&repr, usize::from(spare));
});
