//! Writes the seed corpora `fuzz/corpus/<target>/` from `vectors/`:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example make-seeds
//! ```
//!
//! * `decode`, `roundtrip`: every codec vector's `bytes` and `encoded`, and every
//!   message of the kernel vectors, encoded;
//! * `message_json`: every codec vector's `message` as written, and every kernel
//!   vector message with its symbols resolved, in the spec's one-line form;
//! * `vector_file`: every vector file whole, and each test alone in a file of its own;
//! * `kernel`: each kernel vector's first request, the server buffer it is received
//!   into and the reply, in `hipc_fuzz::kernel_case`'s format;
//! * `scenario`: the first cases of `hipc explore --seed 1` (the choice bytes its
//!   scenario generator reads, `hipc_conformance::explore::choices::case_bytes`).
//!
//! Beyond the vectors, `decode` and `roundtrip` get the first byte strings of
//! `hipc explore --decoder-cmd --seed 1` (its message generator,
//! `explore::message_bytes`: valid, near-valid and random messages), and `kernel`
//! cases in their generated form (request, server buffer and reply drawn from that
//! generator): the generators `hipc explore` uses are the ones the fuzz targets
//! start from.
//!
//! Files are named by a hash of their contents, so running it again adds nothing
//! twice and keeps whatever libFuzzer added. Prints how many seeds each target got.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hipc_conformance::explore::choices::case_bytes;
use hipc_conformance::explore::kernel_run::CASE_BYTES;
use hipc_conformance::explore::message_bytes;
use hipc_conformance::kernel::{MemoryAttributes, MemoryState, Permission};
use hipc_conformance::message_json::MessageJson;
use hipc_fuzz::kernel_case::{
    Buffer, KernelCase, PageConfig, SPECIAL_PAGES, client_selector as cs, server_selector as ss,
};
use serde_json::Value;

const TARGETS: [&str; 6] = [
    "decode",
    "roundtrip",
    "kernel",
    "scenario",
    "vector_file",
    "message_json",
];

/// How many generated seeds each generator contributes.
const GENERATED: u64 = 64;

struct Corpus {
    root: PathBuf,
    written: BTreeMap<&'static str, usize>,
}

impl Corpus {
    fn add(&mut self, target: &'static str, data: &[u8]) {
        // FNV-1a: stable names across runs and platforms.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in data {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let path = self.root.join(target).join(format!("seed-{h:016x}"));
        if !path.exists() {
            std::fs::write(&path, data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        *self.written.entry(target).or_default() += 1;
    }
}

/// The bytes of a vector's hex string (the conformance crate's reader).
fn hex(s: &str) -> Option<Vec<u8>> {
    hipc_conformance::hex::decode(s).ok()
}

fn number(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(&h.replace('_', ""), 16).ok(),
        None => s.parse().ok(),
    }
}

/// Resolves a vector expression (`"0x1000"`, `"$ev"`, `"$ev+0x40000000"`) with a
/// symbol table; unknown symbols become an invalid handle value.
fn expr(s: &str, symbols: &dyn Fn(&str) -> Option<u64>) -> u64 {
    if let Some(n) = number(s) {
        return n;
    }
    let (base, offset) = match s.split_once('+') {
        Some((b, o)) => (b.trim(), number(o).unwrap_or(0)),
        None => (s.trim(), 0),
    };
    symbols(base).unwrap_or(0x0001_2345).wrapping_add(offset)
}

/// A vector message with its strings resolved to integers.
fn resolve(v: &Value, symbols: &dyn Fn(&str) -> Option<u64>) -> Value {
    match v {
        Value::String(s) => Value::from(expr(s, symbols)),
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve(x, symbols)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve(x, symbols)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn client_symbols(name: &str) -> Option<u64> {
    Some(u64::from(match name {
        "$ev" => cs::EV,
        "$ev2" => cs::EV2,
        "$irq" => cs::IRQ,
        "$dead" => cs::DEAD,
        "$s.client" => cs::SESSION,
        "$sev" | "$sev2" | "$sirq" => cs::OTHER,
        _ => return None,
    }))
}

fn server_symbols(name: &str) -> Option<u64> {
    Some(u64::from(match name {
        "$sev" => ss::SEV,
        "$sev2" => ss::SEV2,
        "$sirq" => ss::SIRQ,
        "$sdead" => ss::SDEAD,
        "$s.server" => ss::SESSION,
        "$ev" | "$ev2" | "$irq" => ss::OTHER,
        _ if name.starts_with('$') => ss::RECEIVED,
        _ => return None,
    }))
}

/// A resolved vector message encoded, when it is a well-formed message JSON.
fn encode(message: &Value, symbols: &dyn Fn(&str) -> Option<u64>) -> Option<(String, Vec<u8>)> {
    let resolved = resolve(message, symbols);
    let json = MessageJson::from_json(&resolved.to_string()).ok()?;
    let bytes = json.to_bytes().ok()?;
    Some((json.to_json(), bytes))
}

fn buffer(step: &Value) -> Buffer {
    match step.get("buffer") {
        Some(b @ Value::Object(_)) => {
            let field = |k: &str| {
                b.get(k)
                    .and_then(Value::as_str)
                    .and_then(number)
                    .unwrap_or(0)
            };
            Buffer::User {
                address: field("address"),
                size: field("size"),
            }
        }
        _ => Buffer::Tls,
    }
}

fn page_config(decl: &Value) -> Option<(usize, PageConfig)> {
    let get = |k: &str| decl.get(k).and_then(Value::as_str);
    let address = get("address").and_then(number)?;
    let client = get("process")? == "C";
    let index = SPECIAL_PAGES
        .iter()
        .position(|&(c, a)| c == client && a == address)?;
    let state: MemoryState = serde_json::from_value(decl.get("state")?.clone()).ok()?;
    let permission: Permission =
        serde_json::from_value(decl.get("permission").cloned().unwrap_or(Value::from("rw")))
            .ok()?;
    let attributes: MemoryAttributes = decl
        .get("attributes")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .unwrap_or_default();
    Some((index, PageConfig::new(state, permission, attributes)))
}

/// The kernel case of a kernel vector: its first request, the buffer the server
/// receives it into, and the server's next reply.
fn kernel_case(test: &Value) -> Option<KernelCase> {
    let steps = test.get("steps")?.as_array()?;
    let op = |s: &Value| s.get("op").and_then(Value::as_str).unwrap_or("").to_owned();
    let send_at = steps
        .iter()
        .position(|s| op(s) == "send" && s.get("message").is_some())?;
    let send = &steps[send_at];
    let (_, request) = encode(send.get("message")?, &client_symbols)?;
    let mut case = KernelCase {
        client_buffer: buffer(send),
        request,
        ..KernelCase::default()
    };
    let mut rest = steps[send_at + 1..]
        .iter()
        .filter(|s| op(s) == "reply_and_receive");
    if let Some(receive) = rest.next() {
        case.server_buffer = buffer(receive);
        if let Some(m) = receive.get("message") {
            case.server = encode(m, &server_symbols)
                .map(|(_, b)| b)
                .unwrap_or_default();
        }
        if let Some(reply) = rest.find(|s| s.get("reply_target").is_some()) {
            case.reply = reply
                .get("message")
                .and_then(|m| encode(m, &server_symbols))
                .map(|(_, b)| b);
        }
    }
    let setup = test.get("setup");
    for decl in setup
        .and_then(|s| s.get("memory"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some((i, config)) = page_config(decl) {
            case.pages[i] = config;
        }
    }
    for p in setup
        .and_then(|s| s.get("processes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if p.get("name").and_then(Value::as_str) != Some("S") {
            continue;
        }
        if let Some(n) = p
            .get("handle_capacity")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(number)))
        {
            case.server_capacity = Some(n.saturating_sub(5).min(3) as u8);
        }
        case.small_alias |= p.get("alias_region_size").is_some();
    }
    Some(case)
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = fuzz.join("../vectors");
    let root = fuzz.join("corpus");
    for t in TARGETS {
        std::fs::create_dir_all(root.join(t)).expect("create the corpus directory");
    }
    let mut corpus = Corpus {
        root,
        written: BTreeMap::new(),
    };
    let mut files: Vec<PathBuf> = ["codec", "kernel"]
        .iter()
        .flat_map(|kind| {
            std::fs::read_dir(vectors.join(kind))
                .expect("read vectors/")
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a vector file");
        corpus.add("vector_file", text.as_bytes());
        let file: Value = serde_json::from_str(&text).expect("a vector file is JSON");
        let groups = file
            .get("groups")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for group in &groups {
            for test in group
                .get("tests")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                // The test alone, in a file with the same header.
                let mut single = file.clone();
                let mut g = group.clone();
                g["tests"] = Value::Array(vec![test.clone()]);
                single["groups"] = Value::Array(vec![g]);
                corpus.add("vector_file", single.to_string().as_bytes());

                for key in ["bytes", "encoded"] {
                    if let Some(b) = test.get(key).and_then(Value::as_str).and_then(hex) {
                        corpus.add("decode", &b);
                        corpus.add("roundtrip", &b);
                    }
                }
                if let Some(m) = test.get("message") {
                    corpus.add("message_json", m.to_string().as_bytes());
                    if let Ok(json) = MessageJson::from_json(&m.to_string()) {
                        corpus.add("message_json", json.to_json().as_bytes());
                    }
                }
                for step in test
                    .get("steps")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let Some(m) = step.get("message") else {
                        continue;
                    };
                    let symbols: &dyn Fn(&str) -> Option<u64> =
                        if step.get("op").and_then(Value::as_str) == Some("send") {
                            &client_symbols
                        } else {
                            &server_symbols
                        };
                    if let Some((json, bytes)) = encode(m, symbols) {
                        corpus.add("message_json", json.as_bytes());
                        corpus.add("decode", &bytes);
                    }
                }
                if let Some(case) = kernel_case(test) {
                    corpus.add("kernel", &case.to_bytes());
                }
            }
        }
    }
    add_generated(&mut corpus);
    for (target, n) in &corpus.written {
        let files = std::fs::read_dir(corpus.root.join(target)).map_or(0, |d| d.count());
        println!("{target}: {n} seeds written ({files} files in fuzz/corpus/{target}/)");
    }
}

/// The seeds the explore generators write (see the module comment).
fn add_generated(corpus: &mut Corpus) {
    for i in 0..GENERATED {
        corpus.add("scenario", &case_bytes(1, i, CASE_BYTES));
        let message = message_bytes::generate(&case_bytes(1, i, 64));
        corpus.add("decode", &message);
        corpus.add("roundtrip", &message);
        // A `kernel` case in its generated form (flags bit 5, a reply following):
        // request, server buffer and reply are choice bytes of the same generator.
        let mut case = vec![0b10_0100];
        case.extend([0; 9]);
        for (seed, len) in [(1, 64u16), (3, 16), (2, 64)] {
            case.extend(len.to_le_bytes());
            case.extend(case_bytes(seed, i, usize::from(len)));
        }
        corpus.add("kernel", &case);
    }
}
