//! `hipc serve-model`: the reference model kernel behind the out-of-process protocol.

use std::io::{self, Write};
use std::process::ExitCode;

use crate::kernel::Kernel;
use crate::model::{Fault, Flavour, ModelKernel, ModelOptions};
use crate::protocol::server::{Features, serve_with};

/// Serve the reference model kernel over the out-of-process kernel protocol
/// (`hipc-kernel/1`, conformance/PROTOCOL.md) on stdin/stdout, until stdin ends.
///
/// It is the protocol's own test (`hipc run --kernel-cmd "hipc serve-model"` must
/// give exactly the results of `hipc run --kernel model`) and a reference
/// implementation to compare an adapter's exchanges with.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ServeModelArgs {
    /// Serve the model with one deliberate bug (`hipc faults` lists them).
    #[arg(long, value_name = "NAME", conflicts_with = "ams")]
    pub fault: Option<String>,
    /// Serve the model with Atmosphère's behaviour (the `model-ams` kernel).
    #[arg(long)]
    pub ams: bool,
    /// Shape the model like a kernel unlike it: a comma-separated list of
    /// user-buffer-only (SunriseOS: only the ...WithUserBuffer syscalls), tls-only,
    /// addr32 (a 32-bit address space), no-attributes (no memory attributes),
    /// no-system-states (no regions in the kernel's, drivers' or newer memory states),
    /// zero-out-index (out_index written as 0 where the kernel leaves it, which
    /// kernel-semantics.md §9 allows). What a flavour lacks is not declared.
    #[arg(long, value_name = "LIST", default_value = "")]
    pub flavour: String,
    /// Declare no protocol features (PROTOCOL.md §3) and refuse their forms:
    /// answer as a kernel that predates them, which the runner then sends every
    /// request in its full form.
    #[arg(long)]
    pub no_features: bool,
}

/// Runs `hipc serve-model`.
pub fn run(args: &ServeModelArgs) -> ExitCode {
    let flavour = match Flavour::parse(&args.flavour) {
        Ok(flavour) => flavour,
        Err(message) => {
            let _ = writeln!(io::stderr(), "error: {message}");
            return ExitCode::from(2);
        }
    };
    let fault = match &args.fault {
        Some(name) => match Fault::from_name(name) {
            Some(fault) => Some(fault),
            None => {
                let _ = writeln!(
                    io::stderr(),
                    "error: unknown fault {name:?} (`hipc faults` lists the faults)"
                );
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let mut kernel: Box<dyn Kernel> = Box::new(ModelKernel::with_options(ModelOptions {
        ams_pid_passthrough: args.ams,
        fault,
        flavour,
    }));
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    // Requests carrying memory contents run to megabytes: read them in large
    // chunks (and a request that fits is parsed in the buffer, not copied out).
    let mut input = io::BufReader::with_capacity(1 << 20, Input::new());
    let features = if args.no_features {
        Features::NONE
    } else {
        Features::ALL
    };
    match serve_with(kernel.as_mut(), features, &mut input, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The standard input, read unbuffered (the caller buffers). On Unix a read that
/// would block first spins briefly ([`crate::protocol::spin`]): the runner's next
/// request usually comes within microseconds of the last answer.
struct Input {
    stdin: io::Stdin,
    #[cfg(unix)]
    spinner: crate::protocol::spin::Spinner,
}

impl Input {
    fn new() -> Input {
        Input {
            stdin: io::stdin(),
            #[cfg(unix)]
            spinner: crate::protocol::spin::Spinner::new(),
        }
    }
}

impl io::Read for Input {
    #[cfg(unix)]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.spinner.wait(&self.stdin, None);
        loop {
            match rustix::io::read(&self.stdin, &mut *buf) {
                Err(rustix::io::Errno::INTR) => {}
                result => return result.map_err(io::Error::from),
            }
        }
    }

    #[cfg(not(unix))]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stdin.lock().read(buf)
    }
}
