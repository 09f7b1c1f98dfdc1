//! Any bytes, any buffer size: `Message::new_checked` (and `Sections::parse`
//! agreeing with it, section for section and error for error), every accessor, the
//! dissection, the CMIF/TIPC views and the message JSON; when the bytes decode,
//! re-emitting gives the same bytes (gap zeroed, message-json.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hipc_fuzz::codec_checks::check_decode(data);
});
