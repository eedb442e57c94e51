//! `dmctl daemon-json --check [FILE]`: validate a daemon.json on its own.

use anyhow::{Context, Result};
use std::path::Path;

use crate::cli::{Format, GlobalOpts, PoolOpts};
use crate::config;
use crate::docker::daemon_json;
use crate::error::{exit, refused};

pub fn check(g: &GlobalOpts, file: Option<&Path>, opts: &PoolOpts) -> Result<i32> {
    let path = match file {
        Some(f) => f.to_path_buf(),
        None => config::settings(g.config.as_deref(), opts)?.daemon_json,
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let problems = daemon_json::check(&text);
    if g.format == Format::Json {
        println!(
            "{}",
            serde_json::json!({"file": path, "valid": problems.is_empty(), "problems": problems})
        );
    }
    if problems.is_empty() {
        if g.format == Format::Human && !g.quiet {
            eprintln!("{}: valid", path.display());
        }
        return Ok(exit::OK);
    }
    Err(refused(format!(
        "{} is invalid: {}",
        path.display(),
        problems.join("; ")
    )))
}
