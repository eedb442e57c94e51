//! `dmctl vgcreate DEVICE`: step 2 of the classic recipe: the volume group.

use anyhow::Result;

use super::{configured_target, provision, Job};
use crate::cli::{DeviceArgs, GlobalOpts, PoolOpts};
use crate::pool::{self, PoolStep};

pub fn run(g: &GlobalOpts, a: &DeviceArgs) -> Result<i32> {
    let job = Job {
        name: "vgcreate",
        tools: &["lvm", "vgcreate", "wipefs"],
        device: Some(&a.device),
        force: a.force,
        needs_thin_target: false,
        flags: PoolOpts {
            vg: a.vg.clone(),
            ..PoolOpts::default()
        },
    };
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let p = pool::plan_step(
                PoolStep::Vgcreate,
                ctx.facts,
                s,
                ctx.device.as_deref(),
                ctx.wipe,
            )?;
            Ok((p, configured_target(s)))
        },
    )
}
