//! docker-devicemapper: Docker's devicemapper storage driver in direct-lvm
//! mode (Docker <= 24): `storage-driver` and `dm.*` options in daemon.json.

use anyhow::Result;
use std::path::Path;

use super::{Target, TargetKind, Wiring};
use crate::config::Settings;
use crate::device::Problem;
use crate::dm;
use crate::docker::daemon_json::{self, DmWant};
use crate::docker::flags;
use crate::engine::{Action, Plan};
use crate::error::refused;
use crate::facts::Facts;

pub struct DockerDevicemapper;

impl Target for DockerDevicemapper {
    fn kind(&self) -> TargetKind {
        TargetKind::DockerDevicemapper
    }

    fn preflight(&self, _f: &Facts, _s: &Settings) -> Result<Vec<Problem>> {
        Ok(flags::storage_flag_problems(Path::new("/")))
    }

    fn plan(&self, p: &mut Plan, f: &Facts, s: &Settings, _pool_exists: bool) -> Result<()> {
        super::shared_pool_warning(p, f, s, self.kind())?;
        let want = DmWant {
            thinpooldev: s.thinpooldev(),
            basesize: s.basesize.clone(),
            fs: s.fs.clone(),
        };
        let old = f.file(&s.daemon_json)?;
        let merged = daemon_json::merge_devicemapper(old.as_deref(), &want);
        daemon_json_edit(p, f, "daemon-json", &s.daemon_json, merged, old.as_deref())
    }

    fn wiring(&self, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<Option<Wiring>> {
        let Some(text) = f.file(&s.daemon_json)? else {
            return Ok(None);
        };
        let Ok(facts) = daemon_json::facts(&text) else {
            return Ok(None);
        };
        let ours = dm::mapper_path(vg, pool);
        Ok((facts.storage_driver.as_deref() == Some("devicemapper")
            && facts.thinpooldev.as_deref() == Some(ours.as_str()))
        .then(|| Wiring {
            target: self.kind().as_str(),
            config: s.daemon_json.display().to_string(),
            detail: format!("storage-driver devicemapper, dm.thinpooldev={ours}"),
            problem: None,
            fix: Vec::new(),
        }))
    }

    fn teardown(&self, p: &mut Plan, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<()> {
        let path = &s.daemon_json;
        let Some(text) = f.file(path)? else {
            p.already("daemon-json");
            return Ok(());
        };
        let facts =
            daemon_json::facts(&text).map_err(|e| refused(format!("{}: {e}", path.display())))?;
        let ours = dm::mapper_path(vg, pool);
        match facts.thinpooldev.as_deref() {
            Some(d) if d != ours => {
                p.warnings.push(format!(
                    "{} uses {d}, not {ours}: left as it is",
                    path.display()
                ));
                p.already("daemon-json");
                Ok(())
            }
            _ => daemon_json_edit(
                p,
                f,
                "daemon-json",
                path,
                daemon_json::remove_devicemapper(&text),
                Some(&text),
            ),
        }
    }
}

/// The step `name` (`daemon-json`) of an edit of `path` (current text `old`):
/// write the result when it changed, remove the file when the edit left
/// it an empty object that dmctl created; a merge error is a refusal.
pub fn daemon_json_edit(
    p: &mut Plan,
    f: &Facts,
    name: &'static str,
    path: &Path,
    edit: Result<daemon_json::Merged, daemon_json::MergeError>,
    old: Option<&str>,
) -> Result<()> {
    let m = edit.map_err(|e| refused(format!("{}: {e}", path.display())))?;
    p.warnings.extend(m.warnings);
    match old {
        Some(o)
            if m.changed && daemon_json::is_empty_object(&m.text) && created_by_dmctl(f, path)? =>
        {
            p.todo(
                name,
                Action::Remove {
                    path: path.to_path_buf(),
                    old: o.to_string(),
                },
            );
        }
        _ if m.changed => p.todo(
            name,
            Action::Write {
                path: path.to_path_buf(),
                content: m.text,
                old: old.map(str::to_string),
            },
        ),
        _ => p.already(name),
    }
    Ok(())
}

/// dmctl created the file: there is no backup of an earlier one.
pub fn created_by_dmctl(f: &Facts, path: &Path) -> Result<bool> {
    Ok(f.file(&crate::fsutil::backup_path(path))?.is_none())
}
