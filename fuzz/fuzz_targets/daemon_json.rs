//! Docker's daemon.json: the devicemapper and overlay2 merges, teardown's
//! removal, `daemon-json --check` and the facts status/doctor read.
//! Input: the existing daemon.json text. The last byte picks what dmctl
//! wants (pool path, dm.basesize, dm.fs, overlay2.size, data-root).
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::docker::daemon_json::{
    check, facts, is_empty_object, merge_devicemapper, merge_overlay2, remove_devicemapper,
    remove_overlay2, DmWant, Merged,
};
use dmctl::docker::dmopts::{is_dm_key, split_opt};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

const POOLS: [&str; 3] = [
    "/dev/mapper/docker-thinpool",
    "docker-thinpool",
    "/dev/mapper/my--vg-pool",
];
const BASESIZE: [Option<&str>; 3] = [None, Some("20G"), Some("10.5GB")];
const FS: [Option<&str>; 3] = [None, Some("xfs"), Some("ext4")];
const O2SIZE: [Option<&str>; 3] = [None, Some("10G"), Some("1.5g")];
const DATA_ROOT: [Option<&str>; 2] = [None, Some("/var/lib/docker")];

fn json_object(text: &str) {
    let v: serde_json::Value = serde_json::from_str(text).expect("merge result is JSON");
    assert!(v.is_object(), "merge result is not an object: {text}");
}

fn same(a: &Merged, b: &Merged, what: &str) {
    assert!(!b.changed, "{what}: second run changed:\n{}", a.text);
    assert_eq!(a.text, b.text, "{what}: second run rewrote the text");
    assert!(b.warnings.is_empty(), "{what}: second run warned {:?}", b.warnings);
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sel = data.last().copied().unwrap_or(0) as usize;

    let _ = check(&text);
    let _ = facts(&text);

    // teardown: removing twice is a no-op the second time
    if let Ok(r) = remove_devicemapper(&text) {
        json_object(&r.text);
        let f = facts(&r.text).expect("removal result reads back");
        assert_ne!(f.storage_driver.as_deref(), Some("devicemapper"));
        assert!(
            f.storage_opts.iter().all(|o| !split_opt(o).is_some_and(|(k, _)| is_dm_key(&k))),
            "dm.* option left after removal: {}",
            r.text
        );
        let again = remove_devicemapper(&r.text).expect("removal result removes again");
        assert!(!again.changed && again.text == r.text, "remove twice:\n{}", r.text);
    }

    // setup --target docker-devicemapper
    let want = DmWant {
        thinpooldev: POOLS[sel % 3].to_string(),
        basesize: BASESIZE[(sel / 3) % 3].map(str::to_string),
        fs: FS[(sel / 9) % 3].map(str::to_string),
    };
    let existing = if sel & 0x80 != 0 { None } else { Some(&*text) };
    if let Ok(m) = merge_devicemapper(existing, &want) {
        json_object(&m.text);
        // the result passes dmctl's own check and says what was wanted
        assert_eq!(check(&m.text), Vec::<String>::new(), "{}", m.text);
        let f = facts(&m.text).expect("merge result reads back");
        assert_eq!(f.storage_driver.as_deref(), Some("devicemapper"));
        assert_eq!(f.thinpooldev.as_deref(), Some(want.thinpooldev.as_str()));
        // idempotent
        let again = merge_devicemapper(Some(&m.text), &want).expect("merge result merges again");
        same(&m, &again, "merge_devicemapper");
        let _ = remove_devicemapper(&m.text).expect("merge result can be removed");
    }

    // setup --target docker-overlay2
    let size = O2SIZE[(sel / 27) % 3];
    let root = DATA_ROOT[(sel / 81) % 2];
    if let Ok(m) = merge_overlay2(existing, size, root) {
        json_object(&m.text);
        assert_eq!(check(&m.text), Vec::<String>::new(), "{}", m.text);
        let f = facts(&m.text).expect("merge result reads back");
        assert_eq!(f.storage_driver.as_deref(), Some("overlay2"));
        let again = merge_overlay2(Some(&m.text), size, root).expect("merge result merges again");
        same(&m, &again, "merge_overlay2");
        // teardown takes overlay2 back out; what is left is still JSON
        let dr = root.unwrap_or("/var/lib/docker");
        let back = remove_overlay2(&m.text, dr).expect("merge result un-merges");
        json_object(&back.text);
        let f = facts(&back.text).expect("un-merged result reads back");
        assert_ne!(f.storage_driver.as_deref(), Some("overlay2"), "{}", back.text);
        let _ = is_empty_object(&back.text);
    }
    let _ = remove_overlay2(&text, "/var/lib/docker");
});
