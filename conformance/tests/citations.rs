//! Every citation of the specification in the repository resolves.
//!
//! The test walks the git-tracked text files of the repository (`git ls-files`; without
//! git, a directory walk that skips `target/`, `.git/` and the fuzzer's `fuzz/corpus/`,
//! `fuzz/artifacts/` and `fuzz/coverage/`), finds every citation of a Markdown document
//! and checks that the document and the place cited exist. It reports every bad
//! citation at once, as `file:line: citation: why`. It also checks that no file
//! refers to the specification's old location outside the repository (a sibling
//! `shared` directory).
//!
//! # What a citation is
//!
//! The forms are those of `docs/spec/README.md`:
//!
//! * `wire-format.md §1.10`: a heading `### 1.10 …` (`§1` is `## 1. …`). A range
//!   (`§4.6-4.8`, `§1.2-§1.11`, `§1-6`) must have both ends; `§§1, 4 and 5` names
//!   each section in the list.
//! * `§N.M` that is not a heading, in a section `§N` without subsections, is item M of
//!   the numbered list of §N (`wire-format.md §7.3`).
//! * After the section: `step N` / `steps N, M and K` / `steps N-M` must be numbered
//!   items `N.` in that section; `row N` / `rows N, M` must be table rows whose first
//!   cell is `N`; `#N` (`kernel-semantics.md §8 #51a`, `wire-format.md §1.14 #5`,
//!   `kernel-semantics.md §7 #38`), `check N`, `item N`, `point N` and `scenario N`
//!   may be either (kernel-semantics.md §1.2 numbers its checks in a table, wire-format.md
//!   §1.14 in a list).
//! * `§6 Ex N` (also `Ex N to Ex M`, `(Ex N through Ex M)`) must be a heading
//!   `### Ex N: …` inside that section.
//! * `§9 **label**` (or `*label*`) must be one of the bold labels of that section's
//!   bullet list, when the section has such labels (kernel-semantics.md §9).
//! * `message-json.md pair N` must be a numbered item of the section whose heading
//!   speaks of pairs.
//! * In the vector files, a test's `"scenario": "N"` is a citation of
//!   kernel-semantics.md §8 #N.
//!
//! # Which file a citation names
//!
//! A file is any `NAME.md` token (path characters `A-Z a-z 0-9 _ - . /`), with or
//! without a directory prefix. A bare name of one of the specification's documents
//! names the file in `docs/spec/`; a path is taken as a repository path, then relative
//! to the citing file's directory (Markdown links), then as the unique tracked file
//! ending with it; another bare name is the file of that name in the citing file's
//! directory, else the only tracked file of that name. A name of a specification
//! document that resolves to nothing (a misspelt directory, a path outside the
//! repository) is an error even without a `§` after it. Other documents (PROTOCOL.md,
//! docs/validating-a-kernel.md) are checked by the same rules when cited with `§`.
//!
//! Rules for the cases the text alone leaves open:
//!
//! * A bare `§X` refers to the **last file named before it on the same line** (the
//!   same JSON string, comment line or Markdown line), whatever text lies between: in
//!   "kernel-semantics.md §8 #60; §4.1 step 1" §4.1 is kernel-semantics.md's, and in
//!   "wire-format.md §2): every worked example of §6" §6 is wire-format.md's. Naming
//!   any `.md` file switches the reference: a bare `§` after `vectors/README.md` is
//!   the README's, even after a wire-format.md citation on the same line.
//! * A line that begins with `§` (after indentation, comment markers and quotes)
//!   continues the previous line: a citation wrapped as "(kernel-semantics.md" /
//!   "§4.4)" is one citation.
//! * In the specification's own documents a bare `§X` with no file named before it on
//!   its line refers to the document itself. Anywhere else such a `§X` is not checked
//!   (it usually continues a file named on an earlier line, and guessing which one
//!   would make the test brittle); the test counts these.
//! * Numbers after a keyword continue the list only through `, N`, ` and N`, `-N` or
//!   `–N`, and a continuation `N` must not run into a word (`step 8, 2 handles` cites
//!   step 8 only). A `#N` list continues through `, #N`.
//! * Placeholders are no citations: `§6 Ex {example}` or `pair {n}` (format strings)
//!   cite §6 and the file only.
//! * Headings, list items and table rows inside fenced code blocks do not count.
//!
//! The specification's own text, the README's table of forms and this file's
//! documentation are walked too, so every example above resolves.
//!
//! `HIPC_CITATIONS_DUMP=1 cargo test -p hipc-conformance --test citations -- --nocapture`
//! prints every citation with the file it resolved to, and every bare `§` left
//! unchecked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The specification's documents, in `docs/spec/`.
const SPEC_DIR: &str = "docs/spec";
const SPEC_DOCS: [&str; 3] = ["wire-format.md", "kernel-semantics.md", "message-json.md"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the conformance crate lives in the workspace")
        .to_path_buf()
}

/// The repository's files, as `/`-separated paths relative to `root`: `git ls-files`,
/// or a directory walk when git is missing or `root` is not a checkout.
fn repo_files(root: &Path) -> Vec<String> {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z"])
        .output();
    if let Ok(out) = listed {
        if out.status.success() && !out.stdout.is_empty() {
            return String::from_utf8_lossy(&out.stdout)
                .split('\0')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
        }
    }
    let mut files = Vec::new();
    walk(root, "", &mut files);
    files.sort();
    files
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let skipped = matches!(name.as_str(), ".git" | "target")
                || matches!(
                    path.as_str(),
                    "fuzz/corpus" | "fuzz/artifacts" | "fuzz/coverage"
                );
            if !skipped {
                walk(&entry.path(), &path, out);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// The file's text, or `None` for a binary, non-UTF-8 or unreadable (deleted) file.
fn read_text(root: &Path, rel: &str) -> Option<String> {
    let bytes = std::fs::read(root.join(rel)).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// JSON text with its `\uXXXX` escapes decoded (the generators write `§` as `\u00a7`
/// in some files), line structure unchanged.
fn unescape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u") {
        // An escaped backslash before `u` is not an escape.
        let backslashes = rest[..at].chars().rev().take_while(|&c| c == '\\').count();
        let code = rest
            .get(at + 2..at + 6)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) if backslashes % 2 == 0 => {
                out.push_str(&rest[..at]);
                out.push(c);
                rest = &rest[at + 6..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------
// Documents: headings, numbered items, table rows, labels
// ---------------------------------------------------------------------------------

#[derive(Debug)]
struct Section {
    /// `"4"`, `"4.3"`, `"Ex 5"`; `None` for an unnumbered heading.
    key: Option<String>,
    title: String,
    /// Line index of the heading and one past the last line of its body (the body
    /// includes the subsections).
    line: usize,
    end: usize,
    /// Numbered list items (`12.`, `46a.`), table rows (first cell), bold labels.
    items: Vec<String>,
    rows: Vec<String>,
    labels: Vec<String>,
}

#[derive(Debug)]
struct Doc {
    path: String,
    sections: Vec<Section>,
}

/// The heading's number: `4. Title` → `4`, `4.3 Title` → `4.3`, `Ex 5: Title` → `Ex 5`.
fn heading_key(title: &str) -> Option<String> {
    if let Some(rest) = title.strip_prefix("Ex ") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        return (!digits.is_empty() && (after.starts_with(':') || after.is_empty()))
            .then(|| format!("Ex {digits}"));
    }
    let (number, rest) = section_number(title)?;
    (rest.starts_with(". ") || rest.starts_with(' ') || rest == "." || rest.is_empty())
        .then_some(number)
}

/// A list or row label: digits with at most one lowercase letter (`46a`), not running
/// into a word.
fn label(s: &str) -> Option<(String, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut len = digits;
    let mut chars = s[digits..].chars();
    if let Some(c) = chars.next() {
        if c.is_ascii_lowercase() && !chars.next().is_some_and(char::is_alphanumeric) {
            len += 1;
        } else if c.is_alphanumeric() || c == '_' {
            return None;
        }
    }
    Some((s[..len].to_owned(), &s[len..]))
}

fn parse_doc(path: &str, text: &str) -> Doc {
    let lines: Vec<&str> = text.lines().collect();
    let mut fenced = vec![false; lines.len()];
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                fenced[i] = true;
            }
            (Some(open), Some(m)) if open == m => {
                fence = None;
                fenced[i] = true;
            }
            (Some(_), _) => fenced[i] = true,
            (None, None) => {}
        }
    }
    let mut heads = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if fenced[i] {
            continue;
        }
        let level = line.bytes().take_while(|&b| b == b'#').count();
        if level == 0 || !line[level..].starts_with(' ') {
            continue;
        }
        let title = line[level..].trim();
        heads.push((level, i, title.to_owned()));
    }
    let mut sections = Vec::new();
    for (n, (level, line, title)) in heads.iter().enumerate() {
        let end = heads[n + 1..]
            .iter()
            .find(|(l, _, _)| l <= level)
            .map_or(lines.len(), |(_, i, _)| *i);
        let mut items = Vec::new();
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in line + 1..end {
            if fenced[i] {
                continue;
            }
            let body = lines[i];
            let indent = body.len() - body.trim_start().len();
            let trimmed = body.trim_start();
            if indent <= 3 {
                if let Some((l, rest)) = label(trimmed) {
                    if rest.starts_with(". ") || rest == "." {
                        items.push(l);
                    }
                }
            }
            if let Some(cells) = trimmed.strip_prefix('|') {
                let first = cells.split('|').next().unwrap_or("").trim();
                if let Some((l, "")) = label(first) {
                    rows.push(l);
                }
            }
            for bullet in ["* **", "- **"] {
                if let Some(rest) = trimmed.strip_prefix(bullet) {
                    if let Some(end) = rest.find("**") {
                        labels.push(rest[..end].to_owned());
                    }
                }
            }
        }
        sections.push(Section {
            key: heading_key(title),
            title: title.clone(),
            line: *line,
            end,
            items,
            rows,
            labels,
        });
    }
    Doc {
        path: path.to_owned(),
        sections,
    }
}

impl Doc {
    fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key.as_deref() == Some(key))
    }

    fn has_subsections(&self, key: &str) -> bool {
        let prefix = format!("{key}.");
        self.sections
            .iter()
            .any(|s| s.key.as_deref().is_some_and(|k| k.starts_with(&prefix)))
    }

    /// The worked pairs: the numbered items of the section whose heading speaks of pairs.
    fn pairs(&self) -> Option<&[String]> {
        self.sections
            .iter()
            .find(|s| s.key.is_none() && s.title.to_lowercase().contains("pair"))
            .map(|s| s.items.as_slice())
    }
}

// ---------------------------------------------------------------------------------
// Citations
// ---------------------------------------------------------------------------------

/// What a keyword after the section asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ItemKind {
    /// A numbered list item (`step`).
    Step,
    /// A table row (`row`).
    Row,
    /// Either (`#`, `check`, `item`, `point`, `scenario`).
    Any,
    /// A `### Ex N:` heading inside the section.
    Ex,
}

#[derive(Debug, Default)]
struct Citation {
    /// Section numbers: one, the two ends of a range, or a `§§` list.
    sections: Vec<String>,
    items: Option<(ItemKind, Vec<String>)>,
    label: Option<String>,
    /// The citation's text, from the `§`.
    text: String,
}

/// `4`, `4.3`, `1.14` at the start of `s` (a trailing `.` is punctuation).
fn section_number(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let mut i = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if i == 0 {
        return None;
    }
    while b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        i += b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    Some((s[..i].to_owned(), &s[i..]))
}

fn strip_dash(s: &str) -> Option<&str> {
    s.strip_prefix('-').or_else(|| s.strip_prefix('–'))
}

/// A continuation label must not run into a word: "steps 2 and 4" continues, "step 8,
/// 2 handles" does not.
fn ends_cleanly(rest: &str) -> bool {
    match rest.chars().next() {
        None => true,
        Some(' ') => ["and ", "or ", "(", "["]
            .iter()
            .any(|w| rest[1..].starts_with(w)),
        Some(c) => !c.is_alphanumeric(),
    }
}

/// `N`, `N-M`, `N, M and K` (with `#` before each label when `hash`).
fn label_list(s: &str, hash: bool) -> (Vec<String>, &str) {
    let mut labels = Vec::new();
    let Some((first, mut rest)) = label(s) else {
        return (labels, s);
    };
    labels.push(first);
    loop {
        if let Some(r) = strip_dash(rest) {
            let r = if hash {
                r.strip_prefix('#').unwrap_or(r)
            } else {
                r
            };
            if let Some((end, r)) = label(r) {
                labels.push(end);
                rest = r;
                continue;
            }
        }
        let mut next = None;
        for sep in [", and ", ", ", " and "] {
            if let Some(r) = rest.strip_prefix(sep) {
                let r = if hash {
                    match r.strip_prefix('#') {
                        Some(r) => r,
                        None => continue,
                    }
                } else {
                    r
                };
                if let Some((l, r)) = label(r) {
                    if hash || ends_cleanly(r) {
                        next = Some((l, r));
                        break;
                    }
                }
            }
        }
        match next {
            Some((l, r)) => {
                labels.push(l);
                rest = r;
            }
            None => return (labels, rest),
        }
    }
}

const KEYWORDS: [(&str, ItemKind); 12] = [
    ("steps ", ItemKind::Step),
    ("step ", ItemKind::Step),
    ("rows ", ItemKind::Row),
    ("row ", ItemKind::Row),
    ("checks ", ItemKind::Any),
    ("check ", ItemKind::Any),
    ("items ", ItemKind::Any),
    ("item ", ItemKind::Any),
    ("scenarios ", ItemKind::Any),
    ("scenario ", ItemKind::Any),
    ("points ", ItemKind::Any),
    ("point ", ItemKind::Any),
];

/// Parses the citation whose `§` is at the start of `s`. `None` when no section number
/// follows (`§{}` in a format string).
fn parse_citation(s: &str) -> Option<(Citation, usize)> {
    let after = s.strip_prefix('§')?;
    let double = after.starts_with('§');
    let body = after.strip_prefix('§').unwrap_or(after);
    let (first, mut rest) = section_number(body)?;
    let mut cit = Citation {
        sections: vec![first],
        ..Citation::default()
    };
    if double {
        loop {
            let next = [", and ", ", ", " and "]
                .iter()
                .find_map(|sep| rest.strip_prefix(sep).and_then(section_number));
            match next {
                Some((n, r)) => {
                    cit.sections.push(n);
                    rest = r;
                }
                None => break,
            }
        }
    } else if let Some(r) = strip_dash(rest) {
        if let Some((end, r)) = section_number(r.strip_prefix('§').unwrap_or(r)) {
            cit.sections.push(end);
            rest = r;
        }
    }
    if let Some(r) = rest.strip_prefix(" #") {
        let (labels, r) = label_list(r, true);
        if !labels.is_empty() {
            cit.items = Some((ItemKind::Any, labels));
            rest = r;
        }
    } else if let Some(r) = rest
        .strip_prefix(" Ex ")
        .or_else(|| rest.strip_prefix(" (Ex "))
    {
        if let Some((first, mut r)) = label(r) {
            let mut labels = vec![first];
            let range = [" to Ex ", " through Ex ", "-Ex ", "–Ex ", "-", "–"]
                .iter()
                .find_map(|sep| r.strip_prefix(sep).and_then(label));
            if let Some((end, r2)) = range {
                labels.push(end);
                r = r2;
            }
            cit.items = Some((ItemKind::Ex, labels));
            rest = r;
        }
    } else {
        let spaced = rest
            .strip_prefix(", ")
            .or_else(|| rest.strip_prefix(' '))
            .unwrap_or("");
        for (word, kind) in KEYWORDS {
            if let Some(r) = spaced.strip_prefix(word) {
                let (labels, r) = label_list(r, false);
                if !labels.is_empty() {
                    cit.items = Some((kind, labels));
                    rest = r;
                }
                break;
            }
        }
        if cit.items.is_none() {
            for open in [" **", " (**", ", **", " *", " (*"] {
                let Some(r) = rest.strip_prefix(open) else {
                    continue;
                };
                let close = if open.ends_with("**") { "**" } else { "*" };
                if let Some(end) = r.find(close) {
                    if end > 0 {
                        cit.label = Some(r[..end].to_owned());
                        rest = &r[end + close.len()..];
                    }
                }
                break;
            }
        }
    }
    let consumed = s.len() - rest.len();
    cit.text = s[..consumed].to_owned();
    Some((cit, consumed))
}

/// What a citation's section resolves to.
enum Target<'d> {
    Section(&'d Section),
    /// `§7.3`: an item of a numbered list of a section without subsections.
    ListItem,
}

fn resolve_section<'d>(doc: &'d Doc, number: &str) -> Result<Target<'d>, String> {
    if let Some(section) = doc.section(number) {
        return Ok(Target::Section(section));
    }
    if let Some((parent, item)) = number.rsplit_once('.') {
        if let Some(p) = doc.section(parent) {
            if !doc.has_subsections(parent) {
                return if p.items.iter().any(|i| i == item) {
                    Ok(Target::ListItem)
                } else {
                    Err(format!(
                        "{} has no heading {number}, and §{parent} no numbered item {item}",
                        doc.path
                    ))
                };
            }
        }
    }
    Err(format!("{} has no heading {number}", doc.path))
}

fn check_citation(doc: &Doc, cit: &Citation) -> Vec<String> {
    let mut errors = Vec::new();
    let mut last = None;
    for number in &cit.sections {
        match resolve_section(doc, number) {
            Ok(t) => last = Some((number, t)),
            Err(e) => {
                errors.push(e);
                last = None;
            }
        }
    }
    let Some((number, target)) = last else {
        return errors;
    };
    let section = match target {
        Target::Section(s) => s,
        Target::ListItem => {
            if cit.items.is_some() || cit.label.is_some() {
                errors.push(format!(
                    "§{number} is a list item of {}, not a section with items",
                    doc.path
                ));
            }
            return errors;
        }
    };
    if let Some((kind, labels)) = &cit.items {
        for l in labels {
            let found = match kind {
                ItemKind::Step => section.items.contains(l),
                ItemKind::Row => section.rows.contains(l),
                ItemKind::Any => section.items.contains(l) || section.rows.contains(l),
                ItemKind::Ex => {
                    let key = format!("Ex {l}");
                    doc.sections.iter().any(|s| {
                        s.key.as_deref() == Some(key.as_str())
                            && s.line > section.line
                            && s.line < section.end
                    })
                }
            };
            if !found {
                let what = match kind {
                    ItemKind::Step => format!("no numbered item {l}."),
                    ItemKind::Row => format!("no table row {l}"),
                    ItemKind::Any => format!("no numbered item or table row {l}"),
                    ItemKind::Ex => format!("no heading Ex {l}"),
                };
                errors.push(format!("§{number} of {} has {what}", doc.path));
            }
        }
    }
    if let Some(label) = &cit.label {
        if !section.labels.is_empty()
            && !section.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
        {
            errors.push(format!(
                "§{number} of {} has no point labelled \"{label}\" (labels: {})",
                doc.path,
                section.labels.join(", ")
            ));
        }
    }
    errors
}

// ---------------------------------------------------------------------------------
// Files named in the text
// ---------------------------------------------------------------------------------

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// `a/b/../c` → `a/c`; `None` when the path leaves the repository.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

struct Repo {
    files: BTreeSet<String>,
    docs: BTreeMap<String, Doc>,
}

impl Repo {
    /// The repository file a name in `citing`'s text refers to.
    fn resolve(&self, name: &str, citing: &str) -> Option<String> {
        let base = name.rsplit('/').next().unwrap_or(name);
        let dir = citing.rsplit_once('/').map_or("", |(d, _)| d);
        let exists = |p: &str| self.files.contains(p).then(|| p.to_owned());
        if !name.contains('/') {
            if SPEC_DOCS.contains(&base) {
                return exists(&format!("{SPEC_DIR}/{base}"));
            }
            let same_dir = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if let Some(p) = exists(&same_dir) {
                return Some(p);
            }
            let mut named = self
                .files
                .iter()
                .filter(|f| f.rsplit('/').next() == Some(name));
            let first = named.next()?;
            return named.next().is_none().then(|| first.clone());
        }
        if let Some(p) = normalize(name).and_then(|p| exists(&p)) {
            return Some(p);
        }
        if let Some(p) = normalize(&format!("{dir}/{name}")).and_then(|p| exists(&p)) {
            return Some(p);
        }
        if name.contains("..") {
            return None;
        }
        let suffix = format!("/{}", name.trim_start_matches("./"));
        let mut ending = self.files.iter().filter(|f| f.ends_with(&suffix));
        let first = ending.next()?;
        ending.next().is_none().then(|| first.clone())
    }
}

/// One bad citation.
struct Bad {
    file: String,
    line: usize,
    citation: String,
    why: String,
}

#[derive(Default)]
struct Tally {
    /// Citations checked against a document (sections, pairs, scenario fields).
    checked: usize,
    /// Bare `§` with no file named before it on the line, outside the specification.
    unattributed: usize,
}

/// The file a bare `§` refers to: a document, or a name that resolves to no file.
#[derive(Clone)]
enum Ctx {
    None,
    Doc { path: String, name: String },
    Missing(String),
}

fn strip_leader(line: &str) -> &str {
    let mut s = line.trim_start();
    loop {
        let before = s.len();
        for lead in ["//!", "///", "//", "#", "*", ">", "\"", "'", "(", "-"] {
            s = s.strip_prefix(lead).unwrap_or(s);
        }
        s = s.trim_start();
        if s.len() == before {
            return s;
        }
    }
}

enum Event<'t> {
    File { name: &'t str, end: usize },
    Section,
}

fn scan_file(repo: &Repo, path: &str, text: &str, bad: &mut Vec<Bad>, tally: &mut Tally) {
    let own = SPEC_DOCS
        .iter()
        .any(|d| path == format!("{SPEC_DIR}/{d}"))
        .then(|| Ctx::Doc {
            path: path.to_owned(),
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
        });
    let is_vector = path.starts_with("vectors/") && path.ends_with(".json");
    let mut carried = Ctx::None;
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        let mut report = |citation: String, why: String| {
            bad.push(Bad {
                file: path.to_owned(),
                line: lineno,
                citation,
                why,
            });
        };
        let mut ctx = if strip_leader(line).starts_with('§') {
            carried.clone()
        } else {
            Ctx::None
        };
        if matches!(ctx, Ctx::None) {
            if let Some(own) = &own {
                ctx = own.clone();
            }
        }

        if is_vector {
            if let Some(at) = line.find("\"scenario\": \"") {
                let value = &line[at + 13..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                tally.checked += 1;
                let doc = &repo.docs[&format!("{SPEC_DIR}/kernel-semantics.md")];
                let ok = doc
                    .section("8")
                    .is_some_and(|s| s.items.iter().any(|i| i == value));
                if !ok {
                    report(
                        format!("\"scenario\": \"{value}\""),
                        format!("kernel-semantics.md §8 has no scenario {value}"),
                    );
                }
            }
        }

        let mut events = Vec::new();
        for (at, _) in line.match_indices(".md") {
            let end = at + 3;
            if line[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let start = line[..at]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_path_char(c))
                .last()
                .map_or(at, |(i, _)| i);
            let name = &line[start..end];
            if name.len() > 3 && !name.starts_with('/') {
                events.push((start, Event::File { name, end }));
            }
        }
        for (at, _) in line.match_indices('§') {
            if !line[..at].ends_with('§') {
                events.push((at, Event::Section));
            }
        }
        events.sort_by_key(|(at, _)| *at);

        let mut direct_until = None;
        // The end of the last citation parsed: a `§` inside it (`§1.2-§1.11`) is part of it.
        let mut parsed_until = 0;
        for (at, event) in events {
            match event {
                Event::File { name, end } => {
                    ctx = match repo.resolve(name, path) {
                        Some(p) => Ctx::Doc {
                            path: p,
                            name: name.to_owned(),
                        },
                        None => Ctx::Missing(name.to_owned()),
                    };
                    let rest = line[end..].strip_prefix('`').unwrap_or(&line[end..]);
                    let rest = rest.trim_start_matches(' ');
                    let rest = rest.strip_prefix('(').unwrap_or(rest);
                    let rest = rest.strip_prefix('`').unwrap_or(rest);
                    direct_until = rest.starts_with('§').then(|| line.len() - rest.len());
                    let base = name.rsplit('/').next().unwrap_or(name);
                    if let Ctx::Missing(_) = ctx {
                        if SPEC_DOCS.contains(&base) {
                            report(
                                name.to_owned(),
                                format!("no such file (the specification is in {SPEC_DIR}/)"),
                            );
                        }
                        continue;
                    }
                    let pair = line[end..]
                        .strip_prefix(' ')
                        .and_then(|r| r.strip_prefix("pairs ").or_else(|| r.strip_prefix("pair ")));
                    if let (Some(r), Ctx::Doc { path: p, .. }) = (pair, &ctx) {
                        let (labels, _) = label_list(r, false);
                        if labels.is_empty() {
                            continue;
                        }
                        tally.checked += 1;
                        let doc = &repo.docs[p];
                        for l in labels {
                            match doc.pairs() {
                                Some(pairs) if pairs.contains(&l) => {}
                                Some(_) => report(
                                    format!("{name} pair {l}"),
                                    format!("{p} has no worked pair {l}"),
                                ),
                                None => report(
                                    format!("{name} pair {l}"),
                                    format!("{p} has no section of worked pairs"),
                                ),
                            }
                        }
                    }
                }
                Event::Section => {
                    if at < parsed_until {
                        continue;
                    }
                    let Some((cit, len)) = parse_citation(&line[at..]) else {
                        continue;
                    };
                    parsed_until = at + len;
                    let direct = direct_until == Some(at);
                    match &ctx {
                        Ctx::None => {
                            tally.unattributed += 1;
                            if std::env::var_os("HIPC_CITATIONS_DUMP").is_some() {
                                eprintln!("BARE {path}:{lineno}: {}", cit.text);
                            }
                        }
                        Ctx::Missing(name) => {
                            tally.checked += 1;
                            report(format!("{name} {}", cit.text), "no such file".to_owned());
                        }
                        Ctx::Doc { path: p, name } => {
                            let Some(doc) = repo.docs.get(p) else {
                                // A `§` after a file that is no Markdown document.
                                continue;
                            };
                            tally.checked += 1;
                            let shown = if direct {
                                format!("{name} {}", cit.text)
                            } else {
                                format!("{} (of {name})", cit.text)
                            };
                            if std::env::var_os("HIPC_CITATIONS_DUMP").is_some() {
                                eprintln!("CITE {path}:{lineno}: {shown} => {p}");
                            }
                            for why in check_citation(doc, &cit) {
                                report(shown.clone(), why);
                            }
                        }
                    }
                }
            }
        }
        carried = ctx;
    }
}

fn old_location_needles() -> [String; 2] {
    // Built at run time so that this file does not contain them itself.
    [format!("..{}shared", '/'), format!("shared{}spec", '/')]
}

// ---------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------

struct Walked {
    bad: Vec<Bad>,
    tally: Tally,
    files: usize,
    stale: Vec<String>,
}

fn walk_repository(root: &Path) -> Walked {
    let listed = repo_files(root);
    let files: BTreeSet<String> = listed.iter().cloned().collect();
    let mut texts = Vec::new();
    for path in &listed {
        if path.starts_with("fuzz/corpus/") || path.starts_with("fuzz/artifacts/") {
            continue;
        }
        if let Some(text) = read_text(root, path) {
            let text = if path.ends_with(".json") {
                unescape_json(&text)
            } else {
                text
            };
            texts.push((path.clone(), text));
        }
    }
    let docs = texts
        .iter()
        .filter(|(p, _)| p.ends_with(".md"))
        .map(|(p, t)| (p.clone(), parse_doc(p, t)))
        .collect();
    let repo = Repo { files, docs };
    let mut bad = Vec::new();
    let mut tally = Tally::default();
    let mut stale = Vec::new();
    let needles = old_location_needles();
    for (path, text) in &texts {
        scan_file(&repo, path, text, &mut bad, &mut tally);
        for (n, line) in text.lines().enumerate() {
            if let Some(needle) = needles.iter().find(|nd| line.contains(nd.as_str())) {
                stale.push(format!("{path}:{}: mentions {needle}", n + 1));
            }
        }
    }
    Walked {
        bad,
        tally,
        files: texts.len(),
        stale,
    }
}

#[test]
fn every_citation_resolves() {
    let root = repo_root();
    if !root.join(SPEC_DIR).is_dir() {
        eprintln!("{SPEC_DIR}/ not found next to the crate (not a repository checkout): skipped");
        return;
    }
    let walked = walk_repository(&root);
    println!(
        "{} citations checked in {} text files ({} bare § with no file named on their line, not checked)",
        walked.tally.checked, walked.files, walked.tally.unattributed
    );
    assert!(
        walked.tally.checked > 1000,
        "only {} citations found: the walk or the parser is broken",
        walked.tally.checked
    );
    let mut message = String::new();
    for b in &walked.bad {
        message.push_str(&format!(
            "{}:{}: {}: {}\n",
            b.file, b.line, b.citation, b.why
        ));
    }
    assert!(
        walked.bad.is_empty(),
        "{} bad citations:\n{message}",
        walked.bad.len()
    );
}

#[test]
fn nothing_refers_to_the_old_specification_location() {
    let root = repo_root();
    if !root.join(SPEC_DIR).is_dir() {
        return;
    }
    let walked = walk_repository(&root);
    assert!(
        walked.stale.is_empty(),
        "the specification is in {SPEC_DIR}/ now:\n{}",
        walked.stale.join("\n")
    );
}

/// The specification's documents carry the version line.
#[test]
fn every_spec_document_carries_the_version_line() {
    let root = repo_root();
    if !root.join(SPEC_DIR).is_dir() {
        return;
    }
    for doc in SPEC_DOCS {
        let text = read_text(&root, &format!("{SPEC_DIR}/{doc}")).expect(doc);
        assert!(
            text.lines()
                .any(|l| l == "Specification version: 1.0 (hipc-spec/1)"),
            "{doc}: no version line"
        );
    }
}

// The parser on a small document. The citations below are written with `\u{a7}`
// so that the walk, which reads this file too, does not take them for citations.

const SAMPLE: &str = "# T\n\n## 1. One\n\n### 1.1 A\n\n1. first\n2. second\n\n### 1.2 B\n\n\
| # | x |\n|---|---|\n| 1 | a |\n| 2 | b |\n\n## 2. Two\n\n1. x\n2. y\n46a. z\n\n\
```text\n## 9. Not a heading\n3. not an item\n```\n\n## 6. Ex\n\n### Ex 1: one\n### Ex 2: two\n\n\
## 9. Open\n\n* **out of scope**. x\n* **closed predicate**. y\n\n## Three worked pairs\n\n1. p\n2. q\n";

fn sample() -> Doc {
    parse_doc("docs/spec/sample.md", SAMPLE)
}

fn errors(citation: &str) -> Vec<String> {
    let (cit, _) = parse_citation(citation).expect("a citation");
    check_citation(&sample(), &cit)
}

#[test]
fn parser_resolves_headings_items_rows_and_examples() {
    for good in [
        "\u{a7}1",
        "\u{a7}1.1 step 2",
        "\u{a7}1.1 steps 1 and 2",
        "\u{a7}1.1 steps 1-2",
        "\u{a7}1.2 row 2",
        "\u{a7}1.2 check 1",
        "\u{a7}1.2 rows 1, 2",
        "\u{a7}2.2",
        "\u{a7}2 #46a",
        "\u{a7}2 #1, #2, #46a",
        "\u{a7}1.1-1.2",
        "\u{a7}1.1-\u{a7}1.2",
        "\u{a7}\u{a7}1, 2 and 6",
        "\u{a7}6 Ex 2",
        "\u{a7}6 (Ex 1 to Ex 2)",
        "\u{a7}9 **out of scope**",
        "\u{a7}9 (**closed predicate**)",
        "\u{a7}1.1 step 1, 9 handles",
    ] {
        assert_eq!(errors(good), Vec::<String>::new(), "{good}");
    }
    for bad in [
        "\u{a7}3",
        "\u{a7}1.3",
        "\u{a7}1.1 step 3",
        "\u{a7}1.1 row 1",
        "\u{a7}1.2 step 1",
        "\u{a7}2.4",
        "\u{a7}2.3 step 1",
        "\u{a7}2 #47",
        "\u{a7}1.1-1.4",
        "\u{a7}6 Ex 3",
        "\u{a7}1 Ex 1",
        "\u{a7}9 **firmware**",
        "\u{a7}1.1 steps 1, 3",
    ] {
        assert!(!errors(bad).is_empty(), "{bad} passed");
    }
    assert!(parse_citation("\u{a7}{}").is_none());
    let doc = sample();
    assert_eq!(doc.pairs(), Some(&["1".to_owned(), "2".to_owned()][..]));
    assert!(doc.section("9").is_some_and(|s| s.items.is_empty()));
}

#[test]
fn a_bare_section_refers_to_the_last_file_named_on_its_line() {
    let files: BTreeSet<String> = [
        "docs/spec/wire-format.md",
        "docs/spec/kernel-semantics.md",
        "a/b.rs",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let docs = [
        ("docs/spec/wire-format.md", "## 1. A\n### 1.1 B\n## 6. C\n"),
        (
            "docs/spec/kernel-semantics.md",
            "## 4. A\n### 4.3 B\n1. x\n",
        ),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_owned(), parse_doc(p, t)))
    .collect();
    let repo = Repo { files, docs };
    let run = |text: &str| {
        let mut bad = Vec::new();
        let mut tally = Tally::default();
        scan_file(&repo, "a/b.rs", text, &mut bad, &mut tally);
        (bad.len(), tally.checked, tally.unattributed)
    };
    // kernel-semantics.md then a bare section of it; then wire-format.md's.
    assert_eq!(
        run("kernel-semantics.md \u{a7}4.3 step 1; \u{a7}4 and wire-format.md \u{a7}1.1, \u{a7}6"),
        (0, 4, 0)
    );
    assert_eq!(run("kernel-semantics.md \u{a7}4.3; \u{a7}1.1"), (1, 2, 0));
    // A wrapped citation continues on the next line; an unrelated line does not.
    assert_eq!(
        run("/// (kernel-semantics.md\n/// \u{a7}4.3 step 1)"),
        (0, 1, 0)
    );
    assert_eq!(run("wire-format.md \u{a7}1\nthe \u{a7}9"), (0, 1, 1));
    // Paths: repository, relative, and a wrong one (`\x2e` is the `.` of `.md`, so
    // that the walk does not read these paths, wrong from this file, as citations).
    assert_eq!(run("docs/spec/wire-format.md \u{a7}6"), (0, 1, 0));
    assert_eq!(run("../docs/spec/wire-format\x2emd \u{a7}6"), (0, 1, 0));
    assert_eq!(run("specs/wire-format\x2emd"), (1, 0, 0));
    assert_eq!(run("nowhere.md \u{a7}1"), (1, 1, 0));
}

#[test]
fn json_escapes_are_read_as_characters() {
    assert_eq!(unescape_json(r#""\u00a78 #1""#), "\"\u{a7}8 #1\"");
    assert_eq!(unescape_json(r#""\\u00a7""#), r#""\\u00a7""#);
}
