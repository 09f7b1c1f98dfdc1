//! Conformance suite for the hipc codec (in progress).
