//! `dmctl data-lv`: step 6 for docker-overlay2 — the thin LV, xfs, its
//! fstab line and the mount at the data root.

use anyhow::Result;

use super::{provision, Job};
use crate::cli::{pool_opts, DataLvArgs, GlobalOpts, TargetKind};
use crate::config::Settings;
use crate::engine::Plan;
use crate::facts::Facts;
use crate::pool;
use crate::targets::docker_overlay2;

pub fn run(g: &GlobalOpts, a: &DataLvArgs) -> Result<i32> {
    let job = Job {
        name: "data-lv",
        tools: &["lvm", "lvcreate", "mkfs.xfs", "blkid", "mount"],
        device: None,
        force: false,
        needs_thin_target: false,
        wires_runtime: false,
        flags: pool_opts(&[&a.names, &a.data_lv, &a.data_root]),
    };
    provision(g, job, |_| {}, |ctx, s| plan(ctx.facts, s))
}

/// The data LV steps on an existing pool. Pure over the facts.
pub fn plan(f: &Facts, s: &Settings) -> Result<(Plan, TargetKind)> {
    pool::existing(f, s)?;
    let mut p = Plan::default();
    docker_overlay2::plan_data_lv(&mut p, f, s, true)?;
    Ok((p, TargetKind::DockerOverlay2))
}
