//! Docker storage options (`"storage-opts"` entries, `--storage-opt`):
//! dm.* / overlay2.* validation and go-units sizes.
//! Input: one option per line.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::docker::dmopts::{
    is_dm_key, parse_docker_size, split_opt, validate_for_driver, validate_storage_opts,
};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts: Vec<String> = text.lines().map(str::to_string).collect();
    let _ = validate_storage_opts(&opts);
    for driver in [None, Some("devicemapper"), Some("overlay2"), Some("zfs")] {
        let _ = validate_for_driver(driver, &opts);
    }
    for opt in &opts {
        if let Some((k, v)) = split_opt(opt) {
            assert_eq!(k, k.trim().to_ascii_lowercase());
            assert_eq!(v, v.trim());
            let _ = is_dm_key(&k);
            check_size(v);
        }
        check_size(opt);
    }
});

fn check_size(s: &str) {
    if let Ok(b) = parse_docker_size(s) {
        // fits Go's int64, and the byte count reads back as itself
        assert!(b < 1 << 63, "{s:?} -> {b}");
        assert_eq!(parse_docker_size(&b.to_string()), Ok(b), "{s:?}");
    }
}
