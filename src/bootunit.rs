//! The boot unit: `dmctl-activate.service`, which runs `dmctl activate`
//! before the container runtimes and local filesystems. Every target uses
//! it; this module is its one home: the text, what status and doctor say of
//! it, the steps that install it and the steps that remove it.

use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::engine::{Action, Plan};
use crate::exec::Cmd;
use crate::facts::Facts;

pub const UNIT_NAME: &str = "dmctl-activate.service";
pub const UNIT_PATH: &str = "/etc/systemd/system/dmctl-activate.service";
/// Where the Debian package ships its generic unit (`ExecStart=/usr/bin/dmctl
/// activate`: the pool of /etc/dmctl/dmctl.toml). [`UNIT_PATH`] overrides it.
pub const SHIPPED_PATHS: [&str; 2] = [
    "/usr/lib/systemd/system/dmctl-activate.service",
    "/lib/systemd/system/dmctl-activate.service",
];
/// The first line of every unit dmctl writes.
const MARK: &str = "# Written by dmctl";

/// The systemd unit that activates the pool (and its thin LVs, and mounts
/// the data root) before the container runtimes and local filesystems.
pub fn unit_text(exe: &str, vg: &str, pool: &str, extra_args: &[String]) -> String {
    let args: Vec<String> = ["activate", "--vg", vg, "--pool", pool]
        .iter()
        .map(|s| s.to_string())
        .chain(extra_args.iter().cloned())
        .collect();
    format!(
        "# Written by dmctl: activate the thin pool {vg}/{pool} at boot, before the\n\
         # container runtimes (and the fstab mount of a data root on one of its LVs).\n\
         [Unit]\n\
         Description=Activate LVM thin pool {vg}/{pool} for container storage (dmctl)\n\
         DefaultDependencies=no\n\
         After=systemd-udev-trigger.service lvm2-monitor.service\n\
         Before=local-fs-pre.target docker.service containerd.service shutdown.target\n\
         Wants=local-fs-pre.target\n\
         Conflicts=shutdown.target\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         RemainAfterExit=yes\n\
         ExecStart={exe} {}\n\
         \n\
         [Install]\n\
         WantedBy=sysinit.target\n",
        args.join(" ")
    )
}

/// Whether a unit file activates `vg/pool` (the ExecStart names both).
pub fn unit_covers(text: &str, vg: &str, pool: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("ExecStart=")
            && l.contains(" activate")
            && l.contains(&format!("--vg {vg} "))
            && (l.ends_with(&format!("--pool {pool}")) || l.contains(&format!("--pool {pool} ")))
    })
}

/// Whether a unit's ExecStart is the generic `dmctl activate` (no `--vg`,
/// no `--pool`): it activates the pool the config file names.
pub fn unit_is_generic(text: &str) -> bool {
    text.lines().any(|l| {
        let Some(cmd) = l.trim().strip_prefix("ExecStart=") else {
            return false;
        };
        let argv: Vec<&str> = cmd.split_whitespace().collect();
        argv.get(1) == Some(&"activate")
            && !argv
                .iter()
                .any(|a| a.starts_with("--vg") || a.starts_with("--pool"))
    })
}

/// Whether `dmctl setup --install-unit`'s boot unit (or the package's) is in place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitInfo {
    pub path: PathBuf,
    pub installed: bool,
    /// Its ExecStart activates this pool.
    pub covers_pool: bool,
    /// `systemctl is-enabled` (None: systemd is not PID 1).
    pub enabled: Option<bool>,
}

impl UnitInfo {
    /// In place: installed for this pool, and enabled where systemd runs.
    pub fn in_place(&self) -> bool {
        self.installed && self.covers_pool && self.enabled != Some(false)
    }
}

/// The unit facts from its path, text and `systemctl is-enabled` (pure).
/// `configured` is the pool of the config file, which a generic unit
/// (the package's) activates.
pub fn unit_info(
    path: &str,
    text: Option<&str>,
    (vg, pool): (&str, &str),
    configured: (&str, &str),
    enabled: Option<bool>,
) -> UnitInfo {
    UnitInfo {
        path: PathBuf::from(path),
        installed: text.is_some(),
        covers_pool: text.is_some_and(|t| {
            unit_covers(t, vg, pool) || (unit_is_generic(t) && configured == (vg, pool))
        }),
        enabled,
    }
}

/// The unit as the host has it: the one in /etc, else the package's
/// (systemd's order). `configured`: the config file's vg and pool.
pub fn info(f: &Facts, vg: &str, pool: &str, configured: (&str, &str)) -> Result<UnitInfo> {
    let mut found = (UNIT_PATH, f.file(Path::new(UNIT_PATH))?);
    for p in SHIPPED_PATHS {
        if found.1.is_some() {
            break;
        }
        found = (p, f.file(Path::new(p))?);
    }
    let (path, text) = found;
    let path = if text.is_some() { path } else { UNIT_PATH };
    let enabled = match text {
        Some(_) => f.unit_enabled(UNIT_NAME).unwrap_or(Some(false)),
        None => f.systemd().then_some(false),
    };
    let mut u = unit_info(path, text.as_deref(), (vg, pool), configured, enabled);
    if path != UNIT_PATH && enabled == Some(false) {
        // The package ships its unit disabled: until the admin enables it,
        // there is no boot unit (and nothing wrong), as without the package.
        u.installed = false;
        u.covers_pool = false;
    }
    Ok(u)
}

/// One line for `dmctl status`.
pub fn human_line(u: &UnitInfo) -> String {
    let p = u.path.display();
    match (u.installed, u.covers_pool, u.enabled) {
        (false, _, _) if p.to_string() != UNIT_PATH => format!(
            "none enabled: the pool may be inactive after a reboot (the package's {p}: \
             `systemctl enable {UNIT_NAME}`)"
        ),
        (false, _, _) => {
            "none: the pool may be inactive after a reboot (`dmctl setup DEVICE --install-unit`)"
                .to_string()
        }
        (true, false, _) => format!("{p} activates another pool"),
        (true, true, Some(true)) => format!("{p}, enabled"),
        (true, true, Some(false)) => format!("{p}, NOT enabled (`systemctl enable {UNIT_NAME}`)"),
        (true, true, None) => format!("{p} (systemd is not PID 1: run `dmctl activate` at boot)"),
    }
}

/// Steps that install the unit: file, daemon-reload and enable (only
/// under systemd). `extra` are the target's own `activate` arguments.
pub fn plan_install(p: &mut Plan, f: &Facts, vg: &str, pool: &str, extra: &[String]) -> Result<()> {
    let old = f.file(Path::new(UNIT_PATH))?;
    let text = unit_text(&f.exe(), vg, pool, extra);
    let write = old.as_deref() != Some(text.as_str());
    p.write_if_changed(
        "unit-file",
        PathBuf::from(UNIT_PATH),
        Some(text),
        old.as_deref(),
    );
    if !f.systemd() {
        p.warnings.push(format!(
            "systemd is not PID 1 here: {UNIT_PATH} is written but not enabled; on a systemd host \
             run `systemctl enable {UNIT_NAME}`, elsewhere run `dmctl activate` at boot before \
             the runtime"
        ));
        return Ok(());
    }
    if write {
        p.todo(
            "unit-reload",
            Action::Run(Cmd::mutating("systemctl").arg("daemon-reload")),
        );
    }
    if f.unit_enabled(UNIT_NAME)? == Some(true) {
        p.already("unit-enable");
    } else {
        p.todo(
            "unit-enable",
            Action::Run(Cmd::mutating("systemctl").args(["enable", UNIT_NAME])),
        );
    }
    Ok(())
}

/// Steps that remove the unit of `vg/pool` (teardown): disable, remove
/// the file, daemon-reload. A unit dmctl did not write, or one for another
/// pool, is left alone with a warning.
pub fn plan_remove(p: &mut Plan, f: &Facts, vg: &str, pool: &str) -> Result<()> {
    let Some(text) = f.file(Path::new(UNIT_PATH))? else {
        p.already("unit-file");
        return Ok(());
    };
    if !text.starts_with(MARK) || !unit_covers(&text, vg, pool) {
        p.warnings.push(format!(
            "{UNIT_PATH} is not dmctl's unit for {vg}/{pool}: left as it is"
        ));
        p.already("unit-file");
        return Ok(());
    }
    if f.unit_enabled(UNIT_NAME)? == Some(true) {
        p.todo(
            "unit-disable",
            Action::Run(Cmd::mutating("systemctl").args(["disable", UNIT_NAME])),
        );
    }
    p.todo(
        "unit-file",
        Action::Remove {
            path: PathBuf::from(UNIT_PATH),
            old: text,
        },
    );
    if f.systemd() {
        p.todo(
            "unit-reload",
            Action::Run(Cmd::mutating("systemctl").arg("daemon-reload")),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{FakeRunner, Runner};

    #[test]
    fn unit_file_text() {
        let u = unit_text("/usr/local/bin/dmctl", "docker", "thinpool", &[]);
        assert!(u.contains("Before=local-fs-pre.target docker.service containerd.service"));
        assert!(
            u.contains("\nExecStart=/usr/local/bin/dmctl activate --vg docker --pool thinpool\n")
        );
        assert!(u.contains("Type=oneshot\nRemainAfterExit=yes\n"));
        assert!(u.contains("DefaultDependencies=no"));
        assert!(u.contains("[Install]\nWantedBy=sysinit.target\n"));
        assert!(unit_covers(&u, "docker", "thinpool"));
        assert!(!unit_covers(&u, "docker", "thin"));
        assert!(!unit_covers(&u, "dock", "thinpool"));
        let u = unit_text("/x/dmctl", "vg", "p", &["--data-root".into(), "/d".into()]);
        assert!(u.contains("activate --vg vg --pool p --data-root /d\n"));
        assert!(unit_covers(&u, "vg", "p"));
    }

    #[test]
    fn the_packages_generic_unit_covers_the_configured_pool() {
        let shipped = include_str!("../packaging/systemd/dmctl-activate.service");
        assert!(unit_is_generic(shipped));
        let ours = unit_text("/usr/bin/dmctl", "docker", "thinpool", &[]);
        assert!(!unit_is_generic(&ours));
        let cfg = ("docker", "thinpool");
        let u = unit_info(SHIPPED_PATHS[1], Some(shipped), cfg, cfg, Some(true));
        assert!(u.in_place(), "{u:?}");
        assert_eq!(
            u.path,
            Path::new("/lib/systemd/system/dmctl-activate.service")
        );
        // It activates the config's pool, not another one.
        let u = unit_info(
            SHIPPED_PATHS[1],
            Some(shipped),
            ("ctr", "thinpool"),
            cfg,
            Some(true),
        );
        assert!(u.installed && !u.covers_pool, "{u:?}");
        let u = unit_info(UNIT_PATH, None, cfg, cfg, Some(false));
        assert!(!u.installed && !u.in_place());
    }

    #[test]
    fn info_prefers_etc_then_the_shipped_unit() {
        let shipped = include_str!("../packaging/systemd/dmctl-activate.service");
        let ours = unit_text("/usr/bin/dmctl", "ctr", "thinpool", &[]);
        let cfg = ("docker", "thinpool");
        let r = FakeRunner::new();
        let f = Facts::new(&r);
        f.set_file(Path::new(UNIT_PATH), None)
            .set_file(Path::new(SHIPPED_PATHS[0]), None)
            .set_file(Path::new(SHIPPED_PATHS[1]), Some(shipped))
            .set_systemd(true)
            .set_unit_enabled(UNIT_NAME, true);
        let u = info(&f, "docker", "thinpool", cfg).unwrap();
        assert_eq!(u.path, Path::new(SHIPPED_PATHS[1]));
        assert!(u.in_place(), "{u:?}");
        assert!(human_line(&u).ends_with(", enabled"), "{}", human_line(&u));

        // Shipped but not enabled (as the package leaves it): no boot unit.
        f.set_unit_enabled(UNIT_NAME, false);
        let u = info(&f, "docker", "thinpool", cfg).unwrap();
        assert!(!u.installed && !u.in_place(), "{u:?}");
        assert!(
            human_line(&u).contains("`systemctl enable dmctl-activate.service`"),
            "{}",
            human_line(&u)
        );
        f.set_unit_enabled(UNIT_NAME, true);

        f.set_file(Path::new(UNIT_PATH), Some(&ours));
        let u = info(&f, "docker", "thinpool", cfg).unwrap();
        assert_eq!(u.path, Path::new(UNIT_PATH));
        assert!(u.installed && !u.covers_pool, "/etc overrides: {u:?}");

        let r = FakeRunner::new();
        let f = Facts::new(&r);
        for p in [UNIT_PATH, SHIPPED_PATHS[0], SHIPPED_PATHS[1]] {
            f.set_file(Path::new(p), None);
        }
        f.set_systemd(false);
        let u = info(&f, "docker", "thinpool", cfg).unwrap();
        assert_eq!(
            (u.path.as_path(), u.installed),
            (Path::new(UNIT_PATH), false)
        );
    }

    fn names(p: &Plan) -> Vec<String> {
        p.steps
            .iter()
            .map(|s| format!("{}{}", s.name, if s.action.is_some() { "" } else { "=" }))
            .collect()
    }

    #[test]
    fn removal_disables_removes_and_reloads_only_our_unit() {
        let r = FakeRunner::new();
        let f = Facts::new(&r);
        let ours = unit_text("/usr/bin/dmctl", "docker", "thinpool", &[]);
        f.set_file(Path::new(UNIT_PATH), Some(&ours))
            .set_systemd(true)
            .set_unit_enabled(UNIT_NAME, true);
        let mut p = Plan::default();
        plan_remove(&mut p, &f, "docker", "thinpool").unwrap();
        assert_eq!(names(&p), ["unit-disable", "unit-file", "unit-reload"]);

        let mut p = Plan::default();
        plan_remove(&mut p, &f, "other", "thinpool").unwrap();
        assert_eq!(names(&p), ["unit-file="]);
        assert_eq!(p.warnings.len(), 1);

        let r = FakeRunner::new();
        let f = Facts::new(&r);
        f.set_file(Path::new(UNIT_PATH), None).set_systemd(false);
        let mut p = Plan::default();
        plan_remove(&mut p, &f, "docker", "thinpool").unwrap();
        assert_eq!(names(&p), ["unit-file="]);
        assert!(r.history().is_empty());
    }
}
