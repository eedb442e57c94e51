//! Writing configuration files safely: temp file in the same directory,
//! fsync, rename over the target, fsync the directory; the previous file is
//! kept as `<name>.dmctl-bak` and its permissions are preserved.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Read a file; `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Where the previous version of `path` is kept.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".dmctl-bak");
    path.with_file_name(name)
}

/// Replace `path` with `content` atomically. A new file gets `new_mode`;
/// an existing one keeps its mode and is first copied to its backup path.
/// Returns the backup path when one was made.
pub fn write_atomic(path: &Path, content: &str, new_mode: u32) -> Result<Option<PathBuf>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_replaces_with_backup_and_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/daemon.json");
        assert_eq!(read_optional(&p).unwrap(), None);
        assert_eq!(write_atomic(&p, "one\n", 0o644).unwrap(), None);
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        let b = write_atomic(&p, "two\n", 0o644).unwrap().unwrap();
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
    }
}
