//! The examples in `codec/examples/` run (each `main` is called here), and the
//! line-count table of `codec/examples/README.md` is what the files hold, each
//! example within 1.3 times its libnx equivalent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[allow(unreachable_pub, dead_code)]
#[path = "../examples/cmif_client.rs"]
mod cmif_client;
#[allow(unreachable_pub, dead_code)]
#[path = "../examples/cmif_domain.rs"]
mod cmif_domain;
#[allow(unreachable_pub, dead_code)]
#[path = "../examples/cmif_server.rs"]
mod cmif_server;
#[allow(unreachable_pub, dead_code)]
#[path = "../examples/kernel_edit.rs"]
mod kernel_edit;
#[allow(unreachable_pub, dead_code)]
#[path = "../examples/tipc_pair.rs"]
mod tipc_pair;

#[test]
fn cmif_client_runs() {
    assert_eq!(cmif_client::main(), Ok(()));
}
#[test]
fn cmif_server_runs() {
    assert_eq!(cmif_server::main(), Ok(()));
}
#[test]
fn cmif_domain_runs() {
    assert_eq!(cmif_domain::main(), Ok(()));
}
#[test]
fn tipc_pair_runs() {
    assert_eq!(tipc_pair::main(), Ok(()));
}
#[test]
fn kernel_edit_runs() {
    assert_eq!(kernel_edit::main(), Ok(()));
}

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

/// Non-blank lines that are not `//` comments (`//!` and `///` included), up to the
/// demo driver marker.
fn counted_lines(text: &str) -> usize {
    text.lines()
        .take_while(|l| !l.starts_with("// ---- demo driver"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{EXAMPLES}/{path}")).unwrap()
}

/// The README's rows: (example, hipc lines, libnx lines, ratio as written).
fn table() -> Vec<(String, usize, usize, String)> {
    read("README.md")
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", name, rust, c, ratio, ""] => Some((
                    name.to_string(),
                    rust.parse().ok()?,
                    c.parse().ok()?,
                    ratio.to_string(),
                )),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_table_is_what_the_files_hold_and_within_1_3x() {
    let rows = table();
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "cmif_client",
            "cmif_server",
            "cmif_domain",
            "tipc_pair",
            "kernel_edit"
        ]
    );
    for (name, rust, c, ratio) in rows {
        let rust_now = counted_lines(&read(&format!("{name}.rs")));
        let c_now = counted_lines(&read(&format!("libnx/{name}.c")));
        assert_eq!(
            (rust, c),
            (rust_now, c_now),
            "{name}: the README's counts differ from the files"
        );
        let exact = rust_now as f64 / c_now as f64;
        assert_eq!(ratio, format!("{exact:.2}"), "{name}: ratio");
        assert!(
            exact <= 1.3,
            "{name}: {rust_now} lines against libnx's {c_now}"
        );
    }
}
