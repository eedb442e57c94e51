//! `dmctl containerd`: step 6 for containerd — the devmapper snapshotter
//! section in config.toml.

use anyhow::Result;

use super::{provision, Job};
use crate::cli::{pool_opts, ContainerdArgs, GlobalOpts, TargetKind};
use crate::config::Settings;
use crate::engine::Plan;
use crate::facts::Facts;
use crate::pool;
use crate::targets;

pub fn run(g: &GlobalOpts, a: &ContainerdArgs) -> Result<i32> {
    let job = Job {
        name: "containerd",
        tools: &["lvm"],
        device: None,
        force: false,
        needs_thin_target: false,
        wires_runtime: true,
        flags: pool_opts(&[&a.names, &a.containerd, &a.fs]),
    };
    provision(
        g,
        job,
        |s| s.target = Some(TargetKind::ContainerdDevmapper),
        |ctx, s| plan(ctx.facts, s),
    )
}

/// The containerd config edit. Pure over the facts.
pub fn plan(f: &Facts, s: &Settings) -> Result<(Plan, TargetKind)> {
    let mut p = Plan::default();
    pool::exists_warning(&mut p, f, s)?;
    let kind = TargetKind::ContainerdDevmapper;
    targets::get(kind).plan(&mut p, f, s, true)?;
    Ok((p, kind))
}
