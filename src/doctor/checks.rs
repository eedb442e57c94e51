//! Each doctor check: a pure function from [`Evidence`] to findings, with
//! its levels (docs/MONITORING.md has the table). To add one: a function
//! here, a line in [`super::diagnose`], a test beside it.

use super::{Evidence, Finding, Severity};
use crate::docker::daemon_json;
use crate::docker::version::{self, DmSupport};
use crate::lvm::size::human;
use crate::status::{self, StatusReport};

pub(crate) fn ok(check: &'static str, message: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Ok,
        check,
        message: message.into(),
        fix: Vec::new(),
    }
}
fn with(
    severity: Severity,
    check: &'static str,
    message: impl Into<String>,
    fix: &[&str],
) -> Finding {
    Finding {
        severity,
        check,
        message: message.into(),
        fix: fix.iter().map(|s| s.to_string()).collect(),
    }
}
pub(crate) fn note(check: &'static str, message: impl Into<String>, fix: &[&str]) -> Finding {
    with(Severity::Note, check, message, fix)
}
pub(crate) fn warn(check: &'static str, message: impl Into<String>, fix: &[&str]) -> Finding {
    with(Severity::Warn, check, message, fix)
}
pub(crate) fn crit(check: &'static str, message: impl Into<String>, fix: &[&str]) -> Finding {
    with(Severity::Critical, check, message, fix)
}

/// Usage at or above which doctor is critical whatever the threshold.
pub const DATA_CRITICAL: f64 = 95.0;
pub const METADATA_CRITICAL: f64 = 90.0;
/// Warning level when autoextend is off.
pub const WARN_WITHOUT_AUTOEXTEND: f64 = 80.0;

fn pool_of(f: &Evidence) -> Option<&StatusReport> {
    f.pool.as_ref()
}

/// Pool found, active, healthy mode.
pub fn check_pool(f: &Evidence) -> Vec<Finding> {
    if !f.lvm {
        return vec![crit(
            "host.lvm",
            "lvm2 is not installed: there is no LVM, hence no thin pool",
            &[
                "apt-get install lvm2 dmeventd   # or: dnf install lvm2",
                "dmctl setup /dev/DISK",
            ],
        )];
    }
    let Some(p) = pool_of(f) else {
        let why = f.pool_error.clone().unwrap_or_default();
        let dm_configured = f
            .daemon_json
            .as_deref()
            .and_then(|t| daemon_json::facts(t).ok())
            .is_some_and(|d| d.thinpooldev.is_some());
        return vec![if dm_configured {
            crit(
                "pool.found",
                format!("daemon.json uses a thin pool that cannot be reported: {why}"),
                &["dmctl setup /dev/DISK   # or fix dm.thinpooldev in daemon.json"],
            )
        } else {
            warn("pool.found", why, &["dmctl setup /dev/DISK"])
        }];
    };
    let path = p.pool_path();
    let mut v = vec![ok("pool.found", format!("pool {path} found"))];
    if !p.active {
        v.push(crit(
            "pool.active",
            format!(
                "{path} is not active: Docker fails with \"Non existing device {}\"",
                p.dm_name
            ),
            &[&format!("lvchange -ay {path}")],
        ));
        return v;
    }
    let repair = [
        format!("lvchange -an {path}   # stop Docker first"),
        format!("lvconvert --repair {path}"),
        format!("lvchange -ay {path}"),
        "dmctl extend --metadata +SIZE   # repair needs room; grow metadata".to_string(),
    ];
    let repair: Vec<&str> = repair.iter().map(String::as_str).collect();
    match p.mode.as_str() {
        "fail" => v.push(crit(
            "pool.mode",
            format!("{path} has failed (dm status Fail)"),
            &repair,
        )),
        "error" => v.push(crit(
            "pool.mode",
            format!(
                "{path} reports Error: the kernel cannot read its metadata (see `dmesg` for \
                 device-mapper: thin errors)"
            ),
            &repair,
        )),
        "ro" => v.push(crit(
            "pool.mode",
            format!("{path} is read-only (metadata out of space or damaged)"),
            &repair,
        )),
        "out_of_data_space" => v.push(crit(
            "pool.mode",
            format!("{path} is out of data space: writes fail or queue"),
            &[
                "dmctl extend --data +SIZE   # or --add-device /dev/DISK --grow",
                &format!("lvextend -L +SIZE {path}"),
            ],
        )),
        m => v.push(ok("pool.mode", format!("{path} is active, mode {m}"))),
    }
    if p.needs_check {
        v.push(crit(
            "pool.needs_check",
            format!("the kernel flagged {path}'s metadata as needing a check"),
            &repair,
        ));
    }
    v
}

/// Data and metadata usage, each on its own.
pub fn check_usage(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f).filter(|p| p.active) else {
        return Vec::new();
    };
    let path = p.pool_path();
    let thr = p.profile.threshold.filter(|_| p.profile.autoextend);
    let warn_at = thr.map(f64::from).unwrap_or(WARN_WITHOUT_AUTOEXTEND);
    let mut v = Vec::new();
    for (check, what, u, critical, fix) in [
        (
            "pool.data_usage",
            "data",
            &p.data,
            DATA_CRITICAL,
            "dmctl extend --data +SIZE   # or --add-device /dev/DISK --grow",
        ),
        (
            "pool.metadata_usage",
            "metadata",
            &p.metadata,
            METADATA_CRITICAL,
            "dmctl extend --metadata +SIZE",
        ),
    ] {
        let Some(pct) = u.percent else { continue };
        let used = match u.used_bytes.filter(|_| u.total_bytes > 0) {
            Some(b) => format!(
                "{path} {what} is {pct:.2}% full ({} of {})",
                human(b),
                human(u.total_bytes)
            ),
            // Offline, from a status line without the chunk size.
            None => format!("{path} {what} is {pct:.2}% full"),
        };
        if pct >= critical {
            v.push(crit(
                check,
                format!("{used}, at or over the critical level {critical}%"),
                &[fix],
            ));
        } else if pct >= warn_at {
            let why = match thr {
                Some(t) => {
                    format!("at or over the autoextend threshold {t}%: autoextend did not keep up")
                }
                None if profile_unknown(f) => {
                    format!("over {warn_at}% (the input has no profile: autoextend unknown)")
                }
                None => format!("over {warn_at}% and autoextend is off"),
            };
            v.push(warn(check, format!("{used}, {why}"), &[fix]));
        } else {
            v.push(ok(check, used));
        }
    }
    v
}

/// Offline, without the pool's profile: autoextend is unknown.
fn profile_unknown(f: &Evidence) -> bool {
    f.offline.is_some_and(|k| !k.profile)
}

/// dmeventd monitoring.
pub fn check_monitoring(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f).filter(|p| p.active) else {
        return Vec::new();
    };
    let path = p.pool_path();
    if !f.dmeventd {
        return vec![warn(
            "pool.monitoring",
            "dmeventd is not installed: autoextend will never fire",
            &[
                "apt-get install dmeventd   # or: dnf install lvm2",
                &format!("lvchange --monitor y {path}"),
            ],
        )];
    }
    if !p.monitored {
        return vec![warn(
            "pool.monitoring",
            format!("{path} is not monitored by dmeventd: autoextend will never fire"),
            &[&format!("lvchange --monitor y {path}")],
        )];
    }
    vec![ok("pool.monitoring", format!("{path} is monitored"))]
}

/// The autoextend profile: attached, present, enabled.
pub fn check_profile(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f) else {
        return Vec::new();
    };
    let path = p.pool_path();
    let pr = &p.profile;
    let default_name = format!("{}-{}", p.vg, p.pool);
    match (&pr.name, &pr.path) {
        (None, _) => vec![warn(
            "pool.profile",
            format!("{path} has no autoextend profile attached: it will not grow by itself"),
            &[&format!(
                "dmctl profile --vg {} --pool {}   # writes and attaches {default_name}",
                p.vg, p.pool
            )],
        )],
        (Some(n), Some(file)) if !pr.file_exists => vec![warn(
            "pool.profile",
            format!(
                "{path} uses profile {n}, but {} does not exist: autoextend is off",
                file.display()
            ),
            &[&format!("dmctl profile --vg {} --pool {}", p.vg, p.pool)],
        )],
        (Some(n), _) if !pr.autoextend => vec![warn(
            "pool.profile",
            format!(
                "profile {n} turns autoextend off (threshold {}, percent {})",
                pr.threshold
                    .map(|t| t.to_string())
                    .unwrap_or("unset".into()),
                pr.percent.map(|t| t.to_string()).unwrap_or("unset".into())
            ),
            &[&format!(
                "dmctl profile --vg {} --pool {} --autoextend-threshold 80 --autoextend-percent 20",
                p.vg, p.pool
            )],
        )],
        (Some(n), _) => vec![ok(
            "pool.profile",
            format!(
                "profile {n}: autoextend at {}% by {}%",
                pr.threshold.unwrap_or(0),
                pr.percent.unwrap_or(0)
            ),
        )],
    }
}

/// The boot activation unit.
pub fn check_boot(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f) else {
        return Vec::new();
    };
    let Some(u) = &p.activation_unit else {
        return Vec::new();
    };
    let path = u.path.display();
    let unit = crate::bootunit::UNIT_NAME;
    if u.in_place() {
        let how = if u.enabled == Some(true) {
            "enabled"
        } else {
            "systemd is not PID 1, so it is not enabled"
        };
        return vec![ok(
            "boot.activation_unit",
            format!("{path} activates {} at boot ({how})", p.pool_path()),
        )];
    }
    if !u.installed {
        // The unit is optional: LVM's own autoactivation brings the pool up
        // at boot on most hosts. Its absence is no fault, only a hint.
        return vec![ok(
            "boot.activation_unit",
            format!(
                "no dmctl boot unit for {} (optional: `dmctl setup DEVICE --install-unit` \
                 orders activation before docker/containerd)",
                p.pool_path()
            ),
        )];
    }
    let (msg, fix) = if u.covers_pool {
        (
            format!("{path} is installed but not enabled"),
            format!("systemctl enable {unit}"),
        )
    } else {
        (
            format!("{path} activates another pool, not {}", p.pool_path()),
            "dmctl setup DEVICE --install-unit   # DEVICE: the pool's disk; changes nothing else"
                .to_string(),
        )
    };
    vec![warn("boot.activation_unit", msg, &[&fix])]
}

/// What the pool is wired to (each target's own view of its wiring).
pub fn check_targets(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f) else {
        return Vec::new();
    };
    p.targets
        .iter()
        .map(|w| {
            let id = match w.target {
                "docker-devicemapper" => "target.docker-devicemapper",
                "containerd-devmapper" => "target.containerd-devmapper",
                _ => "target.docker-overlay2",
            };
            match &w.problem {
                None => ok(
                    id,
                    format!("{} feeds {} ({})", p.pool_path(), w.target, w.detail),
                ),
                Some(problem) => {
                    let fix: Vec<&str> = w.fix.iter().map(String::as_str).collect();
                    warn(id, problem.clone(), &fix)
                }
            }
        })
        .collect()
}

/// How close to the autoextend threshold "nearing it" starts (points).
pub const NEAR_THRESHOLD: f64 = 10.0;

/// Room in the VG for the next autoextend step. A VG that cannot take the
/// next step is no risk while the pool is far from its threshold (a fresh
/// default setup: note), a warning as data or metadata use nears the
/// threshold, and critical once past it: autoextend then fails and the
/// pool fills.
pub fn check_vg_free(f: &Evidence) -> Vec<Finding> {
    let Some(p) = pool_of(f) else {
        return Vec::new();
    };
    let Some(n) = p.next_autoextend_bytes else {
        return Vec::new();
    };
    let short = format!(
        "VG {} has {} free, less than the next autoextend step {}",
        p.vg,
        human(p.vg_free_bytes),
        human(n)
    );
    if p.vg_free_covers_next_autoextend != Some(false) {
        return vec![ok(
            "vg.free",
            format!(
                "VG {} has {} free for the next autoextend step {}",
                p.vg,
                human(p.vg_free_bytes),
                human(n)
            ),
        )];
    }
    let fix = format!(
        "dmctl extend --pool {} --add-device /dev/DISK",
        p.pool_path()
    );
    let threshold = p.profile.threshold.map(f64::from).unwrap_or(100.0);
    let used = [p.data.percent, p.metadata.percent]
        .into_iter()
        .flatten()
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    match used {
        Some(u) if u >= threshold => vec![crit(
            "vg.free",
            format!(
                "{short}: use is {u:.2}%, past the autoextend threshold {threshold}%, and \
                 autoextend cannot grow the pool: it will fill"
            ),
            &[&fix],
        )],
        Some(u) if u >= threshold - NEAR_THRESHOLD => vec![warn(
            "vg.free",
            format!(
                "{short}: use is {u:.2}%, near the autoextend threshold {threshold}%, and \
                 autoextend will fail when it is reached"
            ),
            &[&fix],
        )],
        Some(u) => vec![note(
            "vg.free",
            format!(
                "{short}: no risk while use ({u:.2}%) stays well below the autoextend \
                 threshold {threshold}%; autoextend will fail once it is reached"
            ),
            &[&fix],
        )],
        // Inactive pool: usage unknown (pool.active is already critical).
        None => vec![note(
            "vg.free",
            format!("{short}: autoextend will fail"),
            &[&fix],
        )],
    }
}

/// thin_check and the kernel's thin target.
pub fn check_host(f: &Evidence) -> Vec<Finding> {
    let mut v = Vec::new();
    if f.thin_check {
        v.push(ok("host.thin_check", "thin_check is installed"));
    } else {
        v.push(crit(
            "host.thin_check",
            "thin_check is missing: LVM cannot activate thin pools (fails at boot)",
            &["apt-get install thin-provisioning-tools   # or: dnf install device-mapper-persistent-data"],
        ));
    }
    match (f.thin_target, f.thin_module) {
        (Some(true), _) => v.push(ok(
            "host.dm_thin_pool",
            "the kernel has the thin-pool target",
        )),
        (_, true) => v.push(ok(
            "host.dm_thin_pool",
            "dm_thin_pool is available as a module",
        )),
        (_, false) => v.push(crit(
            "host.dm_thin_pool",
            "the kernel has no dm-thin target and no dm_thin_pool module",
            &["modprobe dm_thin_pool   # install the kernel's modules package if it fails"],
        )),
    }
    v
}

/// Docker: loop-lvm, daemon.json validity, flags, version.
pub fn check_docker(f: &Evidence) -> Vec<Finding> {
    let mut v = Vec::new();
    let dj = f.daemon_json_path.display().to_string();
    if let Some(file) = &f.loop_file {
        v.push(warn(
            "docker.loop_lvm",
            format!(
                "Docker used loop-lvm ({} exists): slow and unsupported for production",
                file.display()
            ),
            &["dmctl setup /dev/DISK   # direct-lvm; existing images must be pulled again"],
        ));
    }
    let facts = match f.daemon_json.as_deref() {
        None => None,
        Some(text) => {
            let problems = daemon_json::check(text);
            if problems.is_empty() {
                v.push(ok("docker.daemon_json", format!("{dj} is valid")));
            } else {
                v.push(crit(
                    "docker.daemon_json",
                    format!(
                        "{dj} would keep dockerd from starting: {}",
                        problems.join("; ")
                    ),
                    &[
                        &format!("dmctl daemon-json --check {dj}   # then fix it by hand"),
                        "dmctl daemon-json",
                    ],
                ));
            }
            daemon_json::facts(text).ok()
        }
    };
    let dm_driver = facts
        .as_ref()
        .is_some_and(|d| d.storage_driver.as_deref() == Some("devicemapper"))
        || f.docker_info.as_ref().is_some_and(|i| i.devicemapper());
    let dm_opts = facts.as_ref().is_some_and(|d| {
        d.storage_opts
            .iter()
            .any(|o| o.trim_start().starts_with("dm."))
    });
    if let (Some(d), Some(p)) = (facts.as_ref().and_then(|d| d.thinpooldev.clone()), &f.pool) {
        let want = format!("/dev/mapper/{}", p.dm_name);
        if d != want && p.found_by != status::FoundBy::DaemonJson {
            v.push(crit(
                "docker.thinpooldev",
                format!(
                    "{dj} points at {d}, not at the pool {} ({want})",
                    p.pool_path()
                ),
                &[&format!(
                    "dmctl daemon-json --vg {} --pool {}",
                    p.vg, p.pool
                )],
            ));
        }
    }
    for c in &f.flags.conflicts {
        v.push(crit(
            "docker.flags",
            format!(
                "{}:{} passes {} to dockerd while daemon.json sets storage: dockerd will not start",
                c.file.display(),
                c.line,
                c.flag
            ),
            &[
                &format!(
                    "edit {} line {}: remove {}",
                    c.file.display(),
                    c.line,
                    c.flag
                ),
                "systemctl daemon-reload && systemctl restart docker",
            ],
        ));
    }
    if let Some(ver) = &f.dockerd {
        match version::devicemapper_support(ver) {
            DmSupport::Removed if dm_driver || dm_opts => v.push(crit(
                "docker.version",
                format!(
                    "dockerd {} has no devicemapper driver (removed in 25.0) but {dj} configures it: dockerd will not start",
                    ver.raw
                ),
                &[
                    "install Docker 24.x or older, or move to overlay2 (e.g. on an LV of this VG)",
                    &format!("dmctl teardown   # then remove devicemapper from {dj}"),
                ],
            )),
            DmSupport::RequiresExplicitDriver if dm_opts && !dm_driver => v.push(warn(
                "docker.version",
                format!(
                    "dockerd {} only uses devicemapper with an explicit \"storage-driver\": \"devicemapper\", which {dj} lacks",
                    ver.raw
                ),
                &["dmctl daemon-json"],
            )),
            DmSupport::RequiresExplicitDriver if dm_driver => v.push(note(
                "docker.version",
                format!(
                    "dockerd {} runs devicemapper, deprecated and removed in Docker 25.0: \
                     migrate before upgrading Docker",
                    ver.raw
                ),
                &[
                    "apt-mark hold docker-ce docker-ce-cli   # until migrated",
                    "move to overlay2 (e.g. on an LV of this VG), then upgrade",
                ],
            )),
            s => v.push(ok("docker.version", format!("dockerd {}: {s}", ver.raw))),
        }
    }
    v
}

/// What `docker info` says (offline only: the host doctor does not ask
/// dockerd): udev sync, Docker's own free-space floor, its warnings.
pub fn check_docker_info(f: &Evidence) -> Vec<Finding> {
    let Some(i) = &f.docker_info else {
        return Vec::new();
    };
    let mut v = Vec::new();
    if let Some(e) = &i.server_error {
        v.push(warn(
            "docker.info",
            format!("docker info could not reach dockerd: {e}"),
            &["journalctl -u docker -b   # why dockerd is not running"],
        ));
    }
    for w in &i.warnings {
        let l = w.to_ascii_lowercase();
        if l.contains("space") || l.contains("thin pool") {
            v.push(warn(
                "docker.info",
                format!("Docker warns: {w}"),
                &["dmctl extend --data +SIZE   # or --add-device /dev/DISK --grow"],
            ));
        } else if l.contains("devicemapper") && !l.contains("loopback") {
            v.push(note("docker.info", format!("Docker warns: {w}"), &[]));
        }
    }
    if i.devicemapper() {
        match i.udev_sync {
            Some(false) => v.push(crit(
                "docker.udev_sync",
                "docker info: Udev Sync Supported: false: devicemapper races udev, \
                 which loses data and leaves devices behind",
                &[
                    "use a dockerd built with udev sync (distribution or docker.com packages, \
                     not a static binary)",
                    "remove dm.override_udev_sync_check from daemon.json",
                ],
            )),
            Some(true) => v.push(ok("docker.udev_sync", "udev sync is supported")),
            None => {}
        }
        if let (Some(avail), Some(min)) = (i.data_available, i.min_free_space) {
            if avail < min {
                v.push(crit(
                    "docker.free_space",
                    format!(
                        "docker info: Data Space Available {} is below Docker's Thin Pool \
                         Minimum Free Space {}: Docker refuses to create containers",
                        human(avail),
                        human(min)
                    ),
                    &["dmctl extend --data +SIZE   # or --add-device /dev/DISK --grow"],
                ));
            } else {
                v.push(ok(
                    "docker.free_space",
                    format!(
                        "Docker sees {} data space available (its floor: {})",
                        human(avail),
                        human(min)
                    ),
                ));
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::flags::FlagConflict;
    use crate::docker::flags::FlagScan;
    use crate::doctor::{diagnose, render_human, worst};
    use crate::status::tests::{fx, rep, PROFILE};

    fn healthy() -> Evidence {
        Evidence {
            pool: Some(rep(
                fx!("02-thinlv-fullreport.out"),
                Some(fx!("02-thinlv-dmsetup-status.out")),
                Some(PROFILE),
            )),
            lvm: true,
            thin_check: true,
            dmeventd: true,
            thin_target: Some(true),
            thin_module: true,
            daemon_json_path: "/etc/docker/daemon.json".into(),
            daemon_json: Some(
                r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool","dm.use_deferred_removal=true"]}"#.into(),
            ),
            dockerd: version::parse_dockerd_version(fx!("08-docker-version.out")),
            ..Default::default()
        }
    }

    fn only(f: &Evidence, check: &str) -> Finding {
        let v: Vec<Finding> = diagnose(f)
            .into_iter()
            .filter(|x| x.check == check)
            .collect();
        assert_eq!(v.len(), 1, "{check}: {v:?}");
        v[0].clone()
    }

    #[test]
    fn healthy_pool_is_all_ok() {
        let v = diagnose(&healthy());
        assert_eq!(worst(&v), Severity::Ok, "{}", render_human(&v));
        assert_eq!(worst(&v).exit_code(), 0);
        assert!(v.len() >= 8, "{v:?}");
        assert!(v.iter().all(|f| f.fix.is_empty()));
    }

    #[test]
    fn boot_unit_is_optional_but_a_broken_one_warns() {
        use crate::status::UnitInfo;
        let with = |installed, covers_pool, enabled| {
            let mut f = healthy();
            f.pool.as_mut().unwrap().activation_unit = Some(UnitInfo {
                path: "/etc/systemd/system/dmctl-activate.service".into(),
                installed,
                covers_pool,
                enabled,
            });
            only(&f, "boot.activation_unit")
        };
        let absent = with(false, false, None);
        assert_eq!(absent.severity, Severity::Ok, "{absent:?}");
        assert!(absent.message.contains("--install-unit"), "{absent:?}");
        assert_eq!(with(true, true, Some(true)).severity, Severity::Ok);
        assert_eq!(with(true, true, None).severity, Severity::Ok);
        let off = with(true, true, Some(false));
        assert_eq!(off.severity, Severity::Warn);
        assert!(off.fix[0].contains("systemctl enable"), "{off:?}");
        let other = with(true, false, Some(true));
        assert_eq!(other.severity, Severity::Warn);
        assert!(other.message.contains("another pool"), "{other:?}");
    }

    #[test]
    fn data_over_threshold_and_full_pool() {
        // Real full pool: 100% data, out_of_data_space.
        let f = Evidence {
            pool: Some(rep(
                fx!("07-full-fullreport.out"),
                Some(fx!("07-full-dmsetup-status.out")),
                Some(PROFILE),
            )),
            ..healthy()
        };
        let d = only(&f, "pool.data_usage");
        assert_eq!(d.severity, Severity::Critical);
        assert!(d.message.contains("100.00%"), "{}", d.message);
        assert!(d.fix[0].starts_with("dmctl extend --data"));
        let m = only(&f, "pool.mode");
        assert_eq!(m.severity, Severity::Critical);
        assert!(m.message.contains("out of data space"));
        assert_eq!(only(&f, "pool.metadata_usage").severity, Severity::Ok);
        assert_eq!(worst(&diagnose(&f)).exit_code(), 6);
        // Real pool right after autoextend: 72.92% < 80%: ok. Past the
        // threshold but under the critical level: warn.
        let mut p = rep(
            fx!("06-after-fill-fullreport.out"),
            Some(fx!("06-after-fill-dmsetup-status.out")),
            Some(PROFILE),
        );
        assert_eq!(
            only(
                &Evidence {
                    pool: Some(p.clone()),
                    ..healthy()
                },
                "pool.data_usage"
            )
            .severity,
            Severity::Ok
        );
        p.data.percent = Some(85.0);
        let d = only(
            &Evidence {
                pool: Some(p.clone()),
                ..healthy()
            },
            "pool.data_usage",
        );
        assert_eq!(d.severity, Severity::Warn);
        assert!(d.message.contains("threshold 80%"));
        // Metadata is judged on its own.
        p.data.percent = Some(10.0);
        p.metadata.percent = Some(91.0);
        let f = Evidence {
            pool: Some(p),
            ..healthy()
        };
        assert_eq!(only(&f, "pool.data_usage").severity, Severity::Ok);
        let m = only(&f, "pool.metadata_usage");
        assert_eq!(m.severity, Severity::Critical);
        assert_eq!(m.fix, ["dmctl extend --metadata +SIZE"]);
    }

    #[test]
    fn read_only_needs_check_real_kernel_line() {
        // A real `ro ... needs_check` thin-pool line from the kernel (main's
        // VM capture, a dmsetup-made pool "ropool"), under our pool's name.
        let dm = include_str!("../../tests/fixtures/vm/dm-ro-needs-check--dmsetup-status.out")
            .replace("ropool:", "docker-thinpool:");
        let p = rep(fx!("01-fresh-fullreport.out"), Some(&dm), Some(PROFILE));
        assert_eq!(p.mode, "ro");
        assert!(p.needs_check && p.read_only());
        assert_eq!(p.when_full, "error_if_no_space");
        let f = Evidence {
            pool: Some(p),
            ..healthy()
        };
        let m = only(&f, "pool.mode");
        assert_eq!(m.severity, Severity::Critical);
        assert!(m.message.contains("read-only"));
        assert!(m
            .fix
            .iter()
            .any(|c| c == "lvconvert --repair docker/thinpool"));
        assert!(m
            .fix
            .iter()
            .any(|c| c.starts_with("dmctl extend --metadata")));
        let n = only(&f, "pool.needs_check");
        assert_eq!(n.severity, Severity::Critical);
        assert_eq!(worst(&diagnose(&f)).exit_code(), 6);
    }

    #[test]
    fn monitoring_off_real_state() {
        let f = Evidence {
            pool: Some(rep(
                fx!("03-monitor-off-fullreport.out"),
                Some(fx!("03-monitor-off-dmsetup-status.out")),
                Some(PROFILE),
            )),
            ..healthy()
        };
        let m = only(&f, "pool.monitoring");
        assert_eq!(m.severity, Severity::Warn);
        assert_eq!(m.fix, ["lvchange --monitor y docker/thinpool"]);
        assert_eq!(worst(&diagnose(&f)).exit_code(), 5);
        let f = Evidence {
            dmeventd: false,
            ..healthy()
        };
        let m = only(&f, "pool.monitoring");
        assert!(m.message.contains("dmeventd is not installed"));
    }

    #[test]
    fn profile_detached_missing_or_off() {
        let f = Evidence {
            pool: Some(rep(
                fx!("04-detached-fullreport.out"),
                Some(fx!("04-detached-dmsetup-status.out")),
                None,
            )),
            ..healthy()
        };
        let p = only(&f, "pool.profile");
        assert_eq!(p.severity, Severity::Warn);
        assert!(p.message.contains("no autoextend profile attached"));
        assert!(p.fix[0].starts_with("dmctl profile --vg docker --pool thinpool"));
        let missing = Evidence {
            pool: Some(rep(
                fx!("02-thinlv-fullreport.out"),
                Some(fx!("02-thinlv-dmsetup-status.out")),
                None,
            )),
            ..healthy()
        };
        assert!(only(&missing, "pool.profile")
            .message
            .contains("does not exist"));
        let off = Evidence {
            pool: Some(rep(
                fx!("02-thinlv-fullreport.out"),
                Some(fx!("02-thinlv-dmsetup-status.out")),
                Some("activation {\n thin_pool_autoextend_threshold=100\n thin_pool_autoextend_percent=20\n}\n"),
            )),
            ..healthy()
        };
        let p = only(&off, "pool.profile");
        assert!(p.message.contains("threshold 100"), "{}", p.message);
    }

    #[test]
    fn inactive_pool_real_state() {
        let f = Evidence {
            pool: Some(rep(fx!("05-inactive-fullreport.out"), None, Some(PROFILE))),
            thin_target: None,
            ..healthy()
        };
        let a = only(&f, "pool.active");
        assert_eq!(a.severity, Severity::Critical);
        assert!(a.message.contains("Non existing device docker-thinpool"));
        assert_eq!(a.fix, ["lvchange -ay docker/thinpool"]);
        // Usage and monitoring are not judged on an inactive pool.
        assert!(!diagnose(&f).iter().any(|x| x.check == "pool.data_usage"));
    }

    #[test]
    fn vg_free_too_small() {
        let mut p = rep(
            fx!("07-full-fullreport.out"),
            Some(fx!("07-full-dmsetup-status.out")),
            Some(PROFILE),
        );
        // Real: 300 MiB free, next step 20% of 1728 MiB = 348 MiB.
        assert_eq!(p.vg_free_covers_next_autoextend, Some(false));
        // The real pool is full (past its 80% threshold): critical.
        let v = only(
            &Evidence {
                pool: Some(p.clone()),
                ..healthy()
            },
            "vg.free",
        );
        assert_eq!(v.severity, Severity::Critical, "{v:?}");
        assert!(v.fix[0].contains("--add-device"));
        // The same VG with the pool well below, then near the threshold.
        let at = |data: f64, meta: f64| {
            let mut q = p.clone();
            q.data.percent = Some(data);
            q.metadata.percent = Some(meta);
            only(
                &Evidence {
                    pool: Some(q),
                    ..healthy()
                },
                "vg.free",
            )
            .severity
        };
        assert_eq!(at(0.0, 10.4), Severity::Note);
        assert_eq!(at(69.9, 10.0), Severity::Note);
        assert_eq!(at(70.0, 10.0), Severity::Warn);
        assert_eq!(at(10.0, 75.0), Severity::Warn, "metadata counts too");
        assert_eq!(at(80.0, 10.0), Severity::Critical);
        assert_eq!(Severity::Note.exit_code(), 0);
        p.vg_free_covers_next_autoextend = Some(true);
        assert_eq!(
            only(
                &Evidence {
                    pool: Some(p),
                    ..healthy()
                },
                "vg.free"
            )
            .severity,
            Severity::Ok
        );
    }

    #[test]
    fn host_tools_and_kernel() {
        let f = Evidence {
            thin_check: false,
            ..healthy()
        };
        let t = only(&f, "host.thin_check");
        assert_eq!(t.severity, Severity::Critical);
        assert!(t.fix[0].contains("thin-provisioning-tools"));
        let f = Evidence {
            thin_target: Some(false),
            thin_module: false,
            ..healthy()
        };
        assert_eq!(only(&f, "host.dm_thin_pool").severity, Severity::Critical);
        // Real `dmsetup targets` lists thin-pool.
        assert!(fx!("08-dmsetup-targets.out")
            .lines()
            .any(|l| l.starts_with("thin-pool ")));
    }

    #[test]
    fn docker_side_findings() {
        let bad = Evidence {
            daemon_json: Some(r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool","dm.fs=btrfs"]}"#.into()),
            ..healthy()
        };
        let d = only(&bad, "docker.daemon_json");
        assert_eq!(d.severity, Severity::Critical);
        assert!(d.message.contains("dm.fs"), "{}", d.message);
        let broken = Evidence {
            daemon_json: Some("{\"storage-driver\": ".into()),
            ..healthy()
        };
        assert!(only(&broken, "docker.daemon_json")
            .message
            .contains("not valid JSON"));
        let other = Evidence {
            daemon_json: Some(r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/vg2-pool"]}"#.into()),
            ..healthy()
        };
        let mut o = other.clone();
        o.pool.as_mut().unwrap().found_by = status::FoundBy::Flag;
        assert_eq!(only(&o, "docker.thinpooldev").severity, Severity::Critical);
        let flags = Evidence {
            flags: FlagScan {
                conflicts: vec![FlagConflict {
                    file: "/etc/systemd/system/docker.service.d/override.conf".into(),
                    line: 3,
                    text: "ExecStart=/usr/bin/dockerd --storage-driver=overlay2".into(),
                    flag: "--storage-driver".into(),
                }],
                errors: vec![],
            },
            ..healthy()
        };
        let fl = only(&flags, "docker.flags");
        assert_eq!(fl.severity, Severity::Critical);
        assert!(fl.message.contains("override.conf:3"));
        let v25 = Evidence {
            dockerd: version::parse_dockerd_version("Docker version 25.0.3, build 4debf41"),
            ..healthy()
        };
        assert_eq!(only(&v25, "docker.version").severity, Severity::Critical);
        let v24 = Evidence {
            dockerd: version::parse_dockerd_version("Docker version 24.0.7, build afdd53b"),
            daemon_json: Some(
                r#"{"storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool"]}"#.into(),
            ),
            ..healthy()
        };
        assert_eq!(only(&v24, "docker.version").severity, Severity::Warn);
        let lp = Evidence {
            loop_file: Some("/var/lib/docker/devicemapper/devicemapper/data".into()),
            ..healthy()
        };
        let l = only(&lp, "docker.loop_lvm");
        assert!(l.fix[0].starts_with("dmctl setup"));
    }

    #[test]
    fn no_pool() {
        let f = Evidence {
            pool: None,
            pool_error: Some("no thin pool found on this host".into()),
            daemon_json: None,
            ..healthy()
        };
        assert_eq!(only(&f, "pool.found").severity, Severity::Warn);
        let f = Evidence {
            pool: None,
            pool_error: Some("x".into()),
            ..healthy()
        };
        assert_eq!(only(&f, "pool.found").severity, Severity::Critical);
        let f = Evidence { lvm: false, ..f };
        assert_eq!(only(&f, "host.lvm").severity, Severity::Critical);
        assert!(!diagnose(&f).iter().any(|x| x.check == "pool.found"));
    }

    #[test]
    fn failed_and_error_pools_are_critical() {
        use crate::status::tests::{fx, rep, PROFILE};
        for (line, word) in [
            (
                format!("docker-thinpool: {}", fx!("09-failed-dmsetup-status.out")),
                "Fail",
            ),
            (
                "docker-thinpool: 0 983040 thin-pool Error\n".to_string(),
                "Error",
            ),
        ] {
            let ev = Evidence {
                pool: Some(rep(
                    fx!("01-fresh-fullreport.out"),
                    Some(&line),
                    Some(PROFILE),
                )),
                ..healthy()
            };
            let f = check_pool(&ev);
            let m = f.iter().find(|f| f.check == "pool.mode").unwrap();
            assert_eq!(m.severity, Severity::Critical, "{word}: {m:?}");
            assert!(m.message.contains(word), "{m:?}");
            assert!(m.fix.iter().any(|c| c.contains("lvconvert --repair")));
            assert_eq!(worst(&diagnose(&ev)).exit_code(), 6);
        }
    }

    #[test]
    fn docker_info_levels() {
        use crate::doctor::docker_info::DockerInfo;
        let real = include_str!("../../tests/fixtures/vm/docker-devicemapper--docker-info.out");
        let with = |text: &str| Evidence {
            docker_info: Some(DockerInfo::from_text(text).unwrap()),
            ..healthy()
        };
        assert_eq!(only(&with(real), "docker.udev_sync").severity, Severity::Ok);
        assert_eq!(
            only(&with(real), "docker.free_space").severity,
            Severity::Ok
        );
        let udev = with(&real.replace("Udev Sync Supported: true", "Udev Sync Supported: false"));
        assert_eq!(only(&udev, "docker.udev_sync").severity, Severity::Critical);
        let low = with(&real.replace(
            "Data Space Available: 1.958GB",
            "Data Space Available: 93.1MB",
        ));
        let f = only(&low, "docker.free_space");
        assert_eq!(f.severity, Severity::Critical);
        assert!(f.message.contains("refuses to create containers"), "{f:?}");
        // Docker 24 running devicemapper: a note to migrate before 25.
        let v24 = with(&real.replace("Server Version: 20.10.24+dfsg1", "Server Version: 24.0.7"));
        let v24 = Evidence {
            dockerd: v24.docker_info.as_ref().unwrap().server_version.clone(),
            daemon_json: None,
            ..v24
        };
        let v = only(&v24, "docker.version");
        assert_eq!(v.severity, Severity::Note, "{v:?}");
        assert!(v.message.contains("removed in Docker 25.0"), "{v:?}");
        let down = with(include_str!(
            "../../tests/fixtures/vm/docker-stopped--docker-info.out"
        ));
        assert_eq!(only(&down, "docker.info").severity, Severity::Warn);
        // The host doctor has no docker info: none of these findings.
        assert!(!diagnose(&healthy())
            .iter()
            .any(|f| f.check.starts_with("docker.udev")));
    }

    #[test]
    fn offline_judge_drops_what_the_input_cannot_feed() {
        use crate::doctor::{judge, Known};
        // Only the kernel's line: monitoring, profile, vg.free are not run
        // (they would otherwise judge defaults), mode and use are judged.
        let f = Evidence {
            offline: Some(Known {
                kernel: true,
                usage: true,
                pool: true,
                ..Known::default()
            }),
            ..healthy()
        };
        let (found, not_run) = judge(&f);
        let ids: Vec<&str> = found.iter().map(|x| x.check).collect();
        assert!(
            ids.contains(&"pool.mode") && ids.contains(&"pool.data_usage"),
            "{ids:?}"
        );
        for host_only in [
            "host.thin_check",
            "boot.activation_unit",
            "pool.monitoring",
            "vg.free",
        ] {
            assert!(!ids.contains(&host_only), "{host_only} ran: {ids:?}");
            assert!(not_run.iter().any(|n| n.check == host_only), "{host_only}");
        }
        // On the host nothing is dropped.
        assert!(judge(&healthy()).1.is_empty());
        assert_eq!(judge(&healthy()).0, diagnose(&healthy()));
    }
}
