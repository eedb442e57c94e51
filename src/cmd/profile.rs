//! `dmctl profile`: step 5 of the classic recipe: the autoextend profile, attached, monitored.

use anyhow::Result;

use super::{pool_step, Job};
use crate::cli::{pool_opts, GlobalOpts, ProfileArgs};
use crate::pool::PoolStep;

pub fn run(g: &GlobalOpts, a: &ProfileArgs) -> Result<i32> {
    let job = Job {
        name: "profile",
        tools: &["lvm", "lvchange", "lvs"],
        device: None,
        force: false,
        needs_thin_target: false,
        wires_runtime: false,
        flags: pool_opts(&[&a.names, &a.profile]),
    };
    pool_step(g, job, PoolStep::Profile)
}
