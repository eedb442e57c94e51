//! Test support: the planner tests describe a host as one [`Probe`]
//! literal; [`plan`] turns it into preset [`Facts`] (with a runner that
//! answers nothing, so a fact the test did not give fails loudly) and runs
//! the same planners the commands run.

use anyhow::Result;
use std::path::{Path, PathBuf};

use crate::bootunit;
use crate::cmd;
use crate::config::Settings;
use crate::device::DeviceFacts;
use crate::docker::version::DockerVersion;
use crate::engine::{FakeRunner, Plan, Runner};
use crate::facts::Facts;
use crate::lvm::LvmState;
use crate::mounts::MountEntry;
use crate::pool::{self, PoolStep};
use crate::targets::{self, docker_overlay2};

/// A host, as the planner tests describe it.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub lvm: LvmState,
    /// Size of the target device in bytes.
    pub device_size: u64,
    pub profile: Option<String>,
    pub daemon_json: Option<String>,
    /// `--force` accepted old signatures.
    pub wipe: bool,
    pub dockerd_installed: bool,
    pub dockerd: Option<DockerVersion>,
    /// containerd's (major, minor).
    pub containerd: Option<(u32, u32)>,
    pub containerd_config: Option<String>,
    pub fstab: Option<String>,
    pub data_root_mount: Option<MountEntry>,
    pub data_lv_devnum: Option<String>,
    pub data_root_entries: Option<Vec<String>>,
    pub data_lv_fs: Option<String>,
    pub unit: Option<String>,
    pub systemd: bool,
    pub unit_enabled: Option<bool>,
    pub exe: String,
    /// The pool's kernel status (`dmsetup status` text), when asked.
    pub dm_status: Option<String>,
}

/// Which command's planner to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Setup,
    Pvcreate,
    Vgcreate,
    Lvcreate,
    Lvconvert,
    Profile,
    DaemonJson,
    ContainerdConfig,
    DataLv,
    Activate,
}

/// Preset facts for `p` (settings `s` give the file paths).
pub fn facts<'r>(r: &'r FakeRunner, p: &Probe, s: &Settings, dev: Option<&Path>) -> Facts<'r> {
    let f = Facts::new(r);
    f.set_lvm(p.lvm.clone())
        .set_file(&s.profile_path(), p.profile.as_deref())
        .set_file(&s.daemon_json, p.daemon_json.as_deref())
        .set_file(&crate::fsutil::backup_path(&s.daemon_json), None)
        .set_file(&crate::fsutil::backup_path(&s.containerd_config), None)
        .set_file(&s.containerd_config, p.containerd_config.as_deref())
        .set_file(Path::new(docker_overlay2::FSTAB), p.fstab.as_deref())
        .set_file(Path::new(bootunit::UNIT_PATH), p.unit.as_deref())
        .set_file(Path::new(bootunit::SHIPPED_PATHS[0]), None)
        .set_file(Path::new(bootunit::SHIPPED_PATHS[1]), None)
        .set_dockerd(p.dockerd.clone(), p.dockerd_installed)
        .set_containerd(p.containerd)
        .set_systemd(p.systemd)
        .set_devnum(Path::new(&s.data_lv_dev()), p.data_lv_devnum.as_deref())
        .set_dir_entries(&s.data_root, p.data_root_entries.clone())
        .set_fs_type(Path::new(&s.data_lv_dev()), p.data_lv_fs.as_deref())
        .set_exe(if p.exe.is_empty() {
            "/usr/local/bin/dmctl"
        } else {
            &p.exe
        });
    if let Some(e) = p.unit_enabled {
        f.set_unit_enabled(bootunit::UNIT_NAME, e);
    }
    if let Some(d) = &p.dm_status {
        f.set_dm_status(d);
    }
    // A mountinfo line for the data root's mount, if any.
    let mi = p
        .data_root_mount
        .as_ref()
        .map(|m| {
            format!(
                "40 22 {} / {} rw,relatime shared:20 - {} {} {}\n",
                m.devnum,
                m.target,
                m.fstype,
                m.source,
                m.options.split_once(',').map(|x| x.1).unwrap_or("rw")
            )
        })
        .unwrap_or_default();
    f.set_mountinfo(&mi);
    if let Some(d) = dev {
        f.set_device(DeviceFacts {
            given: d.to_path_buf(),
            path: PathBuf::from(d),
            exists: true,
            is_block: true,
            size: p.device_size,
            ..Default::default()
        });
    }
    f
}

/// Plan `scope` for the host `p`, as the command would.
pub fn plan(scope: Scope, p: &Probe, s: &Settings, dev: Option<&Path>) -> Result<Plan> {
    let r = FakeRunner::new();
    let f = facts(&r, p, s, dev);
    let out = plan_with(scope, &f, s, dev, p.wipe);
    assert!(r.history().is_empty(), "the planner ran {:?}", r.history());
    out
}

fn plan_with(
    scope: Scope,
    f: &Facts,
    s: &Settings,
    dev: Option<&Path>,
    wipe: bool,
) -> Result<Plan> {
    let step = |st| pool::plan_step(st, f, s, dev, wipe);
    Ok(match scope {
        Scope::Setup => {
            let (_, warnings) = targets::resolve(s.target, f)?;
            let (mut p, _) = cmd::setup::plan(f, s, dev.expect("setup takes a device"), wipe)?;
            p.warnings.splice(0..0, warnings);
            p
        }
        Scope::Pvcreate => step(PoolStep::Pvcreate)?,
        Scope::Vgcreate => step(PoolStep::Vgcreate)?,
        Scope::Lvcreate => step(PoolStep::Lvcreate)?,
        Scope::Lvconvert => step(PoolStep::Lvconvert)?,
        Scope::Profile => step(PoolStep::Profile)?,
        Scope::DaemonJson => cmd::daemon_json::plan(f, s)?.0,
        Scope::ContainerdConfig => cmd::containerd::plan(f, s)?.0,
        Scope::DataLv => cmd::data_lv::plan(f, s)?.0,
        Scope::Activate => cmd::activate::plan(f, s)?.0,
    })
}
