//! dmctl: provision and operate LVM thin pools for container storage.
//!
//! `main.rs` parses the command line and calls [`run`]; each subcommand is
//! one function in [`cmd`].

pub mod cli;
pub mod cmd;
pub mod config;
pub mod containerd;
pub mod device;
pub mod dm;
pub mod docker;
pub mod error;
pub mod exec;
pub mod fsutil;
pub mod lock;
pub mod lvm;
pub mod overlay;
pub mod plan;
pub mod tools;
pub mod ui;

use cli::{Cli, Command, Format};
use cmd::setup::RunOpts;
use plan::Scope;

fn dev(a: &cli::DeviceArgs) -> RunOpts<'_> {
    RunOpts {
        device: Some(a.device.as_path()),
        force: a.force,
        ..Default::default()
    }
}

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
    let none = RunOpts::default();
    match &cli.command {
        Command::Setup(a) => cmd::setup::run(
            g,
            Scope::Setup,
            &RunOpts {
                device: Some(&a.device),
                force: a.force,
                install_unit: a.install_unit,
                ..Default::default()
            },
            &a.pool,
        ),
        Command::Pvcreate(a) => cmd::setup::run(g, Scope::Pvcreate, &dev(a), &a.pool),
        Command::Vgcreate(a) => cmd::setup::run(g, Scope::Vgcreate, &dev(a), &a.pool),
        Command::Lvcreate(a) => cmd::setup::run(g, Scope::Lvcreate, &none, &a.pool),
        Command::Lvconvert(a) => cmd::setup::run(g, Scope::Lvconvert, &none, &a.pool),
        Command::Profile(a) => cmd::setup::run(g, Scope::Profile, &none, &a.pool),
        Command::DaemonJson(a) => match &a.check {
            Some(file) => cmd::daemon_json::check(g, file.as_deref(), &a.pool),
            None => cmd::setup::run(g, Scope::DaemonJson, &none, &a.pool),
        },
        Command::ContainerdConfig(a) => cmd::setup::run(g, Scope::ContainerdConfig, &none, &a.pool),
        Command::DataLv(a) => cmd::setup::run(g, Scope::DataLv, &none, &a.pool),
        Command::Activate(a) => cmd::setup::run(
            g,
            Scope::Activate,
            &RunOpts {
                wait: a.wait,
                ..Default::default()
            },
            &a.pool,
        ),
        Command::Status(a) => cmd::status::run(g, a.pool.as_deref()),
        Command::Doctor(a) => cmd::doctor::run(g, a.pool.as_deref()),
        Command::Extend(a) => cmd::extend::run(g, a),
        Command::Teardown(a) => cmd::teardown::run(g, a),
    }
}
