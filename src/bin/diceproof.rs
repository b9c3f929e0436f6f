//! The `diceproof` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    diceproof::cli::main()
}
