//! The checked-in completions/ and man/ must be what the current clap
//! definition generates. Host only: renders in memory, compares with the
//! repository, and names the one command that fixes a difference.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[path = "../examples/gen-docs.rs"]
mod gen_docs;

const REGEN: &str = "cargo run --example gen-docs";

#[test]
fn completions_and_man_pages_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let want = gen_docs::render().expect("render completions and man pages");
    let mut problems = Vec::new();
    for (rel, data) in &want {
        match std::fs::read(root.join(rel)) {
            Ok(have) if have == *data => {}
            Ok(_) => problems.push(format!("{} differs", rel.display())),
            Err(_) => problems.push(format!("{} is missing", rel.display())),
        }
    }
    let wanted: BTreeSet<&PathBuf> = want.iter().map(|(p, _)| p).collect();
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten() {
            let rel = Path::new(dir).join(entry.unwrap().file_name());
            if !wanted.contains(&rel) {
                problems.push(format!("{} is no longer generated", rel.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "completions/ and man/ are stale (the CLI in src/cli.rs changed):\n  {}\n\
         run `{REGEN}` to regenerate them, then commit the result",
        problems.join("\n  ")
    );
}

#[test]
fn every_shell_and_every_subcommand_is_covered() {
    let want = gen_docs::render().unwrap();
    let names: Vec<String> = want.iter().map(|(p, _)| p.display().to_string()).collect();
    for f in [
        "completions/dmctl.bash",
        "completions/_dmctl",
        "completions/dmctl.fish",
        "completions/dmctl.elv",
        "completions/_dmctl.ps1",
        "man/dmctl.1",
        "man/dmctl-setup.1",
        "man/dmctl-daemon-json.1",
        "man/dmctl-status.1",
        "man/dmctl-teardown.1",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} not generated: {names:?}");
    }
    use clap::CommandFactory;
    let subs = dmctl::cli::Cli::command().get_subcommands().count();
    let pages = names.iter().filter(|n| n.starts_with("man/dmctl-")).count();
    assert_eq!(subs, pages, "one man page per subcommand: {names:?}");
    // The pages carry the examples and the exit codes of --help.
    let page = |n: &str| {
        let (_, d) = want.iter().find(|(p, _)| p.ends_with(n)).unwrap();
        String::from_utf8(d.clone()).unwrap()
    };
    assert!(page("dmctl.1").contains("Exit status:"));
    assert!(page("dmctl-setup.1").contains("dmctl setup /dev/sdb"));
    assert!(
        page("dmctl-setup.1").contains("\\-\\-dry\\-run"),
        "global flags on subcommand pages"
    );
}
