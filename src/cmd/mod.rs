//! One module per subcommand (the six steps share `setup`).

pub mod daemon_json;
pub mod doctor;
pub mod extend;
pub mod setup;
pub mod status;
pub mod teardown;

use crate::cli::GlobalOpts;
use crate::exec::{DryRunner, Runner, SystemRunner};
use crate::ui::{Ui, Verbosity};

/// The Ui for the global flags.
pub fn ui(g: &GlobalOpts) -> Ui {
    Ui::new(if g.quiet {
        Verbosity::Quiet
    } else if g.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    })
}

/// Refuse unless running as root.
pub fn require_root(what: &str) -> anyhow::Result<()> {
    if nix::unistd::geteuid().is_root() {
        Ok(())
    } else {
        Err(crate::error::refused(format!(
            "dmctl {what} must run as root (it drives lvm2 and writes /etc): try `sudo dmctl {what} ...`"
        )))
    }
}

/// Take dmctl's lock (commands that change things), saying so when another
/// run holds it.
pub fn lock(g: &GlobalOpts, ui: &Ui) -> anyhow::Result<crate::lock::Lock> {
    let path = crate::lock::lock_path();
    crate::lock::acquire(
        &path,
        std::time::Duration::from_secs(g.lock_timeout),
        || {
            ui.info(&format!(
                "waiting for another dmctl run ({})",
                path.display()
            ))
        },
    )
}

/// The runner of a command that changes things: the real one, or a dry
/// one with `--dry-run`.
pub enum Runners<'a> {
    Real(SystemRunner<'a>),
    Dry(DryRunner<'a>),
}

impl<'a> Runners<'a> {
    /// Also returns true when udevd is not running: lvm then runs with
    /// `DM_DISABLE_UDEV=1` (it creates the /dev nodes itself).
    pub fn new(g: &GlobalOpts, ui: &'a Ui) -> (Self, bool) {
        let mut sys = SystemRunner::new(ui);
        let no_udev = !setup::udev_running();
        if no_udev {
            sys.set_env("DM_DISABLE_UDEV", "1");
        }
        let r = if g.dry_run {
            Runners::Dry(DryRunner::new(sys))
        } else {
            Runners::Real(sys)
        };
        (r, no_udev)
    }

    pub fn get(&self) -> &dyn Runner {
        match self {
            Runners::Real(r) => r,
            Runners::Dry(r) => r,
        }
    }
}

/// Refuse (nothing changed) when one of the tools is missing.
pub fn require_tools(names: &[&str]) -> anyhow::Result<()> {
    match names.iter().find(|t| crate::tools::find(t).is_none()) {
        None => Ok(()),
        Some(t) => Err(crate::error::refused(format!(
            "`{t}` not found in PATH or {}: install {}",
            crate::tools::SBIN_DIRS.join(", "),
            crate::tools::package_of(t)
        ))),
    }
}
