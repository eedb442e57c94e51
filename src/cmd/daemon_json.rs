//! `dmctl daemon-json`: step 6 for Docker — write daemon.json for the
//! target (docker-devicemapper or docker-overlay2), or `--check [FILE]`:
//! validate a daemon.json on its own, writing nothing.

use anyhow::{Context, Result};
use std::path::Path;

use super::{provision, refusal_report, Job};
use crate::cli::{pool_opts, DaemonJsonArgs, Format, GlobalOpts, TargetKind};
use crate::config::{self, Settings};
use crate::docker::daemon_json;
use crate::engine::Plan;
use crate::error::{exit, refused};
use crate::facts::Facts;
use crate::pool;
use crate::targets::{self, docker_devicemapper::daemon_json_edit};

pub fn run(g: &GlobalOpts, a: &DaemonJsonArgs) -> Result<i32> {
    let flags = pool_opts(&[&a.names, &a.target, &a.docker, &a.fs, &a.data_root]);
    if let Some(file) = &a.check {
        return check(g, file.as_deref(), &flags);
    }
    let job = Job {
        name: "daemon-json",
        tools: &["lvm"],
        device: None,
        force: false,
        needs_thin_target: false,
        wires_runtime: true,
        flags,
    };
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let (kind, _) = targets::resolve(s.target, ctx.facts)?;
            let problems = targets::get(kind).preflight(ctx.facts, s)?;
            if !problems.is_empty() {
                return Err(refusal_report("daemon-json", &problems));
            }
            plan(ctx.facts, s)
        },
    )
}

/// The daemon.json edit for the Docker target. Pure over the facts.
pub fn plan(f: &Facts, s: &Settings) -> Result<(Plan, TargetKind)> {
    let (kind, warnings) = targets::resolve(s.target, f)?;
    let mut p = Plan {
        warnings,
        ..Plan::default()
    };
    pool::exists_warning(&mut p, f, s)?;
    let old = f.file(&s.daemon_json)?;
    let merged = match kind {
        TargetKind::DockerDevicemapper => daemon_json::merge_devicemapper(
            old.as_deref(),
            &daemon_json::DmWant {
                thinpooldev: s.thinpooldev(),
                basesize: s.basesize.clone(),
                fs: s.fs.clone(),
            },
        ),
        TargetKind::DockerOverlay2 => daemon_json::merge_overlay2(
            old.as_deref(),
            s.overlay2_size.as_deref(),
            Some(&s.data_root.to_string_lossy()),
        ),
        TargetKind::ContainerdDevmapper => {
            return Err(refused(
                "daemon-json writes Docker's config; for --target containerd-devmapper \
                 run `dmctl containerd`",
            ))
        }
    };
    daemon_json_edit(
        &mut p,
        f,
        "daemon-json",
        &s.daemon_json,
        merged,
        old.as_deref(),
    )?;
    Ok((p, kind))
}

fn check(g: &GlobalOpts, file: Option<&Path>, flags: &crate::cli::PoolOpts) -> Result<i32> {
    let path = match file {
        Some(f) => f.to_path_buf(),
        None => config::settings(g.config.as_deref(), flags)?.daemon_json,
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
