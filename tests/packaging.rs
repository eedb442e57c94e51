//! The Debian package's shipped files agree with the code (host only, fast):
//! the boot unit in packaging/systemd/ is what `dmctl setup --install-unit`
//! writes (src/overlay.rs `unit_text`) but for the pool named on the command
//! line, and every asset Cargo.toml's [package.metadata.deb] lists exists.
//! The build of the package itself is tests/package (docs/PACKAGING.md).

use std::path::Path;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Directive lines, without comments, blank lines and the keys that may
/// differ (what the unit says about itself, and the command line).
fn directives(unit: &str) -> Vec<String> {
    unit.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            !["Description=", "Documentation=", "ExecStart="]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(str::to_string)
        .collect()
}

fn exec_start(unit: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix("ExecStart="))
        .map(str::to_string)
        .collect()
}

#[test]
fn shipped_boot_unit_matches_the_one_setup_writes() {
    let shipped = read("packaging/systemd/dmctl-activate.service");
    let written = dmctl::bootunit::unit_text("/usr/bin/dmctl", "docker", "thinpool", &[]);
    assert_eq!(
        directives(&shipped),
        directives(&written),
        "packaging/systemd/dmctl-activate.service drifted from src/overlay.rs unit_text"
    );
    // Generic: the pool comes from /etc/dmctl/dmctl.toml, not the command line.
    assert_eq!(exec_start(&shipped), ["/usr/bin/dmctl activate"]);
    assert_eq!(
        exec_start(&written),
        ["/usr/bin/dmctl activate --vg docker --pool thinpool"]
    );
}

#[test]
fn metrics_units_run_the_shipped_helper_into_debians_textfile_dir() {
    let svc = read("packaging/systemd/dmctl-metrics.service");
    assert_eq!(
        exec_start(&svc),
        ["/usr/libexec/dmctl/dmctl-textfile /var/lib/prometheus/node-exporter"]
    );
    assert!(svc.contains("Type=oneshot\n"));
    let timer = read("packaging/systemd/dmctl-metrics.timer");
    assert!(timer.contains("OnUnitActiveSec=1min\n"));
    assert!(timer.contains("[Install]\nWantedBy=timers.target\n"));
}

#[test]
fn every_deb_asset_exists_and_units_name_installed_paths() {
    let manifest: toml::Value = read("Cargo.toml").parse().unwrap();
    let assets = manifest["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .expect("[package.metadata.deb] assets");
    let mut dests = Vec::new();
    for a in assets {
        let a = a.as_array().unwrap();
        let (src, dest) = (a[0].as_str().unwrap(), a[1].as_str().unwrap());
        dests.push(dest.to_string());
        if src == "target/release/dmctl" {
            continue; // built by packaging/build
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        match src.strip_suffix("*.1") {
            Some(dir) => {
                let n = std::fs::read_dir(root.join(dir))
                    .unwrap()
                    .filter(|e| e.as_ref().unwrap().path().extension() == Some("1".as_ref()))
                    .count();
                assert!(n > 1, "{src}: no man pages");
            }
            None => assert!(root.join(src).is_file(), "deb asset {src} is missing"),
        }
    }
    for (path, dest) in [
        ("/usr/bin/dmctl", "usr/bin/"),
        ("/usr/libexec/dmctl/dmctl-textfile", "usr/libexec/dmctl/"),
    ] {
        assert!(dests.iter().any(|d| d == dest), "{path} is not packaged");
    }
}
