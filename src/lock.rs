//! One dmctl at a time: cloud-init and an Ansible run may start together.

use anyhow::{Context, Result};
use nix::fcntl::{Flock, FlockArg};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Busy;

/// `DMCTL_LOCK_FILE` overrides the default `/run/lock/dmctl.lock`.
pub fn lock_path() -> PathBuf {
    if let Some(p) = std::env::var_os("DMCTL_LOCK_FILE") {
        return PathBuf::from(p);
    }
    if Path::new("/run/lock").is_dir() {
        PathBuf::from("/run/lock/dmctl.lock")
    } else {
        PathBuf::from("/run/dmctl.lock")
    }
}

/// Held until dropped.
pub struct Lock {
    _flock: Flock<File>,
}

/// Take the lock, waiting at most `timeout`; calls `waiting` once if the
/// lock is held by another process.
pub fn acquire(path: &Path, timeout: Duration, waiting: impl FnOnce()) -> Result<Lock> {
    let start = Instant::now();
    let mut waiting = Some(waiting);
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("opening lock file {}", path.display()))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(flock) => return Ok(Lock { _flock: flock }),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
                if let Some(w) = waiting.take() {
                    w();
                }
                if start.elapsed() >= timeout {
                    return Err(Busy(format!(
                        "another dmctl run has held {} for {}s: wait for it to finish, \
                         or raise --lock-timeout",
                        path.display(),
                        timeout.as_secs()
                    ))
                    .into());
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err((_, e)) => return Err(e).with_context(|| format!("locking {}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit, exit_code};

    #[test]
    fn second_holder_times_out_busy() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("dmctl.lock");
        let first = acquire(&p, Duration::ZERO, || {}).unwrap();
        let mut waited = false;
        let e = acquire(&p, Duration::from_millis(300), || waited = true)
            .err()
            .unwrap();
        assert!(waited);
        assert_eq!(exit_code(&e), exit::BUSY);
        drop(first);
        assert!(acquire(&p, Duration::ZERO, || {}).is_ok());
    }
}
