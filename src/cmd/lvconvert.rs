//! `dmctl lvconvert`: step 4 of the classic recipe: the two LVs become a thin pool.

use anyhow::Result;

use super::{pool_step, Job};
use crate::cli::{pool_opts, GlobalOpts, LvconvertArgs};
use crate::pool::PoolStep;

pub fn run(g: &GlobalOpts, a: &LvconvertArgs) -> Result<i32> {
    let job = Job {
        name: "lvconvert",
        tools: &["lvm", "lvconvert", "dmsetup", "thin_check"],
        device: None,
        force: false,
        needs_thin_target: true,
        wires_runtime: false,
        flags: pool_opts(&[&a.names, &a.chunk]),
    };
    pool_step(g, job, PoolStep::Lvconvert)
}
