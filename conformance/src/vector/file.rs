//! A vector file: schema id, provenance, notes, groups of tests
//! (vectors/README.md "File", after Project Wycheproof's layout).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::codec_test::CodecTest;
use super::scenario::KernelTest;

/// The schema id of format version 1 (still read: see [`super::migrate`]).
pub const SCHEMA_V1: &str = "hipc-vectors/1";
/// The schema id of format version 2, the one this runner writes and the corpus
/// uses (vectors/README.md "Versioning").
pub const SCHEMA_V2: &str = "hipc-vectors/2";
/// The specification the corpus was written against (docs/spec/README.md): the
/// runner prints it with every report.
pub const SPEC_VERSION: &str = "hipc-spec/1";

/// What a test's input is, in Wycheproof's terms.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Legal input, handled successfully.
    Valid,
    /// Illegal input, rejected precisely.
    Invalid,
    /// Behaviour on which real kernels differ; gated by capabilities.
    Acceptable,
}

impl Verdict {
    /// The name as written in vectors.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Acceptable => "acceptable",
        }
    }
}

/// Which kind of tests a file holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Codec tests.
    Codec,
    /// Kernel scenarios.
    Kernel,
}

impl FileKind {
    /// The name as written in vectors and reports.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Codec => "codec",
            FileKind::Kernel => "kernel",
        }
    }
}

/// Where a file's expectations come from.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Spec sections.
    pub spec: Vec<String>,
    /// The kernel whose behaviour was recorded, for recorded files.
    pub recorded_from: Option<RecordedFrom>,
}

/// Provenance of a recorded file.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedFrom {
    /// Kernel name.
    pub kernel: String,
    /// Kernel version.
    pub version: String,
    /// When it was recorded.
    pub date: Option<String>,
}

/// The file-level keys, read before the tests (which are parsed one by one so that
/// one malformed test does not hide the others).
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHeader {
    /// [`SCHEMA_V2`] or [`SCHEMA_V1`].
    pub schema: String,
    /// Codec or kernel.
    pub kind: FileKind,
    /// Short topic name.
    pub topic: String,
    /// What the file covers.
    pub description: String,
    /// Provenance.
    pub source: Source,
    /// Flag name → meaning.
    pub notes: BTreeMap<String, String>,
    /// Groups, with their tests still as JSON.
    pub groups: Vec<RawGroup>,
}

/// A group whose tests are not parsed yet.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Group name.
    pub name: String,
    /// What the group covers.
    pub description: Option<String>,
    /// Spec section for the group.
    pub source: Option<String>,
    /// The tests, as JSON.
    pub tests: Vec<serde_json::Value>,
}

/// One parsed test.
#[derive(Clone, PartialEq, Debug)]
pub enum Test {
    /// A codec test.
    Codec(Box<CodecTest>),
    /// A kernel scenario.
    Kernel(Box<KernelTest>),
}

impl Test {
    /// The test's id.
    pub fn id(&self) -> &str {
        match self {
            Test::Codec(t) => &t.id,
            Test::Kernel(t) => &t.id,
        }
    }
    /// The test's comment.
    pub fn comment(&self) -> &str {
        match self {
            Test::Codec(t) => &t.comment,
            Test::Kernel(t) => &t.comment,
        }
    }
    /// The test's verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            Test::Codec(t) => t.result,
            Test::Kernel(t) => t.result,
        }
    }
    /// The test's flags.
    pub fn flags(&self) -> &[String] {
        match self {
            Test::Codec(t) => &t.flags,
            Test::Kernel(t) => &t.flags,
        }
    }
    /// Codec or kernel.
    pub fn kind(&self) -> FileKind {
        match self {
            Test::Codec(_) => FileKind::Codec,
            Test::Kernel(_) => FileKind::Kernel,
        }
    }
}

/// A group of parsed tests.
#[derive(Clone, PartialEq, Debug)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// What the group covers.
    pub description: Option<String>,
    /// Spec section for the group.
    pub source: Option<String>,
    /// Tests that parsed.
    pub tests: Vec<Test>,
}

/// A loaded vector file. Tests that failed to parse are in `errors`, the rest in
/// `groups`: a malformed test never hides its neighbours.
#[derive(Clone, PartialEq, Debug)]
pub struct VectorFile {
    /// The path it was loaded from, as given.
    pub path: String,
    /// Codec or kernel.
    pub kind: FileKind,
    /// Short topic name.
    pub topic: String,
    /// What the file covers.
    pub description: String,
    /// Provenance.
    pub source: Source,
    /// Flag name → meaning.
    pub notes: BTreeMap<String, String>,
    /// Groups of parsed tests.
    pub groups: Vec<Group>,
    /// Tests that could not be parsed.
    pub errors: Vec<super::load::LoadError>,
}

impl VectorFile {
    /// Every parsed test, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.groups.iter().flat_map(|g| g.tests.iter())
    }
}
