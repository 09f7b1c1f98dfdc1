//! Bounded, adaptive spinning before a blocking read of a pipe (Unix).
//!
//! Over a pipe, one protocol round trip costs two wake-ups of a blocked reader:
//! the kernel process's when a request arrives, the runner's when the answer
//! does. On a virtual machine a wake-up of an idle core is expensive (the
//! hypervisor resumes a halted vCPU), and a fast kernel answers in a few
//! microseconds, less than the wake-up itself. So before blocking, a reader polls
//! the pipe without waiting, for at most [`SPIN`], yielding the core between polls
//! (`sched_yield`: a peer that shares this core runs at once). When the data comes
//! within that time, neither side sleeps. On the 2-core development VM, idle, a
//! trivial round trip took 19 µs without spinning and 5-6 µs with it.
//!
//! Bounded: one wait spins for at most [`SPIN`]. Adaptive: a spin that ends
//! without data, or during which a yield ran another thread (the core is shared,
//! with the peer or with other work: there blocking is cheap and spinning takes
//! time from the others), makes the next waits skip spinning (1, 2, 4, ... up to
//! [`MAX_SKIP`] of them), and a spin that gets data resets that. So a slow peer (a
//! kernel that takes milliseconds per operation, a runner between vectors, a
//! runner that is done) costs at most about `SPIN / MAX_SKIP` of CPU per wait.
//! The CPU time of a corpus run did not grow (fewer sleeps, fewer context
//! switches). Beside other CPU-bound work spinning still costs some: on that VM
//! with one busy-looping process, `hipc run` over the kernel corpus took
//! 0.20-0.31 s with spinning and 0.19-0.25 s without (0.17-0.22 s and 0.35-0.40 s
//! on the otherwise lightly loaded VM). `HIPC_SPIN=0` in the environment
//! (inherited by the kernel process) turns spinning off on both sides.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};

/// The longest one wait spins.
pub(crate) const SPIN: Duration = Duration::from_micros(50);
/// A yield that took this long ran another thread.
pub(crate) const SHARED: Duration = Duration::from_micros(5);
/// The most waits that skip spinning after spins that found nothing.
pub(crate) const MAX_SKIP: u32 = 64;

/// The state of the adaptation (see the module docs).
#[derive(Debug)]
pub(crate) struct Spinner {
    /// Spinning is on (`HIPC_SPIN` is not `0`).
    on: bool,
    /// Waits left that do not spin.
    skip: u32,
    /// How many the next fruitless spin makes skip.
    backoff: u32,
}

impl Spinner {
    /// A spinner, on unless the environment says `HIPC_SPIN=0`.
    pub(crate) fn new() -> Spinner {
        Spinner {
            on: std::env::var_os("HIPC_SPIN").is_none_or(|v| v != "0"),
            skip: 0,
            backoff: 0,
        }
    }

    /// Spins until `fd` is readable (or hung up, or in error: whatever makes a
    /// read return at once), for at most [`SPIN`] and not past `deadline`. True
    /// when it is; false when the caller has to block (it may have become readable
    /// since, which the blocking wait then sees at once).
    pub(crate) fn wait(&mut self, fd: impl AsFd, deadline: Option<Instant>) -> bool {
        if !self.on {
            return false;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        let start = Instant::now();
        let stop = match deadline {
            Some(deadline) => deadline.min(start + SPIN),
            None => start + SPIN,
        };
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let mut shared = false;
        loop {
            let mut fds = [PollFd::new(&fd, PollFlags::IN)];
            if matches!(poll(&mut fds, Some(&zero)), Ok(n) if n > 0) {
                if shared {
                    self.back_off();
                } else {
                    self.backoff = 0;
                }
                return true;
            }
            let now = Instant::now();
            if now >= stop || shared {
                self.back_off();
                return false;
            }
            std::thread::yield_now();
            // The yield ran another thread: this core is shared (with the peer,
            // or with other work), where blocking costs little and spinning
            // takes time from the others.
            shared = now.elapsed() >= SHARED;
        }
    }

    /// After a spin that found nothing, or found the core shared: skip the next
    /// ones.
    fn back_off(&mut self) {
        self.backoff = (self.backoff * 2).clamp(1, MAX_SKIP);
        self.skip = self.backoff;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    #[test]
    fn a_fruitless_spin_backs_off_and_data_resets_it() {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut spinner = Spinner {
            on: true,
            skip: 0,
            backoff: 0,
        };
        let start = Instant::now();
        assert!(!spinner.wait(&stdout, None));
        assert!(start.elapsed() >= SPIN);
        assert_eq!((spinner.skip, spinner.backoff), (1, 1));
        assert!(!spinner.wait(&stdout, None));
        assert_eq!(spinner.skip, 0);
        assert!(!spinner.wait(&stdout, None));
        assert_eq!((spinner.skip, spinner.backoff), (2, 2));
        for _ in 0..20 {
            spinner.skip = 0;
            assert!(!spinner.wait(&stdout, Some(Instant::now())));
        }
        assert_eq!(spinner.backoff, MAX_SKIP);
        spinner.skip = 0;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"x\n").unwrap();
        stdin.flush().unwrap();
        // `cat` echoes the line; the spin sees it (or blocks after and reads it).
        let deadline = Instant::now() + Duration::from_secs(10);
        while !spinner.wait(&stdout, Some(deadline)) {
            spinner.skip = 0;
            assert!(Instant::now() < deadline);
        }
        // Reset; or backed off again when a yield showed the core shared (a busy
        // test machine).
        assert!(
            spinner.backoff == 0 || spinner.skip == spinner.backoff,
            "{spinner:?}"
        );
        drop(stdin);
        child.wait().unwrap();
        // Off: never spins.
        let mut off = Spinner {
            on: false,
            skip: 0,
            backoff: 0,
        };
        assert!(!off.wait(&stdout, None));
    }
}
