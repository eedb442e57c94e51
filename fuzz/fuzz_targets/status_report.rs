//! The `dmctl status` pipeline end to end: an LVM fullreport, the whole
//! `dmsetup status` output and the attached LVM profile, joined into the
//! report and rendered as text, Prometheus and JSON.
//! Input: `FULLREPORT \0 DMSETUP_STATUS \0 PROFILE` (a missing part is None).
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::status::{build, render_human, render_prometheus, FoundBy};
use dmctl::lvm::LvmState;
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let report = parts.next().unwrap_or("");
    let dm_status = parts.next();
    let profile = parts.next();
    let Ok(lvm) = LvmState::from_report(report) else {
        return;
    };
    let mut pools: Vec<(String, String)> =
        lvm.thin_pools().map(|l| (l.vg_name.clone(), l.name.clone())).collect();
    pools.push(("docker".into(), "thinpool".into()));
    for (vg, pool) in &pools {
        let Ok(r) = build(
            &lvm,
            vg,
            pool,
            FoundBy::OnlyPool,
            dm_status,
            Path::new("/etc/lvm/profile"),
            profile,
        ) else {
            continue;
        };
        let _ = render_human(&r);
        let _ = render_prometheus(&r);
        let _ = serde_json::to_string(&r).expect("StatusReport serialises");
    }
});
