//! The vector format, version 2 (vectors/README.md; version 1 files are still
//! read, [`migrate`]): files, codec tests, kernel scenarios, expressions and
//! message patterns, what a test needs of a kernel, and their loader.

pub mod codec_test;
pub mod expr;
pub mod file;
pub mod load;
pub mod migrate;
pub mod needs;
pub mod pattern;
pub mod scenario;
pub mod step;
pub mod uses;

pub use codec_test::{CodecTest, ExpectedError};
pub use expr::{Expr, ResultExpr, Wild};
pub use file::{
    FileKind, Group, RecordedFrom, SCHEMA_V1, SCHEMA_V2, SPEC_VERSION, Source, Test, VectorFile,
    Verdict,
};
pub use load::{LoadError, load_corpus, load_file, load_str, load_value, vector_paths};
pub use needs::Needs;
pub use pattern::{ItemPattern, MessagePattern, ReservedPattern};
pub use scenario::{
    BufferDecl, CallExpect, Contents, EventDecl, KernelTest, MemoryDecl, ObjectRef, ProcessDecl,
    ReturnExpect, SessionDecl, Setup, ThreadDecl,
};
pub use step::{
    CloseStep, CountHandlesStep, ExpectAccessStep, ExpectClientStep, ExpectEventStep,
    ExpectHandleCountStep, ExpectHandleStep, ExpectMappingStep, ExpectMemoryStep,
    ExpectMessageStep, ExpectNoIpcMappingsStep, ExpectWordsStep, ReplyAndReceiveStep,
    SendAsyncStep, SendStep, Step, WriteStep,
};
