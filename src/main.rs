//! The `crossdock` binary: everything lives in the library so tests can reach it.

fn main() -> std::process::ExitCode {
    crossdock::cli::run(std::env::args_os())
}
