//! Any bytes, any buffer size, as a user parses them: `Message::new_checked`, every
//! accessor, the typed slices, every field, the CMIF and TIPC views. No allocation,
//! no formatting: the fast target (fuzz/README.md). That `Sections::parse` agrees
//! with `new_checked` is `decode`'s property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hipc_fuzz::codec_checks::check_parse(data);
});
