//! Starting a kernel command, and saying how it ended.
//!
//! `--kernel-cmd` is a shell command line. Run as `sh -c CMD`, a kernel killed by
//! a signal is seen by the runner only as the shell's exit status 128 + N (dash,
//! Debian's `sh`, does not replace itself with the last command), and the signal is
//! lost. So a *simple* command (one program with its arguments and redirections) is
//! run as `sh -c 'exec CMD'`: the kernel is then the runner's own child and its
//! signal is reported as such. A compound command (`cd dir && ./kernel`) keeps its
//! shell, and a status 129..=192 is reported as the shell's account of a signal.

use std::process::{Command, ExitStatus};

/// Characters that make a command line more than one simple command.
const COMPOUND: &[char] = &[';', '&', '|', '(', ')', '`', '\n', '{', '}'];
/// Shell words that start a compound command, and built-ins `exec` cannot run.
const KEYWORDS: &[&str] = &[
    "if", "while", "until", "for", "case", "!", "exec", "time", "then", "do", "exit", "cd",
    "export", "set", "eval", ".", "source", "return", "ulimit", "umask",
];

/// Whether `command` is one program with its arguments, which `exec` can replace
/// the shell with. A leading `NAME=value` assignment, a keyword or any
/// [`COMPOUND`] character makes it compound.
pub(crate) fn is_simple(command: &str) -> bool {
    let first = command.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && !command.contains(COMPOUND)
        && !first.contains('=')
        && !KEYWORDS.contains(&first)
}

/// The command that runs `command` (see the module documentation).
#[cfg(unix)]
pub(crate) fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    if is_simple(command) {
        cmd.arg("-c").arg(format!("exec {command}"));
    } else {
        cmd.arg("-c").arg(command);
    }
    cmd
}

/// The command that runs `command` (see the module documentation).
#[cfg(not(unix))]
pub(crate) fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}

/// The usual name of a signal (Linux numbering), for reports.
pub(crate) fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => return None,
    })
}

fn signal_text(signal: i32) -> String {
    match signal_name(signal) {
        Some(name) => format!("signal {signal} ({name})"),
        None => format!("signal {signal}"),
    }
}

/// How a kernel process ended, for a report: `killed by signal 6 (SIGABRT)`,
/// `exit status 3`, `still running; killed`. `compound` says the command ran
/// under its shell ([`is_simple`] was false), whose status 128 + N is then read as
/// signal N.
pub(crate) fn describe_status(status: Option<ExitStatus>, compound: bool) -> String {
    let Some(status) = status else {
        return "still running; killed".to_owned();
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by {}", signal_text(signal));
        }
    }
    match status.code() {
        Some(code @ 129..=192) if compound => format!(
            "killed by {} (the shell running the command reported exit status {code})",
            signal_text(code - 128)
        ),
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn simple_and_compound_commands() {
        for simple in [
            "hipc serve-model",
            "'/tmp/my kernel' --flag 2>/tmp/log",
            "python3 k.py $HOME",
        ] {
            assert!(is_simple(simple), "{simple}");
        }
        for compound in [
            "cd x && ./k",
            "./a; ./b",
            "./k | tee log",
            "RUST_BACKTRACE=1 ./k",
            "exec ./k",
            "if true; then ./k; fi",
            "",
        ] {
            assert!(!is_simple(compound), "{compound}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn signals_are_named_whatever_the_shell() {
        let status = |cmd: &str| shell(cmd).status().unwrap();
        // Simple: exec'd, so the signal reaches the runner.
        let simple = status("kill -ABRT $$");
        assert_eq!(
            describe_status(Some(simple), false),
            "killed by signal 6 (SIGABRT)"
        );
        // Compound: the shell reports 128 + N.
        let compound = status("true && sh -c 'kill -SEGV $$'");
        assert_eq!(
            describe_status(Some(compound), true),
            "killed by signal 11 (SIGSEGV) (the shell running the command reported exit status 139)"
        );
        assert_eq!(
            describe_status(Some(status("exit 3")), true),
            "exit status 3"
        );
        assert_eq!(
            describe_status(Some(status("sh -c 'exit 3'")), false),
            "exit status 3"
        );
        assert_eq!(describe_status(None, false), "still running; killed");
    }
}
