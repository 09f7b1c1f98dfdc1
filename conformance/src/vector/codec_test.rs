//! Codec tests: message JSON <-> bytes, and inputs that must be rejected
//! (vectors/README.md "Codec tests").

use serde::Deserialize;

use super::file::Verdict;

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
