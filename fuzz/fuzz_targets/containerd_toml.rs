//! containerd's config.toml: the devmapper snapshotter merge and the facts
//! status/doctor read. Input: the existing config.toml text. The last byte
//! picks the wanted optional keys, the one before it the installed
//! containerd version and the CRI snapshotter option.
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::containerd::{
    config_version_for, facts, merge_devmapper, merge_for, parse_version, remove_devmapper,
    validate, DevmapperWant, DEFAULT_ROOT_PATH,
};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let sel = data.last().copied().unwrap_or(0);
    let sel2 = if data.len() >= 2 { data[data.len() - 2] } else { 0 };
    let containerd = [None, Some((1, 4)), Some((1, 6)), Some((1, 7)), Some((2, 1))]
        [usize::from(sel2 % 5)];
    let _ = facts(&text);
    let _ = parse_version(&text);
    let _ = remove_devmapper(&text, "docker-thinpool");
    let w = DevmapperWant {
        pool_name: if sel & 1 == 0 { "docker-thinpool" } else { "my--vg-pool" }.into(),
        root_path: DEFAULT_ROOT_PATH.into(),
        base_image_size: if sel & 2 == 0 { "10GB" } else { "20G" }.into(),
        async_remove: (sel & 4 != 0).then_some(sel & 8 != 0),
        discard_blocks: (sel & 16 != 0).then_some(true),
        fs_type: (sel & 32 != 0).then(|| "xfs".to_string()),
        fs_options: (sel & 64 != 0).then(|| "-m crc=1".to_string()),
        cri_snapshotter: sel2 & 0x80 != 0,
    };
    assert!(validate(&w).is_empty());
    let existing = if sel & 128 != 0 { None } else { Some(&*text) };
    let new_version = config_version_for(containerd.map(|v| v.0));
    let Ok(e) = merge_for(existing, &w, containerd) else {
        return;
    };
    // the result is TOML that says what was wanted
    let f = facts(&e.text).expect("merge result parses");
    if existing.is_none() {
        assert_eq!(f.version, Some(new_version), "{}", e.text);
    }
    assert_eq!(f.pool_name.as_deref(), Some(w.pool_name.as_str()), "{}", e.text);
    assert_eq!(f.root_path.as_deref(), Some(w.root_path.as_str()), "{}", e.text);
    // idempotent: the second run changes nothing, byte for byte
    let again = merge_for(Some(&e.text), &w, containerd).expect("merge result merges again");
    assert!(!again.changed, "second merge changed:\n{}", e.text);
    assert_eq!(again.text, e.text);
    // teardown removes exactly our section
    let rest = remove_devmapper(&e.text, &w.pool_name)
        .expect("merge result is valid TOML")
        .expect("our section is there");
    if !rest.is_empty() {
        assert_ne!(facts(&rest).unwrap().pool_name.as_deref(), Some(w.pool_name.as_str()));
    }
    let _ = merge_devmapper; // the version-2 entry point is the same code
    // unchanged means byte-identical input
    if !e.changed {
        assert_eq!(Some(e.text.as_str()), existing);
    }
});
