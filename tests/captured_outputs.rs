//! Every real tool output captured in the VM (tests/fixtures/vm, made by
//! tests/fixtures/vm/capture.sh and the ops-* scenarios) goes through the
//! parser dmctl uses for that tool, and must parse: a change in a parser
//! that breaks on any real output fails here.

use std::path::{Path, PathBuf};

use dmctl::lvm::{report, LvmState};

fn captures(kind: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vm");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.ends_with(&format!("{kind}.out"))
                && (n.contains(&format!("--{kind}.")) || n.starts_with("ops-"))
        })
        .filter(|p| {
            // Only runs that succeeded (an .rc of 0, or none: ops-*).
            std::fs::read_to_string(p.with_extension("rc"))
                .map(|rc| rc.trim() == "0")
                .unwrap_or(true)
        })
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    v.sort();
    v
}

/// `lvm fullreport` as dmctl runs it (its own field lists: the ops-*
/// captures and `--fullreport-selected`); the plain `--fullreport` captures
/// show LVM's default fields, which lack some dmctl asks for.
#[test]
fn every_captured_fullreport_parses() {
    let mut n = 0;
    for kind in ["fullreport-selected", "fullreport"] {
        for (p, t) in captures(kind)
            .into_iter()
            .filter(|(p, _)| kind != "fullreport" || p.to_string_lossy().contains("/ops-"))
        {
            LvmState::from_report(&t).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} fullreport captures");
}

#[test]
fn every_captured_lvs_vgs_pvs_report_parses() {
    let mut n = 0;
    for (kind, rows) in [("lvs", "lv"), ("vgs", "vg"), ("pvs", "pv")] {
        for (p, t) in captures(kind) {
            report::rows(&t, rows).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 40, "only {n} lvs/vgs/pvs captures");
}

#[test]
fn every_captured_thin_pool_status_and_table_line_parses() {
    let (mut status, mut table) = (0, 0);
    for kind in [
        "dmsetup-status",
        "dmsetup-status-thin-pool",
        "dmsetup-status-pool",
    ] {
        for (p, t) in captures(kind) {
            for line in t
                .lines()
                .filter(|l| l.contains(" thin-pool ") || l.ends_with(" thin-pool"))
            {
                dmctl::dm::parse_pool_status(line)
                    .unwrap_or_else(|e| panic!("{}: {line:?}: {e:#}", p.display()));
                status += 1;
            }
        }
    }
    for (p, t) in captures("dmsetup-table") {
        for line in t.lines().filter(|l| l.contains(" thin-pool ")) {
            let b = dmctl::dm::pool_block_size(line)
                .unwrap_or_else(|e| panic!("{}: {line:?}: {e:#}", p.display()));
            assert!(
                b >= 64 << 10 && b % (64 << 10) == 0,
                "{}: block {b}",
                p.display()
            );
            table += 1;
        }
    }
    assert!(
        status >= 20 && table >= 10,
        "status {status}, table {table}"
    );
}

#[test]
fn every_captured_wipefs_parses() {
    let all = captures("wipefs");
    assert!(all.len() >= 10);
    let mut types = std::collections::BTreeSet::new();
    for (p, t) in all {
        for s in
            dmctl::device::parse_wipefs(&t).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()))
        {
            types.insert(s.kind.clone());
        }
    }
    // The signatures the captures were made to show.
    for want in ["LVM2_member", "ext4", "gpt"] {
        assert!(types.contains(want), "{want} not among {types:?}");
    }
}
