//! `dmctl lvconvert`: step 4 of the classic recipe: the two LVs become a thin pool.

use anyhow::Result;

use super::{configured_target, provision, Job};
use crate::cli::{pool_opts, GlobalOpts, LvconvertArgs};
use crate::pool::{self, PoolStep};

pub fn run(g: &GlobalOpts, a: &LvconvertArgs) -> Result<i32> {
    let job = Job {
        name: "lvconvert",
        tools: &["lvm", "lvconvert", "dmsetup", "thin_check"],
        device: None,
        force: false,
        needs_thin_target: true,
        flags: pool_opts(&[&a.names, &a.chunk]),
    };
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let p = pool::plan_step(PoolStep::Lvconvert, ctx.facts, s, None, false)?;
            Ok((p, configured_target(s)))
        },
    )
}
