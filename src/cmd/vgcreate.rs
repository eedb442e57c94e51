//! `dmctl vgcreate DEVICE`: step 2 of the classic recipe: the volume group on DEVICE.

use anyhow::Result;

use super::{pool_step, Job};
use crate::cli::{DeviceArgs, GlobalOpts, PoolOpts};
use crate::pool::PoolStep;

pub fn run(g: &GlobalOpts, a: &DeviceArgs) -> Result<i32> {
    let flags = PoolOpts {
        vg: a.vg.clone(),
        ..PoolOpts::default()
    };
    let job = Job {
        name: "vgcreate",
        tools: &["lvm", "vgcreate", "wipefs"],
        device: Some(&a.device),
        force: a.force,
        needs_thin_target: false,
        wires_runtime: false,
        flags,
    };
    pool_step(g, job, PoolStep::Vgcreate)
}
