//! `dmctl activate`: at boot, before the runtimes — the pool and its thin
//! LVs active and monitored, the device node there, and whatever each
//! target needs (docker-overlay2: the data root mounted).

use anyhow::Result;

use super::{configured_target, provision, Job};
use crate::cli::TargetKind;
use crate::cli::{pool_opts, ActivateArgs, GlobalOpts, PoolOpts};
use crate::config::Settings;
use crate::engine::Plan;
use crate::error::refused;
use crate::facts::Facts;
use crate::pool::{self, PoolState};
use crate::targets;

pub fn run(g: &GlobalOpts, a: &ActivateArgs) -> Result<i32> {
    let mut flags: PoolOpts = pool_opts(&[&a.names]);
    flags.lv_name = a.lv_name.clone();
    flags.data_root = a.data_root.clone();
    let job = Job {
        name: "activate",
        tools: &["lvm", "lvchange", "thin_check", "dmsetup"],
        device: None,
        force: false,
        needs_thin_target: true,
        wires_runtime: false,
        flags,
    };
    provision(
        g,
        job,
        |s| s.activate_wait = a.wait,
        |ctx, s| plan(ctx.facts, s),
    )
}

/// The activation steps. Pure over the facts.
pub fn plan(f: &Facts, s: &Settings) -> Result<(Plan, TargetKind)> {
    let PoolState::Pool(lv) = pool::state(f, s, None)? else {
        return Err(refused(format!(
            "there is no thin pool {} to activate: run `dmctl setup DEVICE` first",
            s.pool_path()
        )));
    };
    let mut p = Plan::default();
    pool::plan_activate(&mut p, f, s, &lv)?;
    for t in targets::ALL {
        t.activate(&mut p, f, s)?;
    }
    Ok((p, configured_target(s)))
}
