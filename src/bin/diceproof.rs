//! The `diceproof` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    // Behave like other Unix filters when the reader of our output goes away
    // (`diceproof check | head`): end quietly instead of panicking on EPIPE.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    diceproof::cli::main()
}
