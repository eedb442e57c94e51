//! The LVM profile file (`/etc/lvm/profile/*.profile`) that carries the
//! autoextend policy. Input: the file's text.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::pool::profile::parse as parse_profile;
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_profile(&text);
    // Property: whatever comes before it, a complete activation section on
    // later lines is what the file says (the last assignment wins).
    let thr = data.first().copied().unwrap_or(80);
    let pct = data.last().copied().unwrap_or(20);
    let with = format!(
        "{text}\nactivation {{\n\tthin_pool_autoextend_threshold={thr}\n\tthin_pool_autoextend_percent={pct}\n}}\n"
    );
    assert_eq!(parse_profile(&with), (Some(thr), Some(pct)), "{with:?}");
});
