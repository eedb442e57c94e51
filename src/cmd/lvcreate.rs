//! `dmctl lvcreate`: step 3 of the classic recipe: the data and metadata LVs.

use anyhow::Result;

use super::{pool_step, Job};
use crate::cli::{pool_opts, GlobalOpts, LvcreateArgs};
use crate::pool::PoolStep;

pub fn run(g: &GlobalOpts, a: &LvcreateArgs) -> Result<i32> {
    let job = Job {
        name: "lvcreate",
        tools: &["lvm", "lvcreate", "dmsetup"],
        device: None,
        force: false,
        needs_thin_target: true,
        wires_runtime: false,
        flags: pool_opts(&[&a.names, &a.size]),
    };
    pool_step(g, job, PoolStep::Lvcreate)
}
