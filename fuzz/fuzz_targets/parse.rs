//! Any bytes, any buffer size, as a user parses them: `Message::new_checked` and
//! `Sections::parse` (agreeing, error for error), every accessor, every field, the
//! CMIF and TIPC views. No allocation, no formatting: the fast target (fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hipc_fuzz::codec_checks::check_parse(data);
});
