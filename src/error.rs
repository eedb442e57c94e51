//! Error kinds that map to dmctl's documented exit codes.
//!
//! Everything is carried as `anyhow::Error`; the kinds below are attached
//! as the root or a context of the chain, and [`exit_code`] finds them.

use std::fmt;

/// Exit statuses, documented in README and `dmctl --help`.
pub mod exit {
    /// Success, whether or not anything changed.
    pub const OK: i32 = 0;
    /// An external command or an I/O operation failed.
    pub const FAILURE: i32 = 1;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: i32 = 2;
    /// Refused: unsafe device, unexpected state or invalid input.
    /// Nothing was changed.
    pub const REFUSED: i32 = 3;
    /// Another dmctl run held the lock for longer than --lock-timeout.
    pub const BUSY: i32 = 4;
    /// `dmctl doctor`: the worst finding is a warning.
    pub const DOCTOR_WARN: i32 = 5;
    /// `dmctl doctor`: at least one finding is critical.
    pub const DOCTOR_CRITICAL: i32 = 6;
}

/// dmctl refused to act. Nothing was changed.
#[derive(Debug)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Refused {}

/// Another dmctl run holds the lock.
#[derive(Debug)]
pub struct Busy(pub String);

impl fmt::Display for Busy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Busy {}

/// Shorthand: an `anyhow::Error` that exits with [`exit::REFUSED`].
pub fn refused(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Refused(msg.into()))
}

/// The exit status for an error chain.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if cause.is::<Refused>() {
            return exit::REFUSED;
        }
        if cause.is::<Busy>() {
            return exit::BUSY;
        }
    }
    exit::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn refused_survives_context() {
        let e = Err::<(), _>(refused("disk is mounted"))
            .context("checking /dev/vdb")
            .unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert_eq!(exit_code(&anyhow::Error::new(Busy("x".into()))), exit::BUSY);
        assert_eq!(exit_code(&anyhow::anyhow!("io")), exit::FAILURE);
    }
}
