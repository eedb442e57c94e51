//! `dmctl lvcreate`: step 3 of the classic recipe: the data and metadata LVs.

use anyhow::Result;

use super::{configured_target, provision, Job};
use crate::cli::{pool_opts, GlobalOpts, LvcreateArgs};
use crate::pool::{self, PoolStep};

pub fn run(g: &GlobalOpts, a: &LvcreateArgs) -> Result<i32> {
    let job = Job {
        name: "lvcreate",
        tools: &["lvm", "lvcreate", "dmsetup"],
        device: None,
        force: false,
        needs_thin_target: true,
        flags: pool_opts(&[&a.names, &a.size]),
    };
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let p = pool::plan_step(PoolStep::Lvcreate, ctx.facts, s, None, false)?;
            Ok((p, configured_target(s)))
        },
    )
}
