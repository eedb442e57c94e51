//! `dmsetup status` / `dmsetup table` output and device-mapper names.
//! Input: the text of one command's output (any number of lines).
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::dm::{
    dm_name, in_vg, lv_of_mapper_path, parse_pool_status, pool_block_size, pool_status_line,
    split_dm_name,
};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_pool_status(&text);
    let _ = pool_block_size(&text);
    for line in text.lines() {
        let _ = parse_pool_status(line);
        let _ = pool_block_size(line);
        // the device name dmsetup prints before ": "
        let name = line.split_once(": ").map_or(line, |(n, _)| n);
        if let Some((vg, lv)) = split_dm_name(name) {
            // split_dm_name is the inverse of dm_name, and the name is in its VG.
            assert_eq!(dm_name(&vg, &lv), name, "split_dm_name({name:?}) = ({vg:?}, {lv:?})");
            assert!(in_vg(name, &vg), "in_vg({name:?}, {vg:?})");
            assert_eq!(
                lv_of_mapper_path(&format!("/dev/mapper/{name}")),
                Some((vg.clone(), lv.clone()))
            );
            // a pool named like this is found in the whole output
            if let Some(l) = pool_status_line(&text, name) {
                assert!(l.starts_with(name));
                let _ = parse_pool_status(l);
            }
        }
        let _ = in_vg(name, "docker");
        let _ = pool_status_line(&text, name);
    }
});
