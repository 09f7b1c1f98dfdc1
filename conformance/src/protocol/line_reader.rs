//! Reading the child's answer lines with a deadline: `poll(2)` on Unix, a
//! reader thread elsewhere; a line longer than the limit is an error, not an
//! allocation.

use std::io::{self, Read};
#[cfg(not(unix))]
use std::sync::mpsc::{Receiver, channel};
#[cfg(not(unix))]
use std::thread;
use std::time::{Duration, Instant};

/// What waiting for the next answer line gave.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ReadEvent {
    /// A line is in the caller's buffer (its newline included; a last line the child
    /// did not end before closing its stdout comes without).
    Line,
    /// The child closed its stdout.
    Eof,
    /// Nothing readable that could be a line: the text says what.
    Error(String),
    /// No complete line before the deadline.
    Timeout,
}

/// How much the reader asks for at a time (a pipe's default capacity).
const READ_CHUNK: usize = 64 << 10;

/// The child's stdout, split into lines on the calling thread.
///
/// On Unix the caller waits with `poll(2)` until the pipe is readable or the
/// operation's deadline passes, then reads what is there: no thread in between, so
/// an answer costs the child one wake-up of the caller (a reader thread that handed
/// lines over a channel cost three: child to reader, reader to caller, and the
/// channel's own synchronisation). Elsewhere a thread reads chunks into a channel
/// and the caller waits on that with the deadline.
pub(super) struct LineReader {
    source: Source,
    /// `buf[start..end]` has been read and not yet handed out; `buf[start..scanned]`
    /// holds no newline.
    buf: Vec<u8>,
    start: usize,
    scanned: usize,
    end: usize,
    eof: bool,
    /// The longest line accepted (a longer one is an error).
    max_line: usize,
    /// Spinning before blocking (see [`super::spin`]).
    #[cfg(unix)]
    spinner: super::spin::Spinner,
}

#[cfg(unix)]
type Source = std::process::ChildStdout;

#[cfg(not(unix))]
type Source = Receiver<io::Result<Vec<u8>>>;

/// What one refill of the buffer gave.
enum Fill {
    Data,
    Eof,
    Timeout,
    Error(io::Error),
}

impl LineReader {
    #[cfg(unix)]
    pub(super) fn new(stdout: std::process::ChildStdout, max_line: usize) -> LineReader {
        LineReader::with_source(stdout, max_line)
    }

    #[cfg(not(unix))]
    pub(super) fn new(mut stdout: std::process::ChildStdout, max_line: usize) -> LineReader {
        let (tx, rx) = channel();
        thread::spawn(move || {
            loop {
                let mut chunk = vec![0; READ_CHUNK];
                let event = match stdout.read(&mut chunk) {
                    Ok(n) => {
                        chunk.truncate(n);
                        Ok(chunk)
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                };
                let last = !matches!(&event, Ok(c) if !c.is_empty());
                if tx.send(event).is_err() || last {
                    return;
                }
            }
        });
        LineReader::with_source(rx, max_line)
    }

    pub(super) fn with_source(source: Source, max_line: usize) -> LineReader {
        LineReader {
            source,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            end: 0,
            eof: false,
            max_line,
            #[cfg(unix)]
            spinner: super::spin::Spinner::new(),
        }
    }

    /// Waits until `deadline` for the next line and puts it in `line`.
    pub(super) fn next_line(&mut self, line: &mut Vec<u8>, deadline: Instant) -> ReadEvent {
        loop {
            let unscanned = self.buf.get(self.scanned..self.end).unwrap_or_default();
            if let Some(at) = memchr::memchr(b'\n', unscanned) {
                let stop = self.scanned + at + 1;
                if stop - self.start > self.max_line {
                    return self.too_long();
                }
                line.clear();
                line.extend_from_slice(self.buf.get(self.start..stop).unwrap_or_default());
                self.start = stop;
                self.scanned = stop;
                return ReadEvent::Line;
            }
            self.scanned = self.end;
            if self.end - self.start >= self.max_line {
                return self.too_long();
            }
            if self.eof {
                if self.start == self.end {
                    return ReadEvent::Eof;
                }
                // The child's last words, without a newline: a line all the same.
                line.clear();
                line.extend_from_slice(self.buf.get(self.start..self.end).unwrap_or_default());
                self.start = self.end;
                self.scanned = self.end;
                return ReadEvent::Line;
            }
            match self.fill(deadline) {
                Fill::Data => {}
                Fill::Eof => self.eof = true,
                Fill::Timeout => return ReadEvent::Timeout,
                Fill::Error(e) => return ReadEvent::Error(format!("reading its stdout: {e}")),
            }
        }
    }

    fn too_long(&self) -> ReadEvent {
        ReadEvent::Error(format!(
            "an answer line longer than {} bytes",
            self.max_line
        ))
    }

    /// Room for at least [`READ_CHUNK`] more bytes after `end`: what was handed out
    /// is dropped first, and the buffer grows only for a line longer than that.
    fn make_room(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < READ_CHUNK {
            self.buf.resize(self.end + READ_CHUNK, 0);
        }
    }

    /// Reads what the child has written, waiting for it until `deadline`.
    #[cfg(unix)]
    fn fill(&mut self, deadline: Instant) -> Fill {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        self.make_room();
        let mut ready = self.spinner.wait(&self.source, Some(deadline));
        loop {
            if ready {
                let room = self.buf.get_mut(self.end..).unwrap_or_default();
                return match self.source.read(room) {
                    Ok(0) => Fill::Eof,
                    Ok(n) => {
                        self.end += n;
                        Fill::Data
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Fill::Error(e),
                };
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            // `poll` takes at most `c_int::MAX` ms on some systems; the caller's
            // deadline is re-checked after each wait anyway.
            let wait = wait.min(Duration::from_secs(3600));
            let timespec = Timespec::try_from(wait).unwrap_or(Timespec {
                tv_sec: 3600,
                tv_nsec: 0,
            });
            let mut fds = [PollFd::new(&self.source, PollFlags::IN)];
            match poll(&mut fds, Some(&timespec)) {
                Ok(0) if Instant::now() >= deadline => return Fill::Timeout,
                Ok(0) => continue,
                // Readable, or hung up (then `read` says 0: end of file), or an
                // error that `read` reports.
                Ok(_) => ready = true,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Fill::Error(e.into()),
            }
        }
    }

    /// Takes the next chunk the reader thread read, waiting for it until `deadline`.
    #[cfg(not(unix))]
    fn fill(&mut self, deadline: Instant) -> Fill {
        use std::sync::mpsc::RecvTimeoutError;
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.source.recv_timeout(wait) {
            Ok(Ok(chunk)) if chunk.is_empty() => Fill::Eof,
            Ok(Ok(chunk)) => {
                self.make_room();
                if self.buf.len() - self.end < chunk.len() {
                    self.buf.resize(self.end + chunk.len(), 0);
                }
                if let Some(room) = self.buf.get_mut(self.end..self.end + chunk.len()) {
                    room.copy_from_slice(&chunk);
                }
                self.end += chunk.len();
                Fill::Data
            }
            Ok(Err(e)) => Fill::Error(e),
            Err(RecvTimeoutError::Disconnected) => Fill::Eof,
            Err(RecvTimeoutError::Timeout) => Fill::Timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use std::process::{Child, Stdio};

    use crate::protocol::spawn;

    /// A reader of what `sh -c script` writes, accepting lines of up to `max` bytes.
    fn reader(script: &str, max: usize) -> (Child, LineReader) {
        let mut child = spawn::shell(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        (child, LineReader::new(stdout, max))
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn lines_split_across_reads_and_a_last_line_without_newline() {
        let (mut child, mut lines) =
            reader("printf 'one\\ntw'; sleep 0.1; printf 'o\\n\\nlast'", 64);
        let mut line = Vec::new();
        for expected in ["one\n", "two\n", "\n", "last"] {
            assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Line);
            assert_eq!(line, expected.as_bytes());
        }
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Eof);
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Eof);
        child.wait().unwrap();
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error() {
        // Exactly the limit (newline included) is accepted.
        let (mut child, mut lines) = reader("printf '1234567\\n12345678\\n'", 8);
        let mut line = Vec::new();
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Line);
        assert_eq!(line, b"1234567\n");
        assert_eq!(
            lines.next_line(&mut line, soon()),
            ReadEvent::Error("an answer line longer than 8 bytes".to_owned())
        );
        child.wait().unwrap();
        // Without a newline at all, the error comes as soon as the limit is reached,
        // while the writer still waits.
        let (mut child, mut lines) = reader("printf '123456789'; sleep 5", 8);
        let start = Instant::now();
        assert!(matches!(
            lines.next_line(&mut line, soon()),
            ReadEvent::Error(_)
        ));
        assert!(start.elapsed() < Duration::from_secs(4));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_silent_writer_times_out_at_the_deadline_and_can_still_answer_later() {
        let (mut child, mut lines) = reader("sleep 0.5; echo late", 64);
        let mut line = Vec::new();
        let start = Instant::now();
        let deadline = start + Duration::from_millis(100);
        assert_eq!(lines.next_line(&mut line, deadline), ReadEvent::Timeout);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        assert!(waited < Duration::from_millis(450), "{waited:?}");
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Line);
        assert_eq!(line, b"late\n");
        child.wait().unwrap();
    }

    #[test]
    fn long_lines_grow_the_buffer() {
        let (mut child, mut lines) = reader(
            "head -c 300000 /dev/zero | tr '\\0' a; echo; echo short",
            1 << 20,
        );
        let mut line = Vec::new();
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Line);
        assert_eq!(line.len(), 300_001);
        assert!(line[..300_000].iter().all(|&b| b == b'a'));
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Line);
        assert_eq!(line, b"short\n");
        assert_eq!(lines.next_line(&mut line, soon()), ReadEvent::Eof);
        child.wait().unwrap();
    }
}
