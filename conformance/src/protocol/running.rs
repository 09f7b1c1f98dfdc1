//! The kernel's child process: spawned in its own process group, its stderr
//! kept in a log, killed with its group when it misbehaves.

use std::io::{self, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::client::MAX_LINE;
use super::line_reader::LineReader;
use super::spawn;
use super::stderr_log::StderrLog;

pub(super) struct Running {
    pub(super) child: Child,
    pub(super) stdin: Option<ChildStdin>,
    pub(super) lines: LineReader,
    pub(super) stderr: Arc<Mutex<StderrLog>>,
    /// The command ran under its shell (see [`spawn`]).
    pub(super) compound: bool,
}

impl Running {
    pub(super) fn spawn(command: &str) -> io::Result<Running> {
        let mut cmd = spawn::shell(command);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout pipe"))?;
        let lines = LineReader::new(stdout, usize::try_from(MAX_LINE).unwrap_or(usize::MAX));
        let stderr_pipe = child.stderr.take();
        let stderr = Arc::new(Mutex::new(StderrLog::default()));
        let tail = Arc::clone(&stderr);
        thread::spawn(move || {
            if let Some(mut pipe) = stderr_pipe {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                        break;
                    };
                    if let Ok(mut log) = tail.lock() {
                        log.push(chunk);
                    }
                }
            }
            if let Ok(mut tail) = tail.lock() {
                tail.done = true;
            }
        });
        Ok(Running {
            child,
            stdin,
            lines,
            stderr,
            compound: !spawn::is_simple(command),
        })
    }

    /// What the child's stderr says ([`StderrLog::summary`]: the cause, then the
    /// last lines), waiting up to `wait` for it to close.
    pub(super) fn stderr_summary(&self, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let done = self.stderr.lock().map(|t| t.done).unwrap_or(true);
            if done || Instant::now() >= deadline {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.stderr
            .lock()
            .map(|log| log.summary())
            .unwrap_or_default()
    }

    /// Waits up to `wait` for the child to exit by itself.
    pub(super) fn wait_exit(&mut self, wait: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                _ => return None,
            }
        }
    }

    /// Kills the child's process group and reaps the child.
    pub(super) fn kill(&mut self) {
        self.stdin = None;
        #[cfg(unix)]
        {
            // `kill -9 -PGID`: the child leads its own process group
            // (`process_group(0)`), so this also ends anything it started. Through
            // `sh` because the crate forbids `unsafe` (no direct `kill(2)`). The
            // spelling matters: dash's builtin `kill` (Debian's `sh`) refuses both
            // `--` and `-KILL` before a negative process-group id, which left a hung
            // kernel's own children running.
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -9 -{} 2>/dev/null", self.child.id()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Closing stdin asks the kernel to exit; give it a moment, then kill.
        self.stdin = None;
        if self.wait_exit(Duration::from_millis(500)).is_none() {
            self.kill();
        }
    }
}
