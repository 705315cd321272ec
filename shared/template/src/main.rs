//! `particle-template`: render templates and run spec files. All logic lives in the library's
//! `cli` module so it is tested like the rest.

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    std::process::ExitCode::from(particle_template::cli::run(&args, &mut stdout, &mut stderr))
}
