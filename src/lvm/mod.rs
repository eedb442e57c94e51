//! A small typed layer over the lvm2 command-line tools.

pub mod report;
pub mod size;

pub use report::{Lv, LvmState, Pv, Vg};

use anyhow::{Context, Result};

use crate::engine::{self as exec, Runner};
use crate::exec::Cmd;

/// Common report arguments: JSON, exact bytes.
pub const REPORT_ARGS: [&str; 5] = ["--reportformat", "json", "--units", "b", "--nosuffix"];

/// One lvm process that reports PVs, VGs, LVs and segments.
pub fn fullreport_cmd() -> Cmd {
    Cmd::new("lvm")
        .arg("fullreport")
        .args(REPORT_ARGS)
        .args(["--configreport", "vg", "-o", report::VG_FIELDS])
        .args(["--configreport", "pv", "-o", report::PV_FIELDS])
        .args(["--configreport", "lv", "-o", report::LV_FIELDS])
        .args(["--configreport", "seg", "-o", report::SEG_FIELDS])
        .args(["--configreport", "pvseg", "-o", "pvseg_start"])
}

/// Probe the whole LVM state with one process.
pub fn probe(r: &dyn Runner) -> Result<LvmState> {
    let cmd = fullreport_cmd();
    let out = exec::run(r, &cmd)?;
    LvmState::from_report(&out.stdout).with_context(|| format!("reading the output of `{cmd}`"))
}

/// `lvs` for one LV, with the same fields as the probe (one process).
pub fn lvs_cmd(vg: &str, lv: &str) -> Cmd {
    Cmd::new("lvs")
        .args(REPORT_ARGS)
        .args([
            "-o",
            &format!("{},{}", report::LV_FIELDS, report::SEG_FIELDS),
        ])
        .arg(format!("{vg}/{lv}"))
}

/// Report one LV.
pub fn lv_report(r: &dyn Runner, vg: &str, lv: &str) -> Result<Lv> {
    let cmd = lvs_cmd(vg, lv);
    let out = exec::run(r, &cmd)?;
    let st = LvmState::from_report(&out.stdout)
        .with_context(|| format!("reading the output of `{cmd}`"))?;
    st.lv(vg, lv)
        .cloned()
        .with_context(|| format!("`{cmd}` did not report {vg}/{lv}"))
}
