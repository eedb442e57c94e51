//! /etc/fstab, /proc/self/mountinfo and /proc/swaps as dmctl reads them
//! (docker-overlay2 data root, device safety checks), and the boot unit
//! check. Input: the file's text; the last byte picks the mount point.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::device::{mounts_of, swaps_of};
use dmctl::bootunit::unit_covers;
use dmctl::mounts::{find_mount, fstab_entry, has_pquota, merge_fstab, parse_mountinfo, remove_fstab};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;
use std::path::Path;

const MOUNTPOINTS: [&str; 5] = ["/var/lib/docker", "/var/lib/docker/", "/data dir", "/", "/srv"];
const SOURCE: &str = "/dev/mapper/docker-docker--data";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sel = data.last().copied().unwrap_or(0) as usize;
    let mp = Path::new(MOUNTPOINTS[sel % MOUNTPOINTS.len()]);

    // mountinfo / swaps (device safety checks, data root)
    let devnums = [
        ("vdb".to_string(), "254:16".to_string()),
        ("vdb1".to_string(), "254:17".to_string()),
        ("sda".to_string(), "8:0".to_string()),
    ];
    let _ = mounts_of(&text, &devnums);
    for e in parse_mountinfo(&text) {
        assert!(!e.devnum.contains(' ') && !e.fstype.contains(' '), "{e:?}");
    }
    // swaps_of resolves each listed path (stat/readlink only, nothing written)
    let _ = swaps_of(&text, &["vdb", "vdb1", "sda"]);
    if let Some(m) = find_mount(&text, mp) {
        let _ = has_pquota(&m.options);
    }
    let _ = unit_covers(&text, "docker", "thinpool");

    // fstab
    if let Some(e) = fstab_entry(&text, mp) {
        let _ = has_pquota(&e.options);
        assert!(e.line >= 1 && e.line <= text.lines().count());
    }
    let existing = if sel & 0x80 != 0 { None } else { Some(&*text) };
    if let Ok(Some(new)) = merge_fstab(existing, SOURCE, mp) {
        // the result mounts our LV there with project quotas...
        let e = fstab_entry(&new, mp).expect("merged fstab has our entry");
        assert_eq!(e.source, SOURCE, "{new}");
        assert_eq!(e.fstype, "xfs");
        assert!(has_pquota(&e.options));
        // ...and merging again changes nothing
        assert_eq!(merge_fstab(Some(&new), SOURCE, mp), Ok(None), "{new}");
        // teardown finds our entry and removes it
        let rest = remove_fstab(&new, SOURCE, mp).expect("our entry is removable");
        assert!(rest.lines().count() < new.lines().count(), "{new}");
    }
    if let Some(rest) = remove_fstab(&text, SOURCE, mp) {
        assert!(rest.lines().count() < text.lines().count());
    }
});
