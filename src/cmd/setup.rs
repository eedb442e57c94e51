//! `dmctl setup DEVICE`: blank disk to a monitored thin pool wired to its
//! target, with the fewest lvm processes; idempotent and resumable.

use super::{missing_tools, provision, refusal_report, Job};
use crate::bootunit;
use crate::cli::{GlobalOpts, SetupArgs, TargetKind};
use crate::config::Settings;
use crate::engine::Plan;
use crate::facts::Facts;
use crate::pool::{self, PoolState};
use crate::targets;
use crate::tools;
use anyhow::Result;
use std::path::Path;

pub fn run(g: &GlobalOpts, a: &SetupArgs) -> Result<i32> {
    let job = Job {
        name: "setup",
        tools: tools::SETUP_TOOLS,
        device: Some(&a.device),
        force: a.force,
        needs_thin_target: true,
        wires_runtime: true,
        flags: a.opts(),
    };
    provision(
        g,
        job,
        |s| s.install_unit = a.install_unit,
        |ctx, s| {
            let dev = ctx.device.as_deref().expect("setup takes a device");
            let (kind, warnings) = targets::resolve(s.target, ctx.facts)?;
            preflight(ctx.facts, s, kind)?;
            let (mut p, kind) = plan(ctx.facts, s, dev, ctx.wipe)?;
            p.warnings.splice(0..0, warnings);
            pool::monitoring_warnings(&mut p, s);
            Ok((p, kind))
        },
    )
}

/// The target's checks of the host before any write (one report).
pub fn preflight(f: &Facts, s: &Settings, kind: TargetKind) -> Result<()> {
    let target = targets::get(kind);
    let mut problems = target.preflight(f, s)?;
    problems.extend(missing_tools(
        target.tools(),
        &format!(" (needed by --target {})", kind.as_str()),
    ));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(refusal_report("setup", &problems))
    }
}

/// Setup's steps for `dev`: the pool's, the target's, the boot unit's.
/// Pure over the facts.
pub fn plan(f: &Facts, s: &Settings, dev: &Path, wipe: bool) -> Result<(Plan, TargetKind)> {
    let (kind, _) = targets::resolve(s.target, f)?;
    let target = targets::get(kind);
    let mut p = Plan::default();
    let state = pool::plan_setup(&mut p, f, s, dev, wipe)?;
    target.plan(&mut p, f, s, matches!(state, PoolState::Pool(_)))?;
    if s.install_unit {
        bootunit::plan_install(&mut p, f, &s.vg, &s.pool, &target.unit_args(s))?;
    }
    Ok((p, kind))
}
