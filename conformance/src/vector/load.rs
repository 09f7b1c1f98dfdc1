//! Loading vector files, with errors that name the file, the test id and the JSON
//! path of the offending value (vectors/README.md "Malformed files").

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::codec_test::CodecTest;
use super::file::{FileHeader, FileKind, Group, SCHEMA_V1, SCHEMA_V2, Test, VectorFile};
use super::migrate;
use super::needs::Needs;
use super::scenario::{KernelTest, shift_steps, unshift_step_path};

/// A problem with a vector file or one of its tests.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoadError {
    /// The file, as given.
    pub file: String,
    /// The test id, when the problem is inside a test that has one.
    pub test_id: Option<String>,
    /// The JSON path of the offending value (`groups[2].tests[5].steps[3].expect`).
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(id) = &self.test_id {
            write!(f, ": test {id}")?;
        }
        if let Some(path) = &self.path {
            write!(f, ": at {path}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

fn parse<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, (Option<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { None } else { Some(path) };
        (path, e.into_inner().to_string())
    })
}

/// Loads one vector file. A file-level problem is an `Err`; problems with single
/// tests are collected in [`VectorFile::errors`] and the other tests still load.
pub fn load_file(path: &Path) -> Result<VectorFile, LoadError> {
    let file = path.display().to_string();
    let error = |path: Option<String>, message: String| LoadError {
        file: file.clone(),
        test_id: None,
        path,
        message,
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| error(None, format!("cannot read: {e}")))?;
    load_str(&file, &text)
}

/// Loads a vector file from its text; `file` names it in errors.
pub fn load_str(file: &str, text: &str) -> Result<VectorFile, LoadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadError {
        file: file.to_string(),
        test_id: None,
        path: None,
        message: format!("not valid JSON: {e}"),
    })?;
    load_value(file, value)
}

/// Loads a vector file already parsed as JSON (a generator's output, which need
/// not go through text: `hipc explore`); `file` names it in errors.
pub fn load_value(file: &str, value: serde_json::Value) -> Result<VectorFile, LoadError> {
    let error = |path: Option<String>, message: String| LoadError {
        file: file.to_string(),
        test_id: None,
        path,
        message,
    };
    if let Some(schema) = value.get("schema").and_then(|s| s.as_str()) {
        if schema != SCHEMA_V1 && schema != SCHEMA_V2 {
            return Err(error(
                Some("schema".into()),
                format!(
                    "unknown schema {schema:?}: this runner reads {SCHEMA_V2:?} and {SCHEMA_V1:?}"
                ),
            ));
        }
    }
    let v1 = value.get("schema").and_then(|s| s.as_str()) == Some(SCHEMA_V1);
    let header: FileHeader = parse(value).map_err(|(path, message)| error(path, message))?;
    let mut groups = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (g, raw) in header.groups.into_iter().enumerate() {
        let mut tests = Vec::new();
        for (t, value) in raw.tests.into_iter().enumerate() {
            let at = format!("groups[{g}].tests[{t}]");
            let id = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
            let test_error = |path: Option<String>, message: String| LoadError {
                file: file.to_string(),
                test_id: id.clone(),
                path: Some(match path {
                    Some(p) => format!("{at}.{p}"),
                    None => at.clone(),
                }),
                message,
            };
            let parsed = match header.kind {
                FileKind::Codec => parse::<CodecTest>(value).map(|c| Test::Codec(Box::new(c))),
                FileKind::Kernel => load_kernel_test(value, v1),
            };
            let test = match parsed {
                Ok(test) => test,
                Err((path, message)) => {
                    errors.push(test_error(path, message));
                    continue;
                }
            };
            if let Some(flag) = test.flags().iter().find(|f| !header.notes.contains_key(*f)) {
                errors.push(test_error(
                    Some("flags".into()),
                    format!("flag {flag:?} is not explained in the file's notes"),
                ));
                continue;
            }
            if let Some(previous) = seen.insert(test.id().to_string(), at.clone()) {
                errors.push(test_error(
                    Some("id".into()),
                    format!("duplicate id: also used at {previous}"),
                ));
                continue;
            }
            tests.push(test);
        }
        groups.push(Group {
            name: raw.name,
            description: raw.description,
            source: raw.source,
            tests,
        });
    }
    Ok(VectorFile {
        path: file.to_string(),
        kind: header.kind,
        topic: header.topic,
        description: header.description,
        source: header.source,
        notes: header.notes,
        groups,
        errors,
    })
}

/// Parses one kernel test: v1 migrated to v2 first, v2 checked for what it
/// refuses, then its needs derived ([`Needs`]).
pub(crate) fn load_kernel_test(
    mut value: serde_json::Value,
    v1: bool,
) -> Result<Test, (Option<String>, String)> {
    if v1 {
        migrate::v1_to_v2(&mut value);
    } else {
        migrate::check_v2(&value).map_err(|(path, message)| (Some(path), message))?;
    }
    let needs = Needs::of(&value);
    shift_steps(&mut value);
    parse::<KernelTest>(value)
        .map(|mut k| {
            k.needs = needs;
            Test::Kernel(Box::new(k))
        })
        .map_err(|(path, message)| (path.map(|p| unshift_step_path(&p)), message))
}

/// Every `.json` file under the given paths (files are taken as given;
/// directories are walked recursively, skipping `schema/` and `tools/`), sorted.
pub fn vector_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
            file: dir.display().to_string(),
            test_id: None,
            path: None,
            message: format!("cannot read directory: {e}"),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name != "schema" && name != "tools" {
                    walk(&path, out)?;
                }
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort();
            out.extend(found);
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(LoadError {
                file: path.display().to_string(),
                test_id: None,
                path: None,
                message: "no such file or directory".into(),
            });
        }
    }
    Ok(out)
}

/// Loads every vector file under `paths`. Returns the files that loaded and every
/// problem found (file-level, test-level, and ids duplicated across files).
pub fn load_corpus(paths: &[PathBuf]) -> (Vec<VectorFile>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let list = match vector_paths(paths) {
        Ok(list) => list,
        Err(e) => return (files, vec![e]),
    };
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for path in list {
        match load_file(&path) {
            Ok(mut file) => {
                for group in &mut file.groups {
                    let path = file.path.clone();
                    group.tests.retain(|test| match ids.get(test.id()) {
                        Some(other) => {
                            errors.push(LoadError {
                                file: path.clone(),
                                test_id: Some(test.id().to_string()),
                                path: Some("id".into()),
                                message: format!("duplicate id: also used in {other}"),
                            });
                            false
                        }
                        None => {
                            ids.insert(test.id().to_string(), path.clone());
                            true
                        }
                    });
                }
                errors.append(&mut file.errors.clone());
                files.push(file);
            }
            Err(e) => errors.push(e),
        }
    }
    (files, errors)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const KERNEL: &str = r#"{"schema": "hipc-vectors/1", "kind": "kernel", "topic": "t", "description": "d",
      "source": {"spec": ["x"]}, "notes": {"F": "a flag"},
      "groups": [{"name": "g", "tests": [
        {"id": "ok-1", "comment": "c", "flags": ["F"], "result": "valid", "requires": ["tls-buffer"],
         "setup": {"processes": [{"name": "C"}]},
         "steps": [{"op": "send", "thread": "C", "session": "$s.client", "expect": "pending"}]},
        {"id": "bad-1", "comment": "c", "flags": [], "result": "valid",
         "setup": {}, "steps": [{"op": "send", "thread": "C", "session": "$s.client", "expect": {"result": "NoSuchResult"}}]},
        {"id": "bad-2", "comment": "c", "flags": ["G"], "result": "valid", "setup": {}, "steps": []}
      ]}]}"#;

    #[test]
    fn a_bad_test_names_file_id_and_path_and_the_rest_loads() {
        let file = load_str("k.json", KERNEL).map_err(|e| e.to_string());
        let file = match file {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(file.tests().count(), 1);
        assert_eq!(file.errors.len(), 2);
        let first = &file.errors[0];
        assert_eq!(first.test_id.as_deref(), Some("bad-1"));
        assert_eq!(
            first.path.as_deref(),
            Some("groups[0].tests[1].steps[0].expect")
        );
        assert!(first.message.contains("NoSuchResult"), "{}", first.message);
        assert_eq!(
            file.errors[1].path.as_deref(),
            Some("groups[0].tests[2].flags")
        );
    }

    #[test]
    fn unknown_schema_is_refused() {
        let text = KERNEL.replace("hipc-vectors/1", "hipc-vectors/9");
        let err = load_str("k.json", &text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown schema"), "{err}");
    }

    #[test]
    fn typos_are_errors() {
        let text = KERNEL.replace("\"expect\": \"pending\"", "\"expcet\": \"pending\"");
        let file = load_str("k.json", &text).map_err(|e| e.to_string());
        let errors = file.map(|f| f.errors).unwrap_or_default();
        assert!(
            errors
                .iter()
                .any(|e| e.test_id.as_deref() == Some("ok-1") && e.message.contains("expcet")),
            "{errors:?}"
        );
    }
}
