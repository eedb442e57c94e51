//! Reading files (probes). Writing them is the engine's job
//! ([`crate::engine::files`]).

use anyhow::{Context, Result};
use std::fs;
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
