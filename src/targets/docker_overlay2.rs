//! docker-overlay2: a thin LV of the pool, formatted xfs (ftype=1), in
//! /etc/fstab with project quotas and mounted at Docker's data root, and
//! daemon.json's `storage-driver: overlay2` (Docker 25+ has no
//! devicemapper driver).
//!
//! Why fstab and not a hand-written `.mount` unit: on a systemd host
//! `systemd-fstab-generator` turns the fstab line into exactly such a unit
//! (`var-lib-docker.mount`, ordered before local-fs.target and so before
//! docker.service), while the same line also works on hosts without
//! systemd as PID 1 and with a plain `mount /var/lib/docker`.

use anyhow::Result;
use std::path::{Path, PathBuf};

use super::docker_devicemapper::daemon_json_edit;
use super::{Target, TargetKind, Wiring};
use crate::config::Settings;
use crate::device::Problem;
use crate::docker::{daemon_json, flags};
use crate::engine::{Action, Plan};
use crate::error::refused;
use crate::exec::Cmd;
use crate::facts::Facts;
use crate::lvm::size::human;
use crate::mounts;
use crate::pool::lvmcmd;

/// Where /etc/fstab lives.
pub const FSTAB: &str = "/etc/fstab";

pub struct DockerOverlay2;

pub fn mkfs_xfs(s: &Settings) -> Cmd {
    Cmd::mutating("mkfs.xfs")
        .args(["-n", "ftype=1", "-L", "docker-data"])
        .arg(s.data_lv_dev())
}

impl Target for DockerOverlay2 {
    fn kind(&self) -> TargetKind {
        TargetKind::DockerOverlay2
    }

    fn tools(&self) -> &'static [&'static str] {
        &["mkfs.xfs", "blkid", "mount"]
    }

    fn preflight(&self, _f: &Facts, _s: &Settings) -> Result<Vec<Problem>> {
        Ok(flags::storage_flag_problems(Path::new("/")))
    }

    fn plan(&self, p: &mut Plan, f: &Facts, s: &Settings, pool_exists: bool) -> Result<()> {
        plan_data_lv(p, f, s, pool_exists)?;
        let old = f.file(&s.daemon_json)?;
        let dr = s.data_root.to_string_lossy();
        let merged =
            daemon_json::merge_overlay2(old.as_deref(), s.overlay2_size.as_deref(), Some(&dr));
        daemon_json_edit(p, f, "daemon-json", &s.daemon_json, merged, old.as_deref())
    }

    fn unit_args(&self, s: &Settings) -> Vec<String> {
        let mut extra = Vec::new();
        if s.lv_name != "docker-data" {
            extra.extend(["--lv-name".to_string(), s.lv_name.clone()]);
        }
        if s.data_root != Path::new("/var/lib/docker") {
            extra.extend(["--data-root".to_string(), s.data_root.display().to_string()]);
        }
        extra
    }

    /// A data root in fstab on one of this pool's thin LVs: mount it.
    fn activate(&self, p: &mut Plan, f: &Facts, s: &Settings) -> Result<()> {
        let fstab = f.file(Path::new(FSTAB))?;
        let entry = fstab
            .as_deref()
            .and_then(|t| mounts::fstab_entry(t, &s.data_root))
            .filter(|e| e.source == s.data_lv_dev());
        if entry.is_none() {
            return Ok(());
        }
        if f.mount_at(&s.data_root)?.is_some() {
            p.already("mount");
            return Ok(());
        }
        if !f.lvm()?.lv(&s.vg, &s.lv_name).is_some_and(|l| l.active) {
            p.todo(
                "data-lv-device",
                Action::WaitFor {
                    path: PathBuf::from(s.data_lv_dev()),
                    secs: s.activate_wait,
                },
            );
        }
        p.todo(
            "mount",
            Action::Run(Cmd::mutating("mount").arg(s.data_root.display().to_string())),
        );
        Ok(())
    }

    fn wiring(&self, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<Option<Wiring>> {
        let Some(fstab) = f.file(Path::new(FSTAB))? else {
            return Ok(None);
        };
        let lvm = f.lvm()?;
        // The fstab entry of a thin LV of this pool.
        let found = lvm.thin_volumes(vg, pool).find_map(|l| {
            let dev = crate::dm::mapper_path(vg, &l.name);
            fstab
                .lines()
                .find(|line| line.split_whitespace().next() == Some(dev.as_str()))
                .map(|line| {
                    (
                        dev,
                        line.split_whitespace().nth(1).unwrap_or("").to_string(),
                    )
                })
        });
        let Some((dev, at)) = found else {
            return Ok(None);
        };
        let mounted = f.mount_at(Path::new(&at))?.is_some();
        Ok(Some(Wiring {
            target: self.kind().as_str(),
            config: FSTAB.to_string(),
            detail: format!(
                "{dev} at {at} ({}), daemon.json {}",
                if mounted { "mounted" } else { "NOT mounted" },
                s.daemon_json.display()
            ),
            problem: (!mounted).then(|| {
                format!(
                    "{at} is not mounted: dockerd would write its images and containers to \
                     the filesystem below it, not to the thin LV"
                )
            }),
            fix: if mounted {
                Vec::new()
            } else {
                vec![
                    format!("dmctl activate --vg {vg} --pool {pool}   # activates and mounts"),
                    format!("mount {at}"),
                ]
            },
        }))
    }

    fn teardown(&self, p: &mut Plan, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<()> {
        let dev = crate::dm::mapper_path(vg, &s.lv_name);
        let is_our_lv = f
            .lvm()?
            .lv(vg, &s.lv_name)
            .is_some_and(|l| l.segtype == "thin" && l.pool_lv == pool);
        let mount = f.mount_at(&s.data_root)?;
        let ours_mounted = mount.as_ref().is_some_and(|m| {
            m.source == dev || Some(m.devnum.as_str()) == f.devnum(Path::new(&dev)).as_deref()
        });
        if ours_mounted {
            p.todo(
                "umount",
                Action::Run(Cmd::mutating("umount").arg(s.data_root.display().to_string())),
            );
        }
        if let Some(text) = f.file(Path::new(FSTAB))? {
            if let Some(rest) = mounts::remove_fstab(&text, &dev, &s.data_root) {
                p.todo(
                    "fstab",
                    Action::Write {
                        path: PathBuf::from(FSTAB),
                        content: rest,
                        old: Some(text),
                    },
                );
            }
        }
        if let Some(text) = f.file(&s.daemon_json)? {
            let dr = s.data_root.to_string_lossy();
            let m = daemon_json::remove_overlay2(&text, &dr)
                .map_err(|e| refused(format!("{}: {e}", s.daemon_json.display())))?;
            if m.changed && is_our_lv {
                daemon_json_edit(p, f, "overlay2-json", &s.daemon_json, Ok(m), Some(&text))?;
            }
        }
        if is_our_lv {
            p.todo(
                "data-lv-remove",
                Action::Run(lvmcmd::lvremove(&format!("{vg}/{}", s.lv_name))),
            );
        }
        Ok(())
    }
}

/// docker-overlay2: thin LV, xfs, the data root's fstab entry and mount.
/// `pool_exists`: false while setup still has to create the pool.
pub fn plan_data_lv(p: &mut Plan, f: &Facts, s: &Settings, pool_exists: bool) -> Result<()> {
    let lvm = f.lvm()?;
    let lv = lvm.lv(&s.vg, &s.lv_name);
    let dr = s.data_root.display();
    let data_lv_devnum = f.devnum(Path::new(&s.data_lv_dev()));
    // The data root must be empty or already ours: check before any step.
    let ours_mounted = match f.mount_at(&s.data_root)? {
        Some(m) if data_lv_devnum.as_deref() == Some(m.devnum.as_str()) && lv.is_some() => {
            if !mounts::has_pquota(&m.options) {
                let msg = format!(
                    "{dr} is mounted without project quotas (pquota): overlay2.size will not work; \
                     `umount {dr}` and re-run to mount it from /etc/fstab"
                );
                if s.overlay2_size.is_some() {
                    return Err(refused(msg));
                }
                p.warnings.push(msg);
            }
            true
        }
        Some(m) => {
            return Err(refused(format!(
                "{dr} is already a mount point of {} ({}); dmctl will not mount over it: \
                 unmount it (and remove its fstab line) or choose another --data-root",
                m.source, m.fstype
            )))
        }
        None => false,
    };
    let entries = f.dir_entries(&s.data_root)?;
    if !ours_mounted {
        if let Some(entries) = entries.as_ref().filter(|e| !e.is_empty()) {
            let mut shown: Vec<&str> = entries.iter().take(5).map(String::as_str).collect();
            if entries.len() > 5 {
                shown.push("...");
            }
            return Err(refused(format!(
                "{dr} already holds data ({}); dmctl mounts the thin LV only on an empty \
                 directory. To migrate: stop docker, `mv {dr} {dr}.old`, re-run dmctl, then \
                 copy what you need back (`cp -a {dr}.old/. {dr}/`) with docker still stopped",
                shown.join(", ")
            )));
        }
    }
    match lv {
        None => {
            p.todo("data-lv", Action::Run(lvmcmd::lvcreate_thin(s)));
            p.todo("mkfs", Action::Run(mkfs_xfs(s)));
        }
        Some(l) => {
            if l.segtype != "thin" || l.pool_lv != s.pool {
                return Err(refused(format!(
                    "LV {} exists but is not a thin LV of {} ({} {}); remove it or choose \
                     another --lv-name",
                    s.data_lv_path(),
                    s.pool_path(),
                    if l.segtype.is_empty() {
                        "?"
                    } else {
                        &l.segtype
                    },
                    l.pool_lv
                )));
            }
            if l.size != s.lv_size {
                p.warnings.push(format!(
                    "{} is {}, not the {} asked for; dmctl does not resize it \
                     (`lvextend -r -L SIZE {}` grows it)",
                    s.data_lv_path(),
                    human(l.size),
                    human(s.lv_size),
                    s.data_lv_path()
                ));
            }
            p.already("data-lv");
            if !l.active {
                p.todo(
                    "data-lv-activate",
                    Action::Run(lvmcmd::activate_lv(&s.data_lv_path())),
                );
            }
            let fs = match data_lv_devnum {
                Some(_) => f.fs_type(Path::new(&s.data_lv_dev()))?,
                None => None,
            };
            match fs.as_deref() {
                None if !l.active => p.warnings.push(format!(
                    "{} is inactive; its filesystem is checked on the next run",
                    s.data_lv_path()
                )),
                None => p.todo("mkfs", Action::Run(mkfs_xfs(s))),
                Some("xfs") => p.already("mkfs"),
                Some(other) => {
                    return Err(refused(format!(
                        "{} already holds a {other} filesystem; overlay2 needs xfs with ftype=1: \
                         remove the LV (`lvremove {}`) or choose another --lv-name",
                        s.data_lv_path(),
                        s.data_lv_path()
                    )))
                }
            }
        }
    }
    if pool_exists || lv.is_some() {
        let pool_data = lvm.lv(&s.vg, &s.pool).map(|l| l.size).unwrap_or(0);
        if pool_data > 0 && s.lv_size > pool_data {
            p.warnings.push(format!(
                "{} is {} but the pool holds {}: the pool is overcommitted; autoextend \
                 (and `dmctl extend`) must keep up with what Docker writes",
                s.data_lv_path(),
                human(s.lv_size),
                human(pool_data)
            ));
        }
    }
    if entries.is_none() && !ours_mounted {
        p.todo(
            "mkdir",
            Action::Run(
                Cmd::mutating("mkdir")
                    .args(["-p", "-m", "0710"])
                    .arg(dr.to_string()),
            ),
        );
    }
    let fstab = f.file(Path::new(FSTAB))?;
    match mounts::merge_fstab(fstab.as_deref(), &s.data_lv_dev(), &s.data_root) {
        Err(e) => return Err(refused(e)),
        Ok(None) => p.already("fstab"),
        Ok(Some(text)) => p.todo(
            "fstab",
            Action::Write {
                path: PathBuf::from(FSTAB),
                content: text,
                old: fstab,
            },
        ),
    }
    if ours_mounted {
        p.already("mount");
    } else {
        p.todo(
            "mount",
            Action::Run(Cmd::mutating("mount").arg(dr.to_string())),
        );
    }
    Ok(())
}
