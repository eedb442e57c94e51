use clap::Parser;

fn main() {
    let cli = dmctl::cli::Cli::parse();
    match dmctl::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("dmctl: error: {e:#}");
            std::process::exit(dmctl::error::exit_code(&e));
        }
    }
}
