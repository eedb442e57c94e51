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

/// [`fullreport_cmd`] that reads only `devices` (and nothing else: LVM
/// neither opens nor parses the other block devices of the host). A
/// `devices/filter` in `--config` works on every lvm2 (`--devices` needs
/// 2.03.12; bullseye has 2.03.11).
pub fn fullreport_on_cmd(devices: &[std::path::PathBuf]) -> Cmd {
    let accept: Vec<String> = devices
        .iter()
        .map(|d| format!("\"a|^{}$|\"", regex_escape(&d.to_string_lossy())))
        .collect();
    fullreport_cmd().args([
        "--config".to_string(),
        format!(
            "devices {{ filter = [ {}, \"r|.*|\" ] }}",
            accept.join(", ")
        ),
    ])
}

/// Escape a path for an lvm filter regex (`|` delimits it).
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()[]{}|^$\"".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Probe LVM reading only `devices`; `None` when that view is not the
/// whole truth for the VGs on them (a VG with a PV elsewhere, or any
/// failure): the caller then probes everything.
pub fn probe_on(r: &dyn Runner, devices: &[std::path::PathBuf]) -> Option<LvmState> {
    let out = exec::run(r, &fullreport_on_cmd(devices)).ok()?;
    let st = LvmState::from_report(&out.stdout).ok()?;
    let complete = !st.vgs.is_empty()
        && st.vgs.iter().all(|vg| {
            let seen = st
                .pvs
                .iter()
                .filter(|p| p.vg_name == vg.name && !p.name.starts_with('['))
                .count() as u64;
            seen == vg.pv_count
        });
    complete.then_some(st)
}

/// Probe the whole LVM state with one process.
pub fn probe(r: &dyn Runner) -> Result<LvmState> {
    let cmd = fullreport_cmd();
    let out = exec::run(r, &cmd)?;
    LvmState::from_report(&out.stdout).with_context(|| format!("reading the output of `{cmd}`"))
}

/// `lvs` for one LV, with the same fields as the probe (one process).
/// Each field once: lvm prints a field as often as it is asked for, and a
/// JSON object with a duplicate key is refused.
pub fn lvs_cmd(vg: &str, lv: &str) -> Cmd {
    let mut fields: Vec<&str> = Vec::new();
    for f in report::LV_FIELDS
        .split(',')
        .chain(report::SEG_FIELDS.split(','))
    {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    Cmd::new("lvs")
        .args(REPORT_ARGS)
        .args(["-o", &fields.join(",")])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lvs_cmd_asks_each_field_once() {
        let c = lvs_cmd("docker", "thinpool");
        let i = c.args.iter().position(|a| a == "-o").unwrap();
        let fields: Vec<&str> = c.args[i + 1].split(',').collect();
        let mut seen = std::collections::BTreeSet::new();
        for f in &fields {
            assert!(seen.insert(*f), "{f} asked twice: {c}");
        }
        assert!(fields.contains(&"seg_monitor") && fields.contains(&"lv_uuid"));
    }

    /// The real output of `lvs_cmd` in the VM (bookworm, right after setup:
    /// the monitor step's check).
    #[test]
    fn lvs_cmd_output_parses() {
        let st = LvmState::from_report(include_str!(
            "../../tests/fixtures/vm/monitor-check--lvs-pool.out"
        ))
        .unwrap();
        let lv = st.lv("docker", "thinpool").unwrap();
        assert!(lv.is_thin_pool() && lv.is_monitored() && lv.active);
        assert_eq!(lv.chunk_size, Some(524288));
        assert_eq!(lv.profile, "docker-thinpool");
    }

    #[test]
    fn restricted_probe_reads_named_devices_and_needs_every_pv_of_the_vg() {
        use crate::engine::FakeRunner;
        use crate::exec::Output;
        let real = include_str!("../../tests/fixtures/vm/ops-02-thinlv-fullreport.out");
        let devs = vec![std::path::PathBuf::from("/dev/vdb")];
        let cmd = fullreport_on_cmd(&devs);
        let argv = cmd.argv();
        assert_eq!(
            argv[argv.len() - 2..],
            [
                "--config",
                r#"devices { filter = [ "a|^/dev/vdb$|", "r|.*|" ] }"#
            ]
        );
        let f = FakeRunner::new();
        f.on(&["lvm", "fullreport"], Output::ok(real));
        let st = probe_on(&f, &devs).expect("the VG's one PV is /dev/vdb");
        assert!(st.lv("docker", "thinpool").is_some());
        // The VG has a second PV that the restricted view did not read.
        let f = FakeRunner::new();
        f.on(
            &["lvm", "fullreport"],
            Output::ok(&real.replace(r#""pv_count":"1""#, r#""pv_count":"2""#)),
        );
        assert!(probe_on(&f, &devs).is_none());
        // lvm failed: the caller probes everything.
        let f = FakeRunner::new();
        f.on(&["lvm", "fullreport"], Output::failed(5, "  boom\n"));
        assert!(probe_on(&f, &devs).is_none());
        assert_eq!(
            regex_escape("/dev/mapper/a.b+c|d"),
            r"/dev/mapper/a\.b\+c\|d"
        );
    }

    #[test]
    fn duplicate_field_in_a_row_is_refused_with_its_name() {
        let doc = r#"{"report":[{"lv":[{"lv_uuid":"a", "lv_uuid":"a"}]}]}"#;
        let e = LvmState::from_report(doc).unwrap_err();
        assert!(
            format!("{e:#}").contains("duplicate field `lv_uuid`"),
            "{e:#}"
        );
    }
}
