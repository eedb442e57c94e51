//! `wipefs -n -J DEVICE` output. Input: the command's stdout.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::device::parse_wipefs;
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sigs) = parse_wipefs(&text) {
        if text.trim().is_empty() {
            assert!(sigs.is_empty());
        }
    }
});
