//! Codec tests: message JSON <-> bytes, and inputs that must be rejected
//! (vectors/README.md "Codec tests").

use serde::Deserialize;

use super::file::Verdict;
use crate::layer_json::{LayerOptions, Protocol, SizeTableSpec};

/// One codec test.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodecTest {
    /// Stable id, unique across the corpus.
    pub id: String,
    /// What the test checks.
    pub comment: String,
    /// The spec section it comes from.
    pub source: Option<String>,
    /// The kernel-semantics.md §8 scenario it implements.
    pub scenario: Option<String>,
    /// Flags, each explained in the file's notes.
    pub flags: Vec<String>,
    /// valid, invalid or acceptable.
    pub result: Verdict,
    /// Hex of the bytes to decode.
    pub bytes: Option<String>,
    /// The message JSON. Kept as JSON: for `json` error tests it is deliberately
    /// not of the message shape, and the codec's own parser must judge it.
    pub message: Option<serde_json::Value>,
    /// Hex that encoding `message` must give, when it differs from `bytes`.
    pub encoded: Option<String>,
    /// The expected rejection.
    pub error: Option<ExpectedError>,
    /// The layer inside the raw data to decode and compare (vectors/README.md
    /// "Layer tests"); `None` for a plain HIPC test.
    pub layer: Option<LayerSpec>,
}

/// A codec test's `layer` key: which layer above HIPC to read, and how
/// (`hipc decode --cmif/--tipc [--domain] [--response] [--size-table D,N]`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// `"cmif"` or `"tipc"`.
    pub protocol: LayerProtocol,
    /// CMIF: the session is a domain.
    #[serde(default)]
    pub domain: bool,
    /// Read a response (`true`) or a request (`false`); absent: CMIF decides by the
    /// tag, TIPC reads a request.
    pub response: Option<bool>,
    /// CMIF requests: also read the u16 out-pointer size table.
    pub size_table: Option<SizeTableKey>,
}

/// `layer.protocol`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerProtocol {
    /// CMIF (wire-format.md §2).
    Cmif,
    /// TIPC (wire-format.md §3).
    Tipc,
}

/// `layer.size_table`: the command's in-data size and the number of entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeTableKey {
    /// The in-data size `D` in bytes, which fixes the table's position.
    pub data_size: usize,
    /// The number of u16 entries.
    pub count: usize,
}

impl LayerSpec {
    /// The decode options this key selects.
    pub fn options(&self) -> LayerOptions {
        LayerOptions {
            protocol: match self.protocol {
                LayerProtocol::Cmif => Protocol::Cmif,
                LayerProtocol::Tipc => Protocol::Tipc,
            },
            domain: self.domain,
            response: self.response,
            size_table: self.size_table.map(|t| SizeTableSpec {
                data_size: t.data_size,
                count: t.count,
            }),
        }
    }
}

/// An expected codec error.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// The error kind (`hipc::Error::kind`, or `json`).
    pub kind: String,
    /// The section it must name, when given.
    pub section: Option<String>,
    /// The field (JSON path) it must name, when given.
    pub field: Option<String>,
}
