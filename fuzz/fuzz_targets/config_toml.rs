//! dmctl's own config file (`/etc/dmctl/dmctl.toml`): loaded, resolved to
//! settings, and the settings fed to the writers that use them.
//! Input: the file's text (written to a scratch file in /dev/shm, because
//! `load_file` is the public entry point).
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::config::{load_file, resolve};
use dmctl::containerd::merge_devmapper;
use dmctl::docker::daemon_json::{merge_devicemapper, merge_overlay2, DmWant};
use dmctl::pool::profile::{parse as parse_profile, text as profile_text};
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
        PathBuf::from(format!("{base}/dmctl-fuzz-config-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).unwrap();
    let Ok(opts) = load_file(Some(p)) else {
        return;
    };
    let Ok(s) = resolve(&opts) else {
        return;
    };
    // Every setting resolve() accepts is one the writers accept too.
    let prof = profile_text(&s);
    assert_eq!(
        parse_profile(&prof),
        (Some(s.autoextend_threshold), Some(s.autoextend_percent)),
        "{prof}"
    );
    let want = DmWant {
        thinpooldev: s.thinpooldev(),
        basesize: s.basesize.clone(),
        fs: s.fs.clone(),
    };
    if let Err(e) = merge_devicemapper(None, &want) {
        panic!("resolve() accepted settings the daemon.json merge refuses: {e}");
    }
    if let Err(e) = merge_devmapper(None, &s.devmapper_want()) {
        panic!("resolve() accepted settings the containerd merge refuses: {e}");
    }
    let dr = s.data_root.to_string_lossy();
    if let Err(e) = merge_overlay2(None, s.overlay2_size.as_deref(), Some(&dr)) {
        panic!("resolve() accepted settings the overlay2 merge refuses: {e}");
    }
});
