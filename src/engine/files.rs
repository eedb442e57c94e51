//! The engine's file changes: temp file in the same directory, fsync,
//! rename over the target, fsync the directory; the previous file is kept
//! as `<name>.dmctl-bak` and its permissions are preserved.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::Live;
use crate::fsutil::backup_path;

/// Replace `path` with `content` atomically. A new file gets `new_mode`;
/// an existing one keeps its mode and is first copied to its backup path.
/// Returns the backup path when one was made.
pub fn write_atomic(
    path: &Path,
    content: &str,
    new_mode: u32,
    _live: &Live,
) -> Result<Option<PathBuf>> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))?;
    let old_mode = match fs::metadata(path) {
        Ok(m) => Some(m.permissions().mode() & 0o7777),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let backup = match old_mode {
        Some(_) => {
            let b = backup_path(path);
            fs::copy(path, &b)
                .with_context(|| format!("backing up {} to {}", path.display(), b.display()))?;
            Some(b)
        }
        None => None,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dmctl-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(content.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("writing a temporary file in {}", dir.display()))?;
    fs::set_permissions(
        tmp.path(),
        fs::Permissions::from_mode(old_mode.unwrap_or(new_mode)),
    )
    .with_context(|| format!("setting the mode of a temporary file in {}", dir.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("renaming a temporary file onto {}", path.display()))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing directory {}", dir.display()))?;
    Ok(backup)
}

/// Remove a file; one already gone is fine.
pub fn remove(path: &Path, _live: &Live) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
    }
}

/// Wait until `path` exists, polling every 100 ms, for at most `secs`.
pub fn wait_for(path: &Path, secs: u64) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !path.exists() {
        if std::time::Instant::now() >= deadline {
            anyhow::bail!(
                "{} did not appear within {secs} s (is udevd running? \
                 `udevadm settle`, then `dmsetup mknodes`)",
                path.display()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_replaces_with_backup_and_mode() {
        let live = Live { _private: () };
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/daemon.json");
        assert_eq!(crate::fsutil::read_optional(&p).unwrap(), None);
        assert_eq!(write_atomic(&p, "one\n", 0o644, &live).unwrap(), None);
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        let b = write_atomic(&p, "two\n", 0o644, &live).unwrap().unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two\n");
        assert_eq!(fs::read_to_string(&b).unwrap(), "one\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // No temp files left behind.
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        remove(&p, &live).unwrap();
        remove(&p, &live).unwrap();
        assert!(!p.exists());
    }
}
