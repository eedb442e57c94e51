//! Storage flags given to dockerd outside daemon.json: the docker.service
//! unit, its drop-ins and the distributions' environment files, scanned as
//! `dmctl doctor` does (systemd line continuations, quoting, pflag
//! shorthand clusters). The parsing helpers are private, so the public
//! scanner is fed real files under a scratch root in /dev/shm.
//! Input: `UNIT \0 DROPIN \0 ENVFILE` (missing parts: no such file).
#![no_main]

// ---- every dmctl path this target uses (fix here when modules move) ----
use dmctl::docker::flags::scan_storage_flags;
// -------------------------------------------------------------------------

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const FILES: [&str; 3] = [
    "etc/systemd/system/docker.service",
    "etc/systemd/system/docker.service.d/10-fuzz.conf",
    "etc/default/docker",
];

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
        let r = PathBuf::from(format!("{base}/dmctl-fuzz-flags-{}", std::process::id()));
        std::fs::create_dir_all(r.join("etc/systemd/system/docker.service.d")).unwrap();
        std::fs::create_dir_all(r.join("etc/default")).unwrap();
        r
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let mut parts = data.splitn(3, |b| *b == 0);
    for f in FILES {
        let p = root.join(f);
        match parts.next() {
            Some(bytes) => std::fs::write(&p, bytes).unwrap(),
            None => {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    let scan = scan_storage_flags(root);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    for c in &scan.conflicts {
        assert!(matches!(c.flag.as_str(), "--storage-driver" | "-s" | "--storage-opt"));
        assert!(c.line >= 1);
        assert!(c.file.starts_with(root));
    }
});
