//! The subcommands of the `hipc` command, as library code so that they can be tested
//! and reused; `src/bin/hipc.rs` only parses the arguments and calls them.
//!
//! `decode` and `encode` share one shape ([`Convert`]): one input gives one output
//! block. With the input as an argument the block goes to stdout, or an error to
//! stderr (`error: ...`, exit status 1). Without it, stdin is read line by line and
//! each line gives exactly one block on stdout, in order; a failing line gives an
//! error block there and processing continues ([`run_lines`]).

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

pub mod decode;
pub mod encode;
pub mod explore;
pub mod explore_decoder;
pub mod faults;
pub mod record;
pub mod run;
pub mod serve_model;

/// A conversion of one input (hex text, a JSON line) into one output block.
pub trait Convert {
    /// Converts one input, given without its line ending, into its output: one line
    /// or several (a final newline is optional). The error is a message without the
    /// `error: ` prefix.
    fn convert(&self, input: &str) -> Result<String, String>;

    /// The output block for a failed input in line mode. Default: `error: MESSAGE`.
    fn error_block(&self, message: &str) -> String {
        format!("error: {message}")
    }

    /// Whether every block is followed by a blank line in line mode (for multi-line
    /// output, so that blocks can be told apart). Default: no.
    fn blank_line_after_block(&self) -> bool {
        false
    }
}

/// The error for an input that is empty or only whitespace (an empty line in line
/// mode still gets its output block, keeping one output per input).
pub const EMPTY_INPUT: &str = "empty input";

/// The error for a line of stdin that is not UTF-8.
pub const NOT_UTF8: &str = "input is not valid UTF-8";

fn convert_checked<C: Convert + ?Sized>(command: &C, input: &str) -> Result<String, String> {
    if input.trim().is_empty() {
        return Err(EMPTY_INPUT.to_owned());
    }
    command.convert(input)
}

fn write_block<W: Write>(out: &mut W, block: &str) -> io::Result<()> {
    out.write_all(block.as_bytes())?;
    if !block.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Converts one input given as an argument: the output on `out`, or `error: MESSAGE`
/// on `err`. Returns whether it succeeded.
pub fn run_one<C: Convert + ?Sized, W: Write, E: Write>(
    command: &C,
    input: &str,
    out: &mut W,
    err: &mut E,
) -> io::Result<bool> {
    match convert_checked(command, input) {
        Ok(block) => {
            write_block(out, &block)?;
            out.flush()?;
            Ok(true)
        }
        Err(message) => {
            writeln!(err, "error: {message}")?;
            err.flush()?;
            Ok(false)
        }
    }
}

/// Converts every line of `input` (line endings `\n` or `\r\n`; a last line without
/// one counts), writing exactly one block per line to `out`, in order. A failing line
/// (including an empty one, see [`EMPTY_INPUT`]) gets [`Convert::error_block`] and
/// processing continues. `flush_each` flushes after every block (for interactive
/// use). Returns whether every line succeeded.
pub fn run_lines<C: Convert + ?Sized, R: BufRead, W: Write>(
    command: &C,
    input: &mut R,
    out: &mut W,
    flush_each: bool,
) -> io::Result<bool> {
    let mut all_ok = true;
    let mut line = Vec::with_capacity(512);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let mut text: &[u8] = &line;
        if let Some(rest) = text.strip_suffix(b"\n") {
            text = rest;
        }
        if let Some(rest) = text.strip_suffix(b"\r") {
            text = rest;
        }
        let result = match std::str::from_utf8(text) {
            Ok(text) => convert_checked(command, text),
            Err(_) => Err(NOT_UTF8.to_owned()),
        };
        let block = match result {
            Ok(block) => block,
            Err(message) => {
                all_ok = false;
                command.error_block(&message)
            }
        };
        write_block(out, &block)?;
        if command.blank_line_after_block() {
            out.write_all(b"\n")?;
        }
        if flush_each {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(all_ok)
}

/// Runs a conversion the way the `hipc` command does: on `input` when given,
/// otherwise on stdin line by line, with locked, buffered stdout. Returns the exit
/// status (each line's answer is flushed as soon as it is written, so the command
/// serves as a co-process): 0 when every input succeeded, 1 otherwise (a closed stdout, as with
/// `| head`, ends quietly with 0).
pub fn run_command<C: Convert + ?Sized>(command: &C, input: Option<&str>) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let result = match input {
        Some(text) => run_one(command, text, &mut out, &mut io::stderr().lock()),
        None => {
            // Every line is answered as soon as it is read, piped or not: a program
            // that writes one line and waits for the answer (a co-process) must get
            // it, so the output is flushed after each block.
            run_lines(command, &mut io::stdin().lock(), &mut out, true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            // Nothing more can be done if stderr is gone too.
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    struct Upper;
    impl Convert for Upper {
        fn convert(&self, input: &str) -> Result<String, String> {
            if input.contains('!') {
                Err(format!("bang in {input:?}"))
            } else {
                Ok(input.to_uppercase())
            }
        }
    }

    struct Block;
    impl Convert for Block {
        fn convert(&self, input: &str) -> Result<String, String> {
            Ok(format!("{input}\n{input}\n"))
        }
        fn blank_line_after_block(&self) -> bool {
            true
        }
    }

    fn lines<C: Convert>(c: &C, input: &[u8]) -> (String, bool) {
        let mut out = Vec::new();
        let ok = run_lines(c, &mut &input[..], &mut out, false).unwrap();
        (String::from_utf8(out).unwrap(), ok)
    }

    #[test]
    fn one_block_per_line_in_order() {
        assert_eq!(lines(&Upper, b"a\nb\r\nc"), ("A\nB\nC\n".to_owned(), true));
    }

    #[test]
    fn failures_and_empty_lines_give_error_lines() {
        let (out, ok) = lines(&Upper, b"a\n\n b!\n  \nc\n");
        assert!(!ok);
        assert_eq!(
            out,
            "A\nerror: empty input\nerror: bang in \" b!\"\nerror: empty input\nC\n"
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_line() {
        let (out, ok) = lines(&Upper, b"a\n\xff\nb\n");
        assert!(!ok);
        assert_eq!(out, "A\nerror: input is not valid UTF-8\nB\n");
    }

    #[test]
    fn no_input_no_output() {
        assert_eq!(lines(&Upper, b""), (String::new(), true));
    }

    #[test]
    fn blank_line_after_blocks() {
        assert_eq!(
            lines(&Block, b"x\ny"),
            ("x\nx\n\ny\ny\n\n".to_owned(), true)
        );
    }

    #[test]
    fn single_input() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert!(run_one(&Upper, "ab", &mut out, &mut err).unwrap());
        assert_eq!((&out[..], &err[..]), (&b"AB\n"[..], &b""[..]));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert!(!run_one(&Upper, "a!", &mut out, &mut err).unwrap());
        assert_eq!(out, b"");
        assert_eq!(String::from_utf8(err).unwrap(), "error: bang in \"a!\"\n");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert!(!run_one(&Upper, " \t", &mut out, &mut err).unwrap());
        assert_eq!(String::from_utf8(err).unwrap(), "error: empty input\n");
    }
}
