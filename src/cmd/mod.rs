//! One module per subcommand (the six steps share `setup`).

pub mod daemon_json;
pub mod doctor;
pub mod extend;
pub mod setup;
pub mod status;
pub mod teardown;

use crate::cli::GlobalOpts;
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
