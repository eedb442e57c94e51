//! Sizes and names as admins type them (flags and dmctl.toml):
//! `--chunk-size 512K`, `extend --data +10G`, `--pool VG/LV`.
//! `extend` sizes are also planned against a real pool (the captured
//! fullreport of a fresh docker/thinpool).
//! Input: one value per line.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::cmd::extend::{parse_req, plan as extend_plan, Request, SizeReq};
use dmctl::status::parse_pool_arg;
use dmctl::config::check_lvm_name;
use dmctl::lvm::size::{human, lvm_arg, parse_size};
use dmctl::lvm::LvmState;
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pool() -> &'static LvmState {
    static S: OnceLock<LvmState> = OnceLock::new();
    S.get_or_init(|| {
        LvmState::from_report(include_str!("../../tests/fixtures/vm/ops-01-fresh-fullreport.out"))
            .expect("fixture parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for s in text.lines().chain(std::iter::once(&*text)) {
        size(s);
        if let Ok(r) = parse_req("data", s) {
            let (SizeReq::By(b) | SizeReq::To(b)) = r;
            assert!(b > 0);
            // `dmctl extend --data S` / `--metadata S` on docker/thinpool
            for req in [
                Request { data: Some(r), ..Default::default() },
                Request { metadata: Some(r), ..Default::default() },
                Request { data: Some(r), metadata: Some(r), ..Default::default() },
            ] {
                let _ = extend_plan(pool(), "docker", "thinpool", &req, None);
            }
        }
        if let Ok((vg, lv)) = parse_pool_arg(s) {
            assert_eq!(format!("{vg}/{lv}"), s);
            assert!(check_lvm_name("VG", &vg).is_ok() && check_lvm_name("pool", &lv).is_ok());
        }
    }
});

fn size(s: &str) {
    let Ok(b) = parse_size(s) else {
        return;
    };
    let _ = human(b);
    // The exact byte form dmctl hands to LVM reads back as the same size.
    let arg = lvm_arg(b);
    assert_eq!(parse_size(&arg), Ok(b), "{s:?} -> {arg}");
    // A whole number of units is exact: N<unit> is N * 2^shift bytes, or an
    // error, never a rounded neighbour.
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let shift = match unit.to_ascii_lowercase().as_str() {
        "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        "p" | "pb" | "pib" => 50,
        _ => return,
    };
    if let Ok(n) = num.parse::<u128>() {
        assert_eq!(b as u128, n << shift, "{s:?} parsed as {b} bytes");
    }
}
