//! dmctl: provision and operate LVM thin pools for container storage.
//!
//! `main.rs` parses the command line and calls [`run`]; each subcommand is
//! one function, `cmd::<name>::run`. ARCHITECTURE.md maps the layers.

/// A real tool output captured in the VM (`tests/fixtures/vm/NAME`), for
/// the unit tests of the parsers that read it.
#[cfg(test)]
macro_rules! vm_fixture {
    ($n:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vm/",
            $n
        ))
    };
}

pub mod bootunit;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod containerd;
pub mod device;
pub mod dm;
pub mod dm_ioctl;
pub mod docker;
pub mod doctor;
pub mod engine;
pub mod error;
pub mod exec;
pub mod facts;
pub mod fsutil;
pub mod lock;
pub mod lvm;
pub mod mounts;
pub mod pool;
pub mod status;
pub mod targets;
#[cfg(test)]
pub mod testkit;
pub mod tools;
pub mod ui;

use cli::{Cli, Command, Format};

/// Run a parsed command; returns the process exit status.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let g = &cli.global;
    if g.format == Format::Prometheus && !matches!(cli.command, Command::Status(_)) {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::InvalidValue,
                "--format prometheus is only for `dmctl status`",
            )
            .exit();
    }
    match &cli.command {
        Command::Setup(a) => cmd::setup::run(g, a),
        Command::Pvcreate(a) => cmd::pvcreate::run(g, a),
        Command::Vgcreate(a) => cmd::vgcreate::run(g, a),
        Command::Lvcreate(a) => cmd::lvcreate::run(g, a),
        Command::Lvconvert(a) => cmd::lvconvert::run(g, a),
        Command::Profile(a) => cmd::profile::run(g, a),
        Command::DaemonJson(a) => cmd::daemon_json::run(g, a),
        Command::ContainerdConfig(a) => cmd::containerd::run(g, a),
        Command::DataLv(a) => cmd::data_lv::run(g, a),
        Command::Activate(a) => cmd::activate::run(g, a),
        Command::Status(a) => cmd::status::run(g, a),
        Command::Doctor(a) => cmd::doctor::run(g, a),
        Command::Extend(a) => cmd::extend::run(g, a),
        Command::Teardown(a) => cmd::teardown::run(g, a),
    }
}
