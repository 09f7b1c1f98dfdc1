//! Arbitrary text as message JSON for `hipc encode`: an error or bytes, never a
//! panic; what encodes decodes back to the same message and the same bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        hipc_fuzz::codec_checks::check_message_json(text);
    }
});
