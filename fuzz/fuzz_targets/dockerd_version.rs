//! `dockerd --version` output. Input: the command's stdout.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::docker::version::{devicemapper_support, parse_dockerd_version};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(v) = parse_dockerd_version(&text) else {
        return;
    };
    let _ = devicemapper_support(&v).to_string();
    // The version word is taken from the text, and reads back the same.
    assert!(text.contains(&v.raw));
    let again = parse_dockerd_version(&format!("Docker version {v}, build 0000000"));
    assert_eq!(again.as_ref(), Some(&v), "{text:?}");
});
