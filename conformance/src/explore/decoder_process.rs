//! A decoder under test in another process: one hex line in, one line out (the
//! `hipc decode --json` line contract). Like the kernel protocol's client
//! (crate::protocol::client), every answer is awaited with a timeout, and a
//! decoder that hangs, exits or closes its output is reported as such and
//! restarted for the next line.

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use crate::protocol::spawn::{describe_status, is_simple, shell};

/// What the decoder did with one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// It answered this line (without its line end).
    Line(String),
    /// It did not answer within the timeout (it was killed).
    Hang,
    /// It exited or closed its output instead of answering; how.
    Exited(String),
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<io::Result<String>>,
}

/// The decoder process, started on first use and after each failure.
pub struct DecoderProcess {
    command: String,
    timeout: Duration,
    running: Option<Running>,
    /// How many times it was started.
    pub starts: usize,
}

impl DecoderProcess {
    /// A decoder run with `sh -c command`, allowed `timeout` per line.
    pub fn new(command: &str, timeout: Duration) -> Self {
        DecoderProcess {
            command: command.to_owned(),
            timeout,
            running: None,
            starts: 0,
        }
    }

    fn start(&mut self) -> io::Result<&mut Running> {
        if self.running.is_none() {
            let mut child = shell(&self.command)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?;
            let stdin = child
                .stdin
                .take()
                .ok_or_else(|| io::Error::other("no stdin"))?;
            let stdout = child
                .stdout
                .take()
                .ok_or_else(|| io::Error::other("no stdout"))?;
            let (tx, rx) = channel();
            // A reader thread keeps the timeout simple and portable: decoders are
            // slow next to the codec anyway.
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let end = line.is_err();
                    if tx.send(line).is_err() || end {
                        break;
                    }
                }
            });
            self.starts += 1;
            self.running = Some(Running {
                child,
                stdin,
                lines: rx,
            });
        }
        self.running
            .as_mut()
            .ok_or_else(|| io::Error::other("not running"))
    }

    /// Sends one line of hex and waits for the answer.
    pub fn ask(&mut self, hex: &str) -> Answer {
        let timeout = self.timeout;
        let running = match self.start() {
            Ok(r) => r,
            Err(e) => return Answer::Exited(format!("could not be started: {e}")),
        };
        let sent = running
            .stdin
            .write_all(hex.as_bytes())
            .and_then(|()| running.stdin.write_all(b"\n"))
            .and_then(|()| running.stdin.flush());
        let answer = match sent {
            Err(_) => None,
            Ok(()) => match running.lines.recv_timeout(timeout) {
                Ok(Ok(line)) => return Answer::Line(line),
                Err(RecvTimeoutError::Timeout) => Some(Answer::Hang),
                Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => None,
            },
        };
        self.stop(answer)
    }

    /// Ends the process after a failure: killed when it hung, else its exit status
    /// is collected for the report.
    fn stop(&mut self, answer: Option<Answer>) -> Answer {
        let Some(mut running) = self.running.take() else {
            return Answer::Exited("not running".into());
        };
        drop(running.stdin);
        if answer == Some(Answer::Hang) {
            let _ = running.child.kill();
            let _ = running.child.wait();
            return Answer::Hang;
        }
        let mut status = None;
        for _ in 0..100 {
            if let Ok(Some(s)) = running.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if status.is_none() {
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
        Answer::Exited(describe_status(status, !is_simple(&self.command)))
    }
}

impl Drop for DecoderProcess {
    fn drop(&mut self) {
        if let Some(mut running) = self.running.take() {
            drop(running.stdin);
            if running.child.wait_timeout_free().is_none() {
                let _ = running.child.kill();
                let _ = running.child.wait();
            }
        }
    }
}

/// Waiting a moment for a child that was asked to end by closing its input.
trait WaitBriefly {
    fn wait_timeout_free(&mut self) -> Option<std::process::ExitStatus>;
}

impl WaitBriefly for Child {
    fn wait_timeout_free(&mut self) -> Option<std::process::ExitStatus> {
        for _ in 0..50 {
            if let Ok(Some(s)) = self.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}
