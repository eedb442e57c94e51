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
///
/// A symlink (a file kept by configuration management) stays a link: its
/// target gets the content. The backup is itself written atomically, so a
/// full filesystem leaves neither a partial backup nor a partial file.
/// Temporary files a killed run left in the directory are removed first
/// (dmctl's lock means no other run is writing there).
pub fn write_atomic(
    path: &Path,
    content: &str,
    new_mode: u32,
    _live: &Live,
) -> Result<Option<PathBuf>> {
    let path = &resolve_link(path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))?;
    remove_leftovers(dir);
    let old_mode = match fs::metadata(path) {
        Ok(m) => Some(m.permissions().mode() & 0o7777),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let backup = match old_mode {
        Some(mode) => {
            let b = backup_path(path);
            let old = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            replace(dir, &b, &old, mode)
                .with_context(|| format!("backing up {} to {}", path.display(), b.display()))?;
            Some(b)
        }
        None => None,
    };
    replace(dir, path, content.as_bytes(), old_mode.unwrap_or(new_mode))?;
    Ok(backup)
}

/// The file a path names: itself, or a symlink's target.
fn resolve_link(path: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).with_context(|| {
            format!(
                "{} is a symlink to {} which cannot be resolved: fix or remove the link",
                path.display(),
                fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|_| "?".into())
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// Write `bytes` to a temporary file in `dir`, fsync, rename onto `path`,
/// fsync `dir`. On any error the temporary file is removed.
fn replace(dir: &Path, path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("writing a temporary file in {}", dir.display()))?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting the mode of a temporary file in {}", dir.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("renaming a temporary file onto {}", path.display()))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing directory {}", dir.display()))?;
    Ok(())
}

/// Temporary files are `.dmctl-XXXXXX` beside their target.
const TMP_PREFIX: &str = ".dmctl-";

/// Remove the temporary files a killed run left in `dir`.
fn remove_leftovers(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        let n = name.to_string_lossy();
        let is_tmp = n.starts_with(TMP_PREFIX) && n.len() == TMP_PREFIX.len() + 6;
        if is_tmp && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
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

    #[test]
    fn a_symlink_stays_a_link_and_its_target_gets_the_content() {
        let live = Live { _private: () };
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("managed/daemon.json");
        fs::create_dir_all(real.parent().unwrap()).unwrap();
        fs::write(&real, "{}\n").unwrap();
        let link = d.path().join("daemon.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let b = write_atomic(&link, "{\"a\": 1}\n", 0o644, &live)
            .unwrap()
            .unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "{\"a\": 1}\n");
        assert_eq!(fs::read_to_string(&b).unwrap(), "{}\n");
        assert_eq!(b, d.path().join("managed/daemon.json.dmctl-bak"));
        // A dangling link is an error naming it; nothing is written.
        let dangling = d.path().join("gone.json");
        std::os::unix::fs::symlink(d.path().join("nowhere"), &dangling).unwrap();
        let e = write_atomic(&dangling, "x", 0o644, &live).unwrap_err();
        assert!(format!("{e:#}").contains("symlink"), "{e:#}");
        assert!(!d.path().join("nowhere").exists());
    }

    #[test]
    fn leftover_temporary_files_are_removed_and_others_kept() {
        let live = Live { _private: () };
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(".dmctl-Ab12Cd"), "half").unwrap();
        fs::write(d.path().join(".dmctl-notours.conf"), "keep").unwrap();
        write_atomic(&d.path().join("f"), "x", 0o644, &live).unwrap();
        let mut names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".dmctl-notours.conf", "f"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_partial_backup() {
        // A directory that cannot take a new file: the temp file for the
        // backup cannot be made, so nothing changes.
        let live = Live { _private: () };
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("daemon.json");
        fs::write(&p, "old\n").unwrap();
        fs::set_permissions(d.path(), fs::Permissions::from_mode(0o500)).unwrap();
        let r = write_atomic(&p, "new\n", 0o644, &live);
        fs::set_permissions(d.path(), fs::Permissions::from_mode(0o700)).unwrap();
        if nix::unistd::geteuid().is_root() {
            // root writes anyway: the write succeeded, with a whole backup.
            r.unwrap();
            assert_eq!(fs::read_to_string(backup_path(&p)).unwrap(), "old\n");
            return;
        }
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "old\n");
        assert!(!backup_path(&p).exists());
    }
}
