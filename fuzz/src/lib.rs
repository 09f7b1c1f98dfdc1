//! Shared code of the hipc fuzz targets: the codec checks the `decode`, `roundtrip`
//! and `message_json` targets make, and the `kernel` target's input format, world and
//! checks ([`kernel_case`]), and the `scenario` target's checks of `hipc explore`'s
//! generated scenarios ([`scenario_case`]). `examples/make-seeds.rs` uses the same code to turn
//! `vectors/` into seed corpora.

pub mod codec_checks;
pub mod kernel_case;
pub mod scenario_case;
