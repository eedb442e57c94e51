//! Regenerate the checked-in shell completions (`completions/`) and man
//! pages (`man/`) from dmctl's clap definition (`src/cli.rs`):
//!
//!     cargo run --example gen-docs
//!
//! Run it after any change to the CLI; `cargo test` fails while they are
//! stale (tests/generated_docs.rs). `--out DIR` writes into DIR instead of
//! the repository (DIR/completions, DIR/man).
//!
//! This is an example, not a binary, so `cargo install` does not ship it and
//! clap_complete / clap_mangen stay dev-dependencies.

use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use std::io;
use std::path::{Path, PathBuf};

/// The shells we ship completions for, in `completions/` under clap_complete's
/// conventional file names (dmctl.bash, _dmctl, dmctl.fish, dmctl.elv,
/// _dmctl.ps1).
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// Every generated file as (path relative to the output root, contents).
pub fn render() -> io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for shell in SHELLS {
        let mut cmd = dmctl::cli::Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "dmctl", &mut buf);
        files.push((Path::new("completions").join(shell.file_name("dmctl")), buf));
    }
    let mut cmd = dmctl::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut man = |c: clap::Command, name: String| -> io::Result<()> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(c).render(&mut buf)?;
        files.push((Path::new("man").join(format!("{name}.1")), buf));
        Ok(())
    };
    man(cmd.clone(), "dmctl".to_string())?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("dmctl-{}", sub.get_name());
        // The page's title line: "dmctl-setup 0.1.0" (clap's names are &'static).
        let title: &'static str = Box::leak(name.clone().into_boxed_str());
        let page = sub.clone().name(title).version(env!("CARGO_PKG_VERSION"));
        man(page, name)?;
    }
    Ok(files)
}

/// Write every generated file under `root`, removing files of ours that the
/// CLI no longer produces (a removed subcommand's page).
pub fn write_all(root: &Path) -> io::Result<Vec<PathBuf>> {
    let files = render()?;
    for dir in ["completions", "man"] {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            let rel = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
            if p.is_file() && !files.iter().any(|(f, _)| *f == rel) {
                std::fs::remove_file(&p)?;
            }
        }
    }
    let mut written = Vec::new();
    for (rel, data) in files {
        let path = root.join(&rel);
        std::fs::write(&path, data)?;
        written.push(rel);
    }
    Ok(written)
}

#[allow(dead_code)] // also compiled into tests/generated_docs.rs, which has its own main
fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let root = match (args.next().as_deref(), args.next()) {
        (None, _) => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        (Some("--out"), Some(dir)) => PathBuf::from(dir),
        _ => {
            eprintln!("usage: cargo run --example gen-docs [-- --out DIR]");
            std::process::exit(2);
        }
    };
    let written = write_all(&root)?;
    for rel in &written {
        println!("{}", root.join(rel).display());
    }
    eprintln!("gen-docs: {} files written", written.len());
    Ok(())
}
