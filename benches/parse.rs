//! Parsing cost on a big host: a 10,000-device `dmsetup status` and a
//! 10,000-LV `lvm fullreport`, built from real output captured in the VM
//! (tests/fixtures/vm/ops-02-thinlv-*) by repeating its thin device / thin
//! LV. Prints the median of 21 runs of each, on one core (no threads).
//!
//!   cargo bench --bench parse        (bench/run runs it too)
//!
//! Times are printed, never asserted (docs/BENCHMARKS.md records them).

use std::time::{Duration, Instant};

const N: usize = 10_000;
const RUNS: usize = 21;

/// `dmsetup status` of every device: N thin devices, then the pool's
/// stacked layout (the pool line last, the worst case for the search).
fn big_dmsetup_status() -> String {
    let real = include_str!("../tests/fixtures/vm/ops-02-thinlv-dmsetup-status.out");
    let thin = real
        .lines()
        .find(|l| l.starts_with("docker-vol1:"))
        .expect("fixture has a thin device")
        .trim_start_matches("docker-vol1:");
    let mut s = String::with_capacity(N * 64);
    for i in 0..N {
        s.push_str(&format!("docker-thin{i}:{thin}\n"));
    }
    for l in real.lines().filter(|l| !l.starts_with("docker-vol1:")) {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// A report row as lvm2 prints it: one line, `{"k":"v", "k":"v"}`.
fn lvm_row(row: &serde_json::Value) -> String {
    let fields: Vec<String> = row
        .as_object()
        .expect("a row is an object")
        .iter()
        .map(|(k, v)| format!("{k:?}:{}", v))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// `lvm fullreport` JSON with N thin LVs (their segments and PV segments)
/// in the VG, laid out line by line as lvm2 prints it.
fn big_fullreport() -> String {
    let real = include_str!("../tests/fixtures/vm/ops-02-thinlv-fullreport.out");
    let doc: serde_json::Value = serde_json::from_str(real).expect("fixture is JSON");
    let report = &doc["report"][0];
    let rows = |kind: &str| report[kind].as_array().unwrap().clone();
    let (vgs, pvs, mut lvs, mut pvsegs, mut segs) = (
        rows("vg"),
        rows("pv"),
        rows("lv"),
        rows("pvseg"),
        rows("seg"),
    );
    let thin = lvs
        .iter()
        .find(|l| l["pool_lv"] != "")
        .expect("fixture has a thin LV")
        .clone();
    let uuid = thin["lv_uuid"].as_str().unwrap().to_string();
    let seg = segs
        .iter()
        .find(|s| s["lv_uuid"] == uuid.as_str())
        .expect("the thin LV has a segment")
        .clone();
    for i in 0..N {
        let id = format!("bench{i:0>33}");
        let mut l = thin.clone();
        l["lv_uuid"] = id.clone().into();
        l["lv_name"] = format!("thin{i}").into();
        lvs.push(l);
        let mut s = seg.clone();
        s["lv_uuid"] = id.into();
        segs.push(s);
        pvsegs.push(serde_json::json!({ "pvseg_start": (1000 + i).to_string() }));
    }
    let section = |kind: &str, rows: &[serde_json::Value]| {
        let lines: Vec<String> = rows
            .iter()
            .map(|r| format!("                  {}", lvm_row(r)))
            .collect();
        format!(
            "              \"{kind}\": [\n{}\n              ]\n",
            lines.join(",\n")
        )
    };
    let body: Vec<String> = [
        ("vg", &vgs),
        ("pv", &pvs),
        ("lv", &lvs),
        ("pvseg", &pvsegs),
        ("seg", &segs),
    ]
    .iter()
    .map(|(k, r)| section(k, r))
    .collect();
    format!(
        "  {{\n      \"report\": [\n          {{\n{}          }}\n      ]\n  }}\n",
        body.join("              ,\n")
    )
}

/// CPU time of this thread: what one core spent, whatever else the
/// machine runs (wall time on a loaded 2-core builder is not that).
fn thread_cpu() -> Duration {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .expect("thread CPU clock");
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

/// Medians of wall and thread CPU time over RUNS runs.
fn median(mut f: impl FnMut()) -> (Duration, Duration) {
    let (mut wall, mut cpu): (Vec<Duration>, Vec<Duration>) = (0..RUNS)
        .map(|_| {
            let (s, c) = (Instant::now(), thread_cpu());
            f();
            (s.elapsed(), thread_cpu() - c)
        })
        .unzip();
    wall.sort();
    cpu.sort();
    (wall[RUNS / 2], cpu[RUNS / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let status = big_dmsetup_status();
    let (w, c) = median(|| {
        let line = dmctl::dm::pool_status_line(&status, "docker-thinpool").expect("pool line");
        let st = dmctl::dm::parse_pool_status(line).expect("parses");
        std::hint::black_box(st);
    });
    println!(
        "parse dmsetup status, {N} devices ({} KiB): median {:.3} ms CPU, {:.3} ms wall, of {RUNS}",
        status.len() / 1024,
        ms(c),
        ms(w)
    );
    let report = big_fullreport();
    let (w, c) = median(|| {
        let st = dmctl::lvm::LvmState::from_report(&report).expect("parses");
        assert_eq!(st.lvs.len(), N + 2);
        std::hint::black_box(st);
    });
    println!(
        "parse lvm fullreport, {N} thin LVs ({} KiB): median {:.3} ms CPU, {:.3} ms wall, of {RUNS}",
        report.len() / 1024,
        ms(c),
        ms(w)
    );
}
