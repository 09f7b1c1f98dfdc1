//! What a kernel process wrote on stderr, kept for the report of its crash.
//!
//! A kernel that dies tells why at the *start* of what it prints (a Rust panic's
//! `thread 'main' panicked at src/ipc.rs:12:5:` and its message come before a long
//! backtrace; a C `assert` prints one line), while the last lines hold whatever it
//! printed last. So the log keeps both ends of the stream, and a report quotes the
//! cause first, then the tail:
//!
//! * a line starting with [`CAUSE_PREFIX`], which PROTOCOL.md §6 asks adapters to
//!   print before exiting on an error, is the cause;
//! * otherwise a Rust panic line (with the message on the next line, as Rust
//!   prints it since 1.73), or an assertion failure, is.

use std::collections::VecDeque;

/// The prefix of the one-line cause an adapter prints on stderr before it exits on
/// an error (PROTOCOL.md §6).
pub const CAUSE_PREFIX: &str = "hipc-kernel-cause:";

/// How much of the start of the stream is kept.
const HEAD: usize = 8192;
/// How much of the end of the stream is kept.
const TAIL: usize = 4096;
/// How many of the last lines a report quotes.
const TAIL_LINES: usize = 5;
/// The longest quote of either part, in characters.
const SHOWN: usize = 600;

/// Both ends of a stderr stream.
#[derive(Default, Debug)]
pub(crate) struct StderrLog {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: usize,
    /// The stream has ended (the process closed it or exited).
    pub(crate) done: bool,
}

impl StderrLog {
    /// Appends what was read.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        let room = HEAD.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        self.tail.extend(chunk);
        let excess = self.tail.len().saturating_sub(TAIL);
        self.tail.drain(..excess);
        self.total += chunk.len();
    }

    /// The cause, if one is recognised, and the last lines, each on one line:
    /// `cause: ...; its stderr ends: ...` (empty when nothing was written).
    pub(crate) fn summary(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let tail_bytes: Vec<u8> = if self.total <= HEAD {
            self.head.clone()
        } else {
            self.tail.iter().copied().collect()
        };
        let tail = String::from_utf8_lossy(&tail_bytes);
        let lines: Vec<&str> = tail
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect();
        let last = lines
            .get(lines.len().saturating_sub(TAIL_LINES)..)
            .unwrap_or_default();
        let ends = clip_start(&last.join(" | "));
        match cause(&head).or_else(|| cause(&tail)) {
            Some(cause) if !ends.is_empty() => {
                format!("cause: {}; its stderr ends: {ends}", clip_end(&cause))
            }
            Some(cause) => format!("cause: {}", clip_end(&cause)),
            None if ends.is_empty() => String::new(),
            None => format!("its stderr ends: {ends}"),
        }
    }
}

/// The cause line(s) in `text`, if any (see the module documentation).
fn cause(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    if let Some(line) = lines.iter().find_map(|l| l.strip_prefix(CAUSE_PREFIX)) {
        return Some(line.trim().to_owned());
    }
    if let Some(at) = lines.iter().position(|l| l.contains("panicked at")) {
        let line = lines.get(at).copied().unwrap_or_default();
        // Since Rust 1.73 the message follows on its own line after `...:LINE:COL:`.
        let message = lines
            .get(at + 1)
            .filter(|next| line.ends_with(':') && !next.is_empty());
        return Some(match message {
            Some(message) => format!("{line} {message}"),
            None => line.to_owned(),
        });
    }
    lines
        .iter()
        .find(|l| l.contains("Assertion") && l.contains("failed"))
        .map(|l| (*l).to_owned())
}

fn clip_start(text: &str) -> String {
    let skip = text.chars().count().saturating_sub(SHOWN);
    if skip > 0 {
        format!("...{}", text.chars().skip(skip).collect::<String>())
    } else {
        text.to_owned()
    }
}

fn clip_end(text: &str) -> String {
    if text.chars().count() > SHOWN {
        format!("{}...", text.chars().take(SHOWN).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> StderrLog {
        let mut log = StderrLog::default();
        for chunk in text.as_bytes().chunks(7) {
            log.push(chunk);
        }
        log
    }

    #[test]
    fn a_rust_panic_keeps_its_message_behind_a_long_backtrace() {
        let mut text = String::from(
            "starting\nthread 'main' panicked at kernel/src/ipc/session.rs:412:9:\n\
             called `Option::unwrap()` on a `None` value\nstack backtrace:\n",
        );
        for i in 0..2000 {
            text.push_str(&format!("  {i}: some::frame::function\n"));
        }
        text.push_str("note: run with RUST_BACKTRACE=full\n");
        let summary = log(&text).summary();
        assert!(
            summary.starts_with(
                "cause: thread 'main' panicked at kernel/src/ipc/session.rs:412:9: \
                 called `Option::unwrap()` on a `None` value; its stderr ends: "
            ),
            "{summary}"
        );
        assert!(
            summary.ends_with("note: run with RUST_BACKTRACE=full"),
            "{summary}"
        );
    }

    #[test]
    fn the_adapter_cause_line_wins() {
        let summary = log("noise\nhipc-kernel-cause: map_memory: no frame left\nbye\n").summary();
        assert_eq!(
            summary,
            "cause: map_memory: no frame left; its stderr ends: noise | hipc-kernel-cause: map_memory: no frame left | bye"
        );
    }

    #[test]
    fn a_c_assertion_and_plain_text() {
        let summary = log("kernel: kernel.c:12: main: Assertion `x' failed.\n").summary();
        assert!(
            summary.starts_with("cause: kernel: kernel.c:12"),
            "{summary}"
        );
        assert_eq!(log("one\ntwo\n").summary(), "its stderr ends: one | two");
        assert_eq!(log("").summary(), "");
    }
}
