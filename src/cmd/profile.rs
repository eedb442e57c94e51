//! `dmctl profile`: step 5 of the classic recipe: the autoextend profile, attached, monitored.

use anyhow::Result;

use super::{configured_target, provision, Job};
use crate::cli::{pool_opts, GlobalOpts, ProfileArgs};
use crate::pool::{self, PoolStep};

pub fn run(g: &GlobalOpts, a: &ProfileArgs) -> Result<i32> {
    let job = Job {
        name: "profile",
        tools: &["lvm", "lvchange", "lvs"],
        device: None,
        force: false,
        needs_thin_target: false,
        flags: pool_opts(&[&a.names, &a.profile]),
    };
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let mut p = pool::plan_step(PoolStep::Profile, ctx.facts, s, None, false)?;
            pool::monitoring_warnings(&mut p, s);
            Ok((p, configured_target(s)))
        },
    )
}
