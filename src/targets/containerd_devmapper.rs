//! containerd-devmapper: containerd's devmapper snapshotter section in
//! config.toml, pointing at the pool: an existing file of any version (1,
//! 2, 3) is merged (comments, other plugins and order kept); a new file is
//! version 3 for containerd 2.x, else version 2. Keys the installed
//! containerd does not know are refused; on 2.x the transfer service's
//! `unpack_config` gets devmapper; `--cri-snapshotter` points CRI at it.

use anyhow::Result;
use std::path::PathBuf;

use super::{Target, TargetKind, Wiring};
use crate::config::Settings;
use crate::containerd;
use crate::dm;
use crate::engine::{Action, Plan};
use crate::error::refused;
use crate::facts::Facts;

pub struct ContainerdDevmapper;

impl Target for ContainerdDevmapper {
    fn kind(&self) -> TargetKind {
        TargetKind::ContainerdDevmapper
    }

    fn plan(&self, p: &mut Plan, f: &Facts, s: &Settings, _pool_exists: bool) -> Result<()> {
        super::shared_pool_warning(p, f, s, self.kind())?;
        let path = &s.containerd_config;
        let old = f.file(path)?;
        let e = containerd::merge_for(old.as_deref(), &s.devmapper_want(), f.containerd())
            .map_err(|e| refused(format!("{}: {e}", path.display())))?;
        p.write_if_changed(
            "containerd-config",
            path.clone(),
            e.changed.then_some(e.text),
            old.as_deref(),
        );
        Ok(())
    }

    fn wiring(&self, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<Option<Wiring>> {
        let Some(text) = f.file(&s.containerd_config)? else {
            return Ok(None);
        };
        let Ok(facts) = containerd::facts(&text) else {
            return Ok(None);
        };
        let ours = dm::dm_name(vg, pool);
        Ok(
            (facts.pool_name.as_deref() == Some(ours.as_str())).then(|| Wiring {
                target: self.kind().as_str(),
                config: s.containerd_config.display().to_string(),
                detail: format!(
                    "devmapper snapshotter, pool_name {ours}, root_path {}",
                    facts.root_path.unwrap_or_default()
                ),
                problem: None,
                fix: Vec::new(),
            }),
        )
    }

    fn teardown(&self, p: &mut Plan, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<()> {
        let path: PathBuf = s.containerd_config.clone();
        let Some(text) = f.file(&path)? else {
            p.already("containerd-config");
            return Ok(());
        };
        let removed = containerd::remove_devmapper(&text, &dm::dm_name(vg, pool))
            .map_err(|e| refused(format!("{}: {e}", path.display())))?;
        match removed {
            None => p.already("containerd-config"),
            Some(rest) if rest.is_empty() => {
                p.todo("containerd-config", Action::Remove { path, old: text })
            }
            Some(rest) => p.todo(
                "containerd-config",
                Action::Write {
                    path,
                    content: rest,
                    old: Some(text),
                },
            ),
        }
        Ok(())
    }
}
