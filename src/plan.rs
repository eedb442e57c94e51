//! Probe → steps → apply. The planner is pure: it reads a [`Probe`] and
//! settings and returns the steps still needed, or refuses a state that is
//! not ours or is ambiguous. [`apply`] runs the steps.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::Target;
use crate::config::{MetadataSpec, Settings, MAX_METADATA, MIN_METADATA};
use crate::docker::daemon_json::{self, DmWant};
use crate::docker::version::{self as dversion, DmSupport, DockerVersion};
use crate::error::refused;
use crate::exec::{self, Cmd, Runner};
use crate::fsutil;
use crate::lvm::size::{human, lvm_arg};
use crate::lvm::{self, Lv, LvmState};
use crate::overlay::{self, MountEntry};
use crate::ui::Ui;

/// What the planner knows about the host.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub lvm: LvmState,
    /// Size of the target device in bytes (0 when unknown).
    pub device_size: u64,
    /// Current profile file, if any.
    pub profile: Option<String>,
    /// Current daemon.json, if any.
    pub daemon_json: Option<String>,
    /// Old signatures to wipe first (`--force` was given and accepted).
    pub wipe: bool,
    /// dockerd is installed, and its version when it could be read.
    pub dockerd_installed: bool,
    pub dockerd: Option<DockerVersion>,
    /// Current containerd config.toml, if any.
    pub containerd_config: Option<String>,
    /// Current /etc/fstab, if any.
    pub fstab: Option<String>,
    /// The mount at the data root, if it is a mount point.
    pub data_root_mount: Option<MountEntry>,
    /// `maj:min` of the data LV's device node, when it exists.
    pub data_lv_devnum: Option<String>,
    /// Entries of the data root (`lost+found` left out); None: no such dir.
    pub data_root_entries: Option<Vec<String>>,
    /// Filesystem signature on the data LV (`blkid`), if any.
    pub data_lv_fs: Option<String>,
    /// Current boot unit file, if any.
    pub unit: Option<String>,
    /// systemd is PID 1 (`/run/systemd/system` exists).
    pub systemd: bool,
    /// `systemctl is-enabled` says enabled (None: not asked).
    pub unit_enabled: Option<bool>,
    /// dmctl's own path, for the unit's ExecStart.
    pub exe: String,
}

/// Something a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Run(Cmd),
    /// Write a file atomically with a backup.
    Write {
        path: PathBuf,
        content: String,
        old: Option<String>,
    },
    /// After creating a pool: report its monitoring (one `lvs`), and run
    /// `lvchange --monitor y` when it is not monitored.
    EnsureMonitored {
        vg: String,
        pool: String,
    },
    /// Delete a file (teardown); `old` is its current content.
    Remove {
        path: PathBuf,
        old: String,
    },
    /// Wait (bounded) until a device node exists.
    WaitFor {
        path: PathBuf,
        secs: u64,
    },
}

/// One step of the plan; `action: None` means it is already done.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub action: Option<Action>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// True when any step has work to do.
    pub fn changes(&self) -> bool {
        self.steps.iter().any(|s| s.action.is_some())
    }
    pub fn todo(&mut self, name: &'static str, a: Action) {
        self.steps.push(Step {
            name,
            action: Some(a),
        });
    }
    pub fn already(&mut self, name: &'static str) {
        self.steps.push(Step { name, action: None });
    }
}

/// Where the pool stands on the way from a blank disk.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolState {
    /// The device is not a PV.
    Blank,
    /// The device is a PV in no VG.
    OrphanPv,
    /// The VG exists and holds no LV of ours.
    EmptyVg,
    /// The data LV exists (linear), the metadata LV does not.
    DataOnly,
    /// Both LVs exist, not yet converted.
    Unconverted,
    /// The thin pool exists.
    Pool(Box<Lv>),
}

/// Classify the state, refusing anything that is not ours or ambiguous.
pub fn pool_state(lvm: &LvmState, s: &Settings, dev: &Path) -> Result<PoolState> {
    let d = dev.display();
    let pv = lvm.pv_on(dev);
    if let Some(p) = pv.filter(|p| !p.vg_name.is_empty() && p.vg_name != s.vg) {
        return Err(refused(format!(
            "{d} is a PV of volume group {}, not {}; use another disk or --vg {}",
            p.vg_name, s.vg, p.vg_name
        )));
    }
    let Some(vg) = lvm.vg(&s.vg) else {
        return Ok(match pv {
            None => PoolState::Blank,
            Some(_) => PoolState::OrphanPv,
        });
    };
    let vg_pvs: Vec<&str> = lvm.pvs_of(&vg.name).map(|p| p.name.as_str()).collect();
    if pv.map(|p| p.vg_name.as_str()) != Some(vg.name.as_str()) {
        return Err(refused(format!(
            "volume group {} already exists on {}, not on {d}; use that disk, \
             or choose another name with --vg",
            s.vg,
            vg_pvs.join(", ")
        )));
    }
    let pool = lvm.lv(&s.vg, &s.pool);
    let meta = lvm.lv(&s.vg, &s.meta_lv());
    if let Some(p) = pool.filter(|p| p.is_thin_pool()) {
        return Ok(PoolState::Pool(Box::new(p.clone())));
    }
    // From here on the pool does not exist yet: the VG must hold nothing
    // but our own half-made LVs, on our disk alone.
    if vg_pvs.len() > 1 {
        return Err(refused(format!(
            "volume group {} spans {} but has no thin pool {}; dmctl will not guess \
             which disk is its own: finish or remove it by hand",
            s.vg,
            vg_pvs.join(", "),
            s.pool_path()
        )));
    }
    let ours = [s.pool.as_str(), s.meta_lv().as_str()].map(String::from);
    let foreign: Vec<&str> = lvm
        .lvs_of(&s.vg)
        .filter(|l| !ours.contains(&l.name))
        .map(|l| l.name.as_str())
        .collect();
    if !foreign.is_empty() {
        return Err(refused(format!(
            "volume group {} holds other LVs ({}) and no thin pool {}; it is not dmctl's: \
             use another --vg",
            s.vg,
            foreign.join(", "),
            s.pool_path()
        )));
    }
    for lv in [pool, meta].into_iter().flatten() {
        let plain = matches!(lv.segtype.as_str(), "linear" | "striped" | "");
        if !plain || lv.is_open() {
            return Err(refused(format!(
                "LV {}/{} exists but is a {}{} LV, not a thin pool or a half-made one; \
                 remove or rename it, or choose another --pool",
                lv.vg_name,
                lv.name,
                if lv.is_open() { "open " } else { "" },
                if lv.segtype.is_empty() {
                    "non-linear"
                } else {
                    &lv.segtype
                }
            )));
        }
    }
    Ok(match (pool, meta) {
        (None, None) => PoolState::EmptyVg,
        (Some(_), None) => PoolState::DataOnly,
        (Some(_), Some(_)) => PoolState::Unconverted,
        (None, Some(m)) => {
            return Err(refused(format!(
                "found {}/{} without the data LV {}; remove it (`lvremove {}/{}`) and re-run",
                m.vg_name, m.name, s.pool, m.vg_name, m.name
            )))
        }
    })
}

/// LVM's default physical extent and first-PE offset, used to predict the
/// VG a blank disk will give.
pub const DEFAULT_EXTENT: u64 = 4 << 20;
pub const DEFAULT_PE_START: u64 = 1 << 20;

/// Extent count and size of the VG: the real one, or the one a blank disk
/// of `device_size` bytes will give.
pub fn vg_geometry(lvm: &LvmState, s: &Settings, device_size: u64) -> (u64, u64) {
    match lvm.vg(&s.vg) {
        Some(v) => (v.extent_count, v.extent_size),
        None => (
            device_size.saturating_sub(DEFAULT_PE_START) / DEFAULT_EXTENT,
            DEFAULT_EXTENT,
        ),
    }
}

/// Metadata LV size in bytes (whole extents), and a note when LVM's limits
/// forced a different size than asked.
pub fn metadata_size(s: &Settings, extents: u64, extent: u64) -> (u64, Option<String>) {
    let wanted = match s.metadata {
        MetadataSpec::Size(b) => return (b.div_ceil(extent) * extent, None),
        MetadataSpec::Percent(p) => extents * u64::from(p) / 100 * extent,
    };
    if wanted < MIN_METADATA {
        let b = MIN_METADATA.div_ceil(extent) * extent;
        let note = format!(
            "metadata: {}% of the VG is {}, below LVM's minimum; using {}",
            match s.metadata {
                MetadataSpec::Percent(p) => p,
                _ => 0,
            },
            human(wanted),
            human(b)
        );
        (b, Some(note))
    } else if wanted > MAX_METADATA {
        let b = MAX_METADATA / extent * extent;
        let note = format!(
            "metadata: {} would exceed LVM's maximum; using {}",
            human(wanted),
            human(b)
        );
        (b, Some(note))
    } else {
        (wanted, None)
    }
}

fn check_fits(s: &Settings, extents: u64, extent: u64, meta: u64) -> Result<()> {
    let data = extents * u64::from(s.data_percent) / 100;
    let meta_ext = meta / extent;
    // lvconvert and lvcreate --type thin-pool also allocate a spare
    // metadata LV (lvol0_pmspare) of the same size.
    if data == 0 || data + 2 * meta_ext > extents {
        return Err(refused(format!(
            "the VG is too small: {} extents of {} cannot hold {}% data plus {} metadata \
             and its spare; use a bigger disk or lower --data-percent",
            extents,
            human(extent),
            s.data_percent,
            human(meta)
        )));
    }
    Ok(())
}

/// A warning when the new pool leaves the VG less free space than one
/// autoextend step: dmeventd's lvextend would then fail when the pool
/// fills (the same check `dmctl doctor` makes as vg.free).
pub fn autoextend_room(s: &Settings, extents: u64, extent: u64, meta: u64) -> Option<String> {
    if s.autoextend_threshold >= 100 {
        return None;
    }
    let data = extents * u64::from(s.data_percent) / 100;
    let free = extents.saturating_sub(data + 2 * (meta / extent));
    let step = (data * u64::from(s.autoextend_percent)).div_ceil(100);
    (free < step).then(|| {
        format!(
            "VG {} will keep {} free, less than one autoextend step ({}): autoextend \
             will fail until the VG grows (`dmctl extend --add-device DEV`)",
            s.vg,
            human(free * extent),
            human(step * extent)
        )
    })
}

/// Profile file text.
pub fn profile_text(s: &Settings) -> String {
    format!(
        "# Written by dmctl: autoextend policy for the thin pool {pool}.\n\
         # dmeventd grows the pool by {pct}% when its data or metadata use\n\
         # reaches {thr}% (100 = never).\n\
         activation {{\n\
         \tthin_pool_autoextend_threshold={thr}\n\
         \tthin_pool_autoextend_percent={pct}\n\
         }}\n",
        pool = s.pool_path(),
        thr = s.autoextend_threshold,
        pct = s.autoextend_percent
    )
}

/// `(threshold, percent)` from a profile file. LVM's config syntax allows
/// `activation { a=1 b=2 }` on one line, so keys are found anywhere
/// outside comments.
pub fn parse_profile(text: &str) -> (Option<u8>, Option<u8>) {
    let body: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let value = |key: &str| -> Option<u8> {
        let mut found = None;
        let mut rest = body.as_str();
        while let Some(i) = rest.find(key) {
            let after = rest[i + key.len()..].trim_start();
            if let Some(v) = after.strip_prefix('=') {
                let digits: String = v
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                found = digits.parse().ok();
            }
            rest = &rest[i + key.len()..];
        }
        found
    };
    (
        value("thin_pool_autoextend_threshold"),
        value("thin_pool_autoextend_percent"),
    )
}

fn profile_current(s: &Settings, text: Option<&str>) -> bool {
    text.map(parse_profile) == Some((Some(s.autoextend_threshold), Some(s.autoextend_percent)))
}

fn chunk_arg(s: &Settings) -> String {
    format!("{}K", s.chunk_size / 1024)
}

/// `--config` for lvm commands when the profile lives outside LVM's default
/// profile directory.
fn profile_dir_args(s: &Settings) -> Vec<String> {
    if s.profile_dir == Path::new("/etc/lvm/profile") {
        Vec::new()
    } else {
        vec![
            "--config".into(),
            format!("config/profile_dir=\"{}\"", s.profile_dir.display()),
        ]
    }
}

// The commands, one function each, as the step subcommands run them.

pub fn cmd_wipefs(dev: &Path) -> Cmd {
    Cmd::mutating("wipefs").arg("-a").arg(dev.to_string_lossy())
}
pub fn cmd_pvcreate(dev: &Path) -> Cmd {
    Cmd::mutating("pvcreate").arg(dev.to_string_lossy())
}
pub fn cmd_vgcreate(s: &Settings, dev: &Path) -> Cmd {
    Cmd::mutating("vgcreate")
        .arg(&s.vg)
        .arg(dev.to_string_lossy())
}
pub fn cmd_lvcreate_data(s: &Settings) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(["-y", "--wipesignatures", "y", "-n", &s.pool, &s.vg, "-l"])
        .arg(format!("{}%VG", s.data_percent))
}
/// Classic `-l N%VG` when the percentage stands, exact bytes otherwise.
pub fn cmd_lvcreate_meta(s: &Settings, bytes: u64, clamped: bool) -> Cmd {
    let c = Cmd::mutating("lvcreate").args(["-y", "--wipesignatures", "y", "-n"]);
    let c = c.arg(s.meta_lv()).arg(&s.vg);
    match (&s.metadata, clamped) {
        (MetadataSpec::Percent(p), false) => c.arg("-l").arg(format!("{p}%VG")),
        _ => c.arg("-L").arg(lvm_arg(bytes)),
    }
}
pub fn cmd_lvconvert(s: &Settings) -> Cmd {
    Cmd::mutating("lvconvert")
        .args(["-y", "--zero", "n", "-c"])
        .arg(chunk_arg(s))
        .arg("--thinpool")
        .arg(s.pool_path())
        .arg("--poolmetadata")
        .arg(format!("{}/{}", s.vg, s.meta_lv()))
}
/// Data, metadata, pool and profile link in one lvm process.
pub fn cmd_lvcreate_pool(s: &Settings, meta: u64) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(profile_dir_args(s))
        .args(["-y", "--type", "thin-pool", "-n", &s.pool, "-l"])
        .arg(format!("{}%VG", s.data_percent))
        .arg("--poolmetadatasize")
        .arg(lvm_arg(meta))
        .arg("--chunksize")
        .arg(chunk_arg(s))
        // lvm2 rejects --wipesignatures with --type thin-pool ("Option
        // --wipesignatures is unsupported with thin pools"); it clears the
        // new metadata LV itself.
        .args(["--zero", "n", "--metadataprofile"])
        .arg(s.profile_name())
        .arg(&s.vg)
}
pub fn cmd_attach_profile(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange")
        .args(profile_dir_args(s))
        .arg("--metadataprofile")
        .arg(s.profile_name())
        .arg(s.pool_path())
}
pub fn cmd_monitor(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange")
        .args(["--monitor", "y"])
        .arg(s.pool_path())
}
pub fn cmd_activate(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange").arg("-ay").arg(s.pool_path())
}

/// Which part of the job to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything, with the fewest lvm processes.
    Setup,
    Pvcreate,
    Vgcreate,
    Lvcreate,
    Lvconvert,
    Profile,
    DaemonJson,
    /// containerd-devmapper's config step.
    ContainerdConfig,
    /// docker-overlay2's thin LV, filesystem, fstab and mount.
    DataLv,
    /// Boot activation: pool and thin LVs active, device node, mount.
    Activate,
}

/// Where /etc/fstab lives.
pub const FSTAB: &str = "/etc/fstab";

/// The target: the one given, else docker-devicemapper unless dockerd is
/// 25 or newer (devicemapper is gone there: refuse and name the others).
pub fn resolve_target(explicit: Option<Target>, probe: &Probe) -> Result<(Target, Vec<String>)> {
    let mut warnings = Vec::new();
    let support = probe
        .dockerd
        .as_ref()
        .map(|v| (v, dversion::devicemapper_support(v)));
    if probe.dockerd_installed && probe.dockerd.is_none() && explicit.is_none() {
        warnings.push("could not read dockerd's version; assuming docker-devicemapper".into());
    }
    match (explicit, support) {
        (None, Some((v, DmSupport::Removed))) => Err(refused(format!(
            "dockerd {v} is installed and has no devicemapper storage driver (removed in Docker \
             25.0), so dmctl will not write a devicemapper daemon.json. Choose what the pool is \
             for: --target docker-overlay2 (overlay2 on xfs in a thin LV of the pool) or \
             --target containerd-devmapper (containerd's devmapper snapshotter)"
        ))),
        (Some(Target::DockerDevicemapper), Some((v, DmSupport::Removed))) => Err(refused(format!(
            "--target docker-devicemapper: dockerd {v} has no devicemapper storage driver \
             (removed in Docker 25.0); a devicemapper daemon.json would keep it from starting. \
             Use --target docker-overlay2 or --target containerd-devmapper"
        ))),
        (None | Some(Target::DockerDevicemapper), Some((v, DmSupport::RequiresExplicitDriver))) => {
            warnings.push(format!(
                "dockerd {v} deprecates devicemapper: it only starts with the explicit \
                 storage-driver dmctl writes; plan a move (--target docker-overlay2) before Docker 25"
            ));
            Ok((Target::DockerDevicemapper, warnings))
        }
        (t, _) => Ok((t.unwrap_or(Target::DockerDevicemapper), warnings)),
    }
}

/// Plan `scope` from `probe`. `dev` is the disk (None for the steps that
/// work on an existing VG).
pub fn plan(scope: Scope, probe: &Probe, s: &Settings, dev: Option<&Path>) -> Result<Plan> {
    let mut p = Plan::default();
    let target = match scope {
        Scope::Setup | Scope::DaemonJson => {
            let (t, w) = resolve_target(s.target, probe)?;
            p.warnings.extend(w);
            t
        }
        _ => s.target.unwrap_or(Target::DockerDevicemapper),
    };
    let state = match (scope, dev) {
        // Making a PV concerns the disk alone, whatever VG is configured.
        (Scope::Pvcreate, Some(d)) => match probe.lvm.pv_on(d) {
            None => PoolState::Blank,
            Some(_) => PoolState::OrphanPv,
        },
        (_, Some(d)) => pool_state(&probe.lvm, s, d)?,
        (_, None) => state_without_device(&probe.lvm, s)?,
    };
    let (extents, extent) = vg_geometry(&probe.lvm, s, probe.device_size);
    let (meta, note) = metadata_size(s, extents, extent);
    let needs_lvs = matches!(
        state,
        PoolState::Blank | PoolState::OrphanPv | PoolState::EmptyVg | PoolState::DataOnly
    );
    if needs_lvs && matches!(scope, Scope::Setup | Scope::Lvcreate) {
        if let Some(n) = &note {
            p.warnings.push(n.clone());
        }
        if !matches!(state, PoolState::DataOnly) {
            check_fits(s, extents, extent, meta)?;
        }
        p.warnings.extend(autoextend_room(s, extents, extent, meta));
    }
    let need_dev = || dev.context("this step needs the DEVICE argument");

    // Later steps need the earlier ones; a step subcommand run out of
    // order says which one comes first.
    let require = |done: bool, what: &str| -> Result<()> {
        if done {
            Ok(())
        } else {
            Err(refused(format!(
                "{what} does not exist yet: run `dmctl setup` or the earlier steps first"
            )))
        }
    };

    match scope {
        Scope::Setup => {
            if probe.wipe && matches!(state, PoolState::Blank) {
                p.todo("wipefs", Action::Run(cmd_wipefs(need_dev()?)));
            }
            // Write the profile first: lvcreate links it by name.
            plan_profile_file(&mut p, s, probe);
            match &state {
                PoolState::Blank | PoolState::OrphanPv => {
                    p.todo("vgcreate", Action::Run(cmd_vgcreate(s, need_dev()?)));
                    p.todo("lvcreate", Action::Run(cmd_lvcreate_pool(s, meta)));
                    p.todo("monitor", monitor_check(s));
                }
                PoolState::EmptyVg => {
                    p.already("vgcreate");
                    p.todo("lvcreate", Action::Run(cmd_lvcreate_pool(s, meta)));
                    p.todo("monitor", monitor_check(s));
                }
                PoolState::DataOnly | PoolState::Unconverted => {
                    p.already("vgcreate");
                    if state == PoolState::DataOnly {
                        p.todo(
                            "lvcreate-metadata",
                            Action::Run(cmd_lvcreate_meta(s, meta, note.is_some())),
                        );
                    }
                    p.todo("lvconvert", Action::Run(cmd_lvconvert(s)));
                    p.todo("profile-attach", Action::Run(cmd_attach_profile(s)));
                    p.todo("monitor", monitor_check(s));
                }
                PoolState::Pool(lv) => {
                    p.already("vgcreate");
                    p.already("lvcreate");
                    pool_settings_warnings(&mut p, s, lv);
                    plan_existing_pool(&mut p, s, lv);
                }
            }
            plan_target(&mut p, s, probe, &state, target)?;
            if s.install_unit {
                plan_unit(&mut p, s, probe, target);
            }
        }
        Scope::ContainerdConfig => {
            pool_exists_warning(&mut p, s, &state);
            plan_containerd(&mut p, s, probe)?;
        }
        Scope::DataLv => {
            let PoolState::Pool(_) = &state else {
                return require(false, &format!("thin pool {}", s.pool_path())).map(|_| p);
            };
            plan_data_lv(&mut p, s, probe, true)?;
        }
        Scope::Activate => {
            let PoolState::Pool(lv) = &state else {
                return Err(refused(format!(
                    "there is no thin pool {} to activate: run `dmctl setup DEVICE` first",
                    s.pool_path()
                )));
            };
            plan_activate(&mut p, s, probe, lv);
        }
        Scope::Pvcreate => match state {
            PoolState::Blank => {
                if probe.wipe {
                    p.todo("wipefs", Action::Run(cmd_wipefs(need_dev()?)));
                }
                p.todo("pvcreate", Action::Run(cmd_pvcreate(need_dev()?)));
            }
            _ => p.already("pvcreate"),
        },
        Scope::Vgcreate => match state {
            PoolState::Blank => {
                return Err(refused(format!(
                    "{} is not a PV yet: run `dmctl pvcreate {}` first",
                    need_dev()?.display(),
                    need_dev()?.display()
                )))
            }
            PoolState::OrphanPv => p.todo("vgcreate", Action::Run(cmd_vgcreate(s, need_dev()?))),
            _ => p.already("vgcreate"),
        },
        Scope::Lvcreate => {
            require(
                !matches!(state, PoolState::Blank | PoolState::OrphanPv),
                &format!("volume group {}", s.vg),
            )?;
            match state {
                PoolState::EmptyVg => {
                    check_fits(s, extents, extent, meta)?;
                    p.todo("lvcreate-data", Action::Run(cmd_lvcreate_data(s)));
                    p.todo(
                        "lvcreate-metadata",
                        Action::Run(cmd_lvcreate_meta(s, meta, note.is_some())),
                    );
                }
                PoolState::DataOnly => {
                    p.already("lvcreate-data");
                    p.todo(
                        "lvcreate-metadata",
                        Action::Run(cmd_lvcreate_meta(s, meta, note.is_some())),
                    );
                }
                _ => {
                    p.already("lvcreate-data");
                    p.already("lvcreate-metadata");
                }
            }
        }
        Scope::Lvconvert => match state {
            PoolState::Unconverted => p.todo("lvconvert", Action::Run(cmd_lvconvert(s))),
            PoolState::Pool(_) => p.already("lvconvert"),
            _ => require(
                false,
                &format!("the LVs {} and {}/{}", s.pool_path(), s.vg, s.meta_lv()),
            )?,
        },
        Scope::Profile => {
            let PoolState::Pool(lv) = &state else {
                return require(false, &format!("thin pool {}", s.pool_path())).map(|_| p);
            };
            plan_profile_file(&mut p, s, probe);
            plan_existing_pool(&mut p, s, lv);
        }
        Scope::DaemonJson => {
            pool_exists_warning(&mut p, s, &state);
            match target {
                Target::DockerDevicemapper => plan_daemon_json(&mut p, s, probe)?,
                Target::DockerOverlay2 => plan_overlay2_json(&mut p, s, probe)?,
                Target::ContainerdDevmapper => {
                    return Err(refused(
                        "daemon-json writes Docker's config; for --target containerd-devmapper \
                         run `dmctl containerd`",
                    ))
                }
            }
        }
    }
    Ok(p)
}

fn pool_exists_warning(p: &mut Plan, s: &Settings, state: &PoolState) {
    if !matches!(state, PoolState::Pool(_)) {
        p.warnings.push(format!(
            "thin pool {} does not exist yet; the runtime will not start until it does",
            s.pool_path()
        ));
    }
}

/// The last step of setup: wire the pool to the target's runtime.
fn plan_target(
    p: &mut Plan,
    s: &Settings,
    probe: &Probe,
    state: &PoolState,
    target: Target,
) -> Result<()> {
    let thin_lvs: Vec<&str> = probe
        .lvm
        .thin_volumes(&s.vg, &s.pool)
        .filter(|l| l.name != s.lv_name)
        .map(|l| l.name.as_str())
        .collect();
    match target {
        Target::DockerDevicemapper | Target::ContainerdDevmapper if !thin_lvs.is_empty() => {
            p.warnings.push(format!(
                "{} holds LVM thin volumes ({}); {} allocates thin device ids on its own \
                 and may collide with LVM's: keep this pool for one user",
                s.pool_path(),
                thin_lvs.join(", "),
                target.as_str()
            ));
        }
        _ => {}
    }
    match target {
        Target::DockerDevicemapper => plan_daemon_json(p, s, probe),
        Target::ContainerdDevmapper => plan_containerd(p, s, probe),
        Target::DockerOverlay2 => {
            plan_data_lv(p, s, probe, matches!(state, PoolState::Pool(_)))?;
            plan_overlay2_json(p, s, probe)
        }
    }
}

fn plan_containerd(p: &mut Plan, s: &Settings, probe: &Probe) -> Result<()> {
    let path = &s.containerd_config;
    let e =
        crate::containerd::merge_devmapper(probe.containerd_config.as_deref(), &s.devmapper_want())
            .map_err(|e| refused(format!("{}: {e}", path.display())))?;
    if e.changed {
        p.todo(
            "containerd-config",
            Action::Write {
                path: path.clone(),
                content: e.text,
                old: probe.containerd_config.clone(),
            },
        );
    } else {
        p.already("containerd-config");
    }
    Ok(())
}

fn plan_overlay2_json(p: &mut Plan, s: &Settings, probe: &Probe) -> Result<()> {
    let dr = s.data_root.to_string_lossy();
    let merged = daemon_json::merge_overlay2(
        probe.daemon_json.as_deref(),
        s.overlay2_size.as_deref(),
        Some(&dr),
    );
    p.daemon_json_edit(&s.daemon_json, merged, probe.daemon_json.as_deref())
}

pub fn cmd_lvcreate_thin(s: &Settings) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(["-y", "-V"])
        .arg(match s.lv_size {
            b if b % (1 << 30) == 0 => format!("{}g", b >> 30),
            b if b % (1 << 20) == 0 => format!("{}m", b >> 20),
            b => lvm_arg(b),
        })
        .arg("-T")
        .arg(s.pool_path())
        .arg("-n")
        .arg(&s.lv_name)
}
pub fn cmd_mkfs_xfs(s: &Settings) -> Cmd {
    Cmd::mutating("mkfs.xfs")
        .args(["-n", "ftype=1", "-L", "docker-data"])
        .arg(s.data_lv_dev())
}

/// docker-overlay2: thin LV, xfs, the data root's fstab entry and mount.
/// `pool_exists`: false while setup still has to create the pool.
fn plan_data_lv(p: &mut Plan, s: &Settings, probe: &Probe, pool_exists: bool) -> Result<()> {
    let lv = probe.lvm.lv(&s.vg, &s.lv_name);
    let dr = s.data_root.display();
    // The data root must be empty or already ours: check before any step.
    let ours_mounted = match &probe.data_root_mount {
        Some(m) if probe.data_lv_devnum.as_deref() == Some(m.devnum.as_str()) && lv.is_some() => {
            if !overlay::has_pquota(&m.options) {
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
    if !ours_mounted {
        if let Some(entries) = probe.data_root_entries.as_ref().filter(|e| !e.is_empty()) {
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
            p.todo("data-lv", Action::Run(cmd_lvcreate_thin(s)));
            p.todo("mkfs", Action::Run(cmd_mkfs_xfs(s)));
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
                    Action::Run(Cmd::mutating("lvchange").arg("-ay").arg(s.data_lv_path())),
                );
            }
            match probe.data_lv_fs.as_deref() {
                None if !l.active => p.warnings.push(format!(
                    "{} is inactive; its filesystem is checked on the next run",
                    s.data_lv_path()
                )),
                None => p.todo("mkfs", Action::Run(cmd_mkfs_xfs(s))),
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
        let pool_data = probe.lvm.lv(&s.vg, &s.pool).map(|l| l.size).unwrap_or(0);
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
    if probe.data_root_entries.is_none() && !ours_mounted {
        p.todo(
            "mkdir",
            Action::Run(
                Cmd::mutating("mkdir")
                    .args(["-p", "-m", "0710"])
                    .arg(dr.to_string()),
            ),
        );
    }
    match overlay::merge_fstab(probe.fstab.as_deref(), &s.data_lv_dev(), &s.data_root) {
        Err(e) => return Err(refused(e)),
        Ok(None) => p.already("fstab"),
        Ok(Some(text)) => p.todo(
            "fstab",
            Action::Write {
                path: PathBuf::from(FSTAB),
                content: text,
                old: probe.fstab.clone(),
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

/// The boot unit: file, daemon-reload and enable (only under systemd).
fn plan_unit(p: &mut Plan, s: &Settings, probe: &Probe, target: Target) {
    let mut extra = Vec::new();
    if target == Target::DockerOverlay2 {
        if s.lv_name != "docker-data" {
            extra.extend(["--lv-name".to_string(), s.lv_name.clone()]);
        }
        if s.data_root != Path::new("/var/lib/docker") {
            extra.extend(["--data-root".to_string(), s.data_root.display().to_string()]);
        }
    }
    let text = overlay::unit_text(&probe.exe, &s.vg, &s.pool, &extra);
    let write = probe.unit.as_deref() != Some(text.as_str());
    if write {
        p.todo(
            "unit-file",
            Action::Write {
                path: PathBuf::from(overlay::UNIT_PATH),
                content: text,
                old: probe.unit.clone(),
            },
        );
    } else {
        p.already("unit-file");
    }
    if !probe.systemd {
        p.warnings.push(format!(
            "systemd is not PID 1 here: {} is written but not enabled; on a systemd host run \
             `systemctl enable {}`, elsewhere run `dmctl activate` at boot before the runtime",
            overlay::UNIT_PATH,
            overlay::UNIT_NAME
        ));
        return;
    }
    if write {
        p.todo(
            "unit-reload",
            Action::Run(Cmd::mutating("systemctl").arg("daemon-reload")),
        );
    }
    if probe.unit_enabled == Some(true) {
        p.already("unit-enable");
    } else {
        p.todo(
            "unit-enable",
            Action::Run(Cmd::mutating("systemctl").args(["enable", overlay::UNIT_NAME])),
        );
    }
}

/// `dmctl activate`: the pool and its LVM thin volumes active (one
/// lvchange), monitored, the device node there, the data root mounted.
fn plan_activate(p: &mut Plan, s: &Settings, probe: &Probe, pool: &Lv) {
    let inactive: Vec<String> = probe
        .lvm
        .thin_volumes(&s.vg, &s.pool)
        .filter(|l| !l.active)
        .map(|l| format!("{}/{}", l.vg_name, l.name))
        .collect();
    if pool.active && inactive.is_empty() {
        p.already("activate");
    } else {
        p.todo(
            "activate",
            Action::Run(
                Cmd::mutating("lvchange")
                    .arg("-ay")
                    .arg(s.pool_path())
                    .args(inactive),
            ),
        );
    }
    if !pool.active {
        p.todo("monitor", monitor_check(s));
        p.todo(
            "device",
            Action::WaitFor {
                path: PathBuf::from(s.thinpooldev()),
                secs: s.activate_wait,
            },
        );
    } else {
        p.already("monitor");
        p.already("device");
    }
    // A data root in fstab on one of this pool's thin LVs: mount it.
    let entry = probe
        .fstab
        .as_deref()
        .and_then(|f| overlay::fstab_entry(f, &s.data_root))
        .filter(|e| e.source == s.data_lv_dev());
    if entry.is_some() {
        if probe.data_root_mount.is_some() {
            p.already("mount");
        } else {
            let dr = s.data_root.display().to_string();
            if !probe.lvm.lv(&s.vg, &s.lv_name).is_some_and(|l| l.active) {
                p.todo(
                    "data-lv-device",
                    Action::WaitFor {
                        path: PathBuf::from(s.data_lv_dev()),
                        secs: s.activate_wait,
                    },
                );
            }
            p.todo("mount", Action::Run(Cmd::mutating("mount").arg(dr)));
        }
    }
}

/// The state when no device is named: from the VG alone.
fn state_without_device(lvm: &LvmState, s: &Settings) -> Result<PoolState> {
    match lvm.vg(&s.vg) {
        None => Ok(PoolState::Blank),
        Some(_) => {
            let dev = lvm
                .pvs_of(&s.vg)
                .next()
                .map(|p| PathBuf::from(&p.name))
                .context("the VG lists no PV")?;
            pool_state(lvm, s, &dev)
        }
    }
}

fn monitor_check(s: &Settings) -> Action {
    Action::EnsureMonitored {
        vg: s.vg.clone(),
        pool: s.pool.clone(),
    }
}

fn plan_profile_file(p: &mut Plan, s: &Settings, probe: &Probe) {
    if profile_current(s, probe.profile.as_deref()) {
        p.already("profile-file");
    } else {
        p.todo(
            "profile-file",
            Action::Write {
                path: s.profile_path(),
                content: profile_text(s),
                old: probe.profile.clone(),
            },
        );
    }
    if s.autoextend_threshold == 100 {
        p.warnings.push(format!(
            "autoextend-threshold 100 turns autoextend off: {} will fill up and stop",
            s.pool_path()
        ));
    }
}

fn plan_existing_pool(p: &mut Plan, s: &Settings, lv: &Lv) {
    if !lv.active {
        p.todo("activate", Action::Run(cmd_activate(s)));
    }
    if lv.profile == s.profile_name() {
        p.already("profile-attach");
    } else {
        p.todo("profile-attach", Action::Run(cmd_attach_profile(s)));
    }
    if !lv.active {
        p.todo("monitor", monitor_check(s));
    } else if lv.is_monitored() {
        p.already("monitor");
    } else {
        p.todo("monitor", Action::Run(cmd_monitor(s)));
    }
}

/// Settings an existing pool cannot take on by a re-run: say so.
fn pool_settings_warnings(p: &mut Plan, s: &Settings, lv: &Lv) {
    if let Some(c) = lv.chunk_size {
        if c != s.chunk_size {
            p.warnings.push(format!(
                "{} has chunk size {}, not {}; a pool's chunk size cannot change",
                s.pool_path(),
                human(c),
                human(s.chunk_size)
            ));
        }
    }
    if lv.zeroing() {
        p.warnings.push(format!(
            "{} zeroes new blocks (slower); `lvchange --zero n {}` turns it off",
            s.pool_path(),
            s.pool_path()
        ));
    }
}

fn plan_daemon_json(p: &mut Plan, s: &Settings, probe: &Probe) -> Result<()> {
    let want = DmWant {
        thinpooldev: s.thinpooldev(),
        basesize: s.basesize.clone(),
        fs: s.fs.clone(),
    };
    let merged = daemon_json::merge_devicemapper(probe.daemon_json.as_deref(), &want);
    p.daemon_json_edit(&s.daemon_json, merged, probe.daemon_json.as_deref())
}

impl Plan {
    /// The `daemon-json` step of an edit of `path` (current text `old`):
    /// write the result when it changed; a merge error is a refusal.
    pub fn daemon_json_edit(
        &mut self,
        path: &Path,
        edit: Result<daemon_json::Merged, daemon_json::MergeError>,
        old: Option<&str>,
    ) -> Result<()> {
        let m = edit.map_err(|e| refused(format!("{}: {e}", path.display())))?;
        self.warnings.extend(m.warnings);
        if m.changed {
            self.todo(
                "daemon-json",
                Action::Write {
                    path: path.to_path_buf(),
                    content: m.text,
                    old: old.map(str::to_string),
                },
            );
        } else {
            self.already("daemon-json");
        }
        Ok(())
    }
}

/// What happened to one step, for `--format json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepReport {
    pub name: &'static str,
    /// `done`, `already` or `skipped` (dry run).
    pub action: &'static str,
    /// argv of the command run, if the step runs one.
    pub command: Option<Vec<String>>,
    /// File written, if the step writes one.
    pub path: Option<PathBuf>,
}

fn report(step: &Step, action: &'static str) -> StepReport {
    let (command, path) = match &step.action {
        Some(Action::Run(c)) => (Some(c.argv()), None),
        Some(Action::Write { path, .. }) | Some(Action::Remove { path, .. }) => {
            (None, Some(path.clone()))
        }
        _ => (None, None),
    };
    StepReport {
        name: step.name,
        action,
        command,
        path,
    }
}

/// File mode for new files dmctl writes.
const NEW_FILE_MODE: u32 = 0o644;

/// Run the plan. In a dry run (the runner says so), nothing is written and
/// mutating commands are not run; every step is reported `skipped`.
pub fn apply(plan: &Plan, r: &dyn Runner, ui: &Ui) -> Result<(Vec<StepReport>, Vec<String>)> {
    let mut reports = Vec::new();
    let mut warnings = Vec::new();
    let dry = r.is_dry_run();
    for step in &plan.steps {
        let Some(action) = &step.action else {
            reports.push(report(step, "already"));
            continue;
        };
        if dry {
            reports.push(report(step, "skipped"));
            continue;
        }
        match action {
            Action::Run(cmd) => {
                ui.step(&format!("{}: {cmd}", step.name));
                exec::run(r, cmd).with_context(|| resume_hint(step.name))?;
                ui.done(&format!("{}: done", step.name));
                reports.push(report(step, "done"));
            }
            Action::Write { path, content, .. } => {
                ui.step(&format!("{}: writing {}", step.name, path.display()));
                let backup = fsutil::write_atomic(path, content, NEW_FILE_MODE)
                    .with_context(|| resume_hint(step.name))?;
                if let Some(b) = backup {
                    ui.info(&format!(
                        "{}: previous file kept as {}",
                        step.name,
                        b.display()
                    ));
                }
                ui.done(&format!("{}: wrote {}", step.name, path.display()));
                reports.push(report(step, "done"));
            }
            Action::Remove { path, .. } => {
                ui.step(&format!("{}: removing {}", step.name, path.display()));
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("removing {}", path.display()))
                            .with_context(|| resume_hint(step.name))
                    }
                }
                ui.done(&format!("{}: removed {}", step.name, path.display()));
                reports.push(report(step, "done"));
            }
            Action::WaitFor { path, secs } => {
                ui.step(&format!("{}: waiting for {}", step.name, path.display()));
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(*secs);
                while !path.exists() {
                    if std::time::Instant::now() >= deadline {
                        anyhow::bail!(
                            "{} did not appear within {secs} s (is udevd running? \
                             `udevadm settle`, then `dmsetup mknodes`)",
                            path.display()
                        );
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                ui.done(&format!("{}: {} is there", step.name, path.display()));
                reports.push(report(step, "done"));
            }
            Action::EnsureMonitored { vg, pool } => {
                ui.step(&format!(
                    "{}: checking dmeventd monitoring of {vg}/{pool}",
                    step.name
                ));
                let lv = lvm::lv_report(r, vg, pool).with_context(|| resume_hint(step.name))?;
                if lv.is_monitored() {
                    ui.done(&format!("{}: {vg}/{pool} is monitored", step.name));
                    reports.push(report(step, "already"));
                } else {
                    let cmd = Cmd::mutating("lvchange")
                        .args(["--monitor", "y"])
                        .arg(format!("{vg}/{pool}"));
                    exec::run(r, &cmd).with_context(|| resume_hint(step.name))?;
                    let lv = lvm::lv_report(r, vg, pool)?;
                    if !lv.is_monitored() {
                        warnings.push(format!(
                            "{vg}/{pool} is still not monitored ({:?}): autoextend will never fire; \
                             check that dmeventd is installed and lvm.conf has monitoring=1",
                            lv.monitor
                        ));
                    }
                    ui.done(&format!("{}: monitoring turned on", step.name));
                    reports.push(StepReport {
                        command: Some(cmd.argv()),
                        ..report(step, "done")
                    });
                }
            }
        }
    }
    Ok((reports, warnings))
}

fn resume_hint(step: &str) -> String {
    format!("step {step} failed; fix the cause and re-run: dmctl resumes where it stopped")
}

/// The dry-run listing: each command, and each file's content or diff.
pub fn describe(plan: &Plan) -> String {
    let mut out = String::new();
    for step in &plan.steps {
        match &step.action {
            None => out.push_str(&format!("# {}: already done\n", step.name)),
            Some(Action::Run(c)) => out.push_str(&format!("{c}\n")),
            Some(Action::EnsureMonitored { vg, pool }) => out.push_str(&format!(
                "{}\n# then, if {vg}/{pool} is not monitored:\n{}\n",
                lvm::lvs_cmd(vg, pool),
                Cmd::mutating("lvchange")
                    .args(["--monitor", "y"])
                    .arg(format!("{vg}/{pool}"))
            )),
            Some(Action::WaitFor { path, secs }) => {
                out.push_str(&format!("# wait up to {secs} s for {}\n", path.display()))
            }
            Some(Action::Remove { path, old }) => {
                let name = path.display().to_string();
                let diff = similar::TextDiff::from_lines(old.as_str(), "");
                out.push_str(&format!("rm {}\n", crate::exec::shell_quote(&name)));
                out.push_str(&diff.unified_diff().header(&name, "/dev/null").to_string());
            }
            Some(Action::Write { path, content, old }) => {
                let name = path.display().to_string();
                match old {
                    None => out.push_str(&format!("# new file {name}:\n{content}")),
                    Some(o) => {
                        let diff = similar::TextDiff::from_lines(o.as_str(), content.as_str());
                        out.push_str(
                            &diff
                                .unified_diff()
                                .header(&name, &format!("{name} (new)"))
                                .to_string(),
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::PoolOpts;
    use crate::config;
    use crate::error::{exit, exit_code};
    use crate::exec::{FakeRunner, Output};
    use crate::lvm::{Pv, Vg};

    const DEV: &str = "/dev/vdb";
    const EXT: u64 = 4 << 20;
    const GIB2: u64 = 2 << 30;

    fn settings() -> Settings {
        config::resolve(&PoolOpts::default()).unwrap()
    }

    fn lv(name: &str, segtype: &str, attr: &str, extents: u64) -> Lv {
        Lv {
            name: name.into(),
            vg_name: "docker".into(),
            uuid: format!("uuid-{name}"),
            attr: attr.into(),
            size: extents * EXT,
            segtype: segtype.into(),
            pool_lv: String::new(),
            metadata_size: None,
            chunk_size: None,
            profile: String::new(),
            monitor: String::new(),
            active: attr.chars().nth(4) == Some('a'),
            data_percent: None,
            metadata_percent: None,
            zero: String::new(),
            when_full: String::new(),
            health: String::new(),
            devices: format!("{DEV}(0)"),
        }
    }

    fn pool_lv(profile: &str, monitor: &str) -> Lv {
        Lv {
            profile: profile.into(),
            monitor: monitor.into(),
            chunk_size: Some(512 << 10),
            metadata_size: Some(5 * EXT),
            ..lv("thinpool", "thin-pool", "twi-a-t---", 485)
        }
    }

    /// The LVM state after each step of the classic recipe on a 2 GiB disk.
    pub(super) fn state(stage: u8) -> LvmState {
        let mut st = LvmState::default();
        if stage == 0 {
            return st;
        }
        st.pvs.push(Pv {
            name: DEV.into(),
            vg_name: if stage >= 2 {
                "docker".into()
            } else {
                String::new()
            },
            size: GIB2 - EXT,
        });
        if stage >= 2 {
            st.vgs.push(Vg {
                name: "docker".into(),
                size: 511 * EXT,
                free: 0,
                extent_size: EXT,
                extent_count: 511,
                free_count: 0,
                pv_count: 1,
                lv_count: 0,
            });
        }
        match stage {
            3 => st.lvs.push(lv("thinpool", "linear", "-wi-a-----", 485)),
            4 => {
                st.lvs.push(lv("thinpool", "linear", "-wi-a-----", 485));
                st.lvs.push(lv("thinpoolmeta", "linear", "-wi-a-----", 5));
            }
            5 => st.lvs.push(pool_lv("", "monitored")),
            6 => st.lvs.push(pool_lv("docker-thinpool", "monitored")),
            _ => {}
        }
        st
    }

    fn probe(stage: u8) -> Probe {
        Probe {
            lvm: state(stage),
            device_size: GIB2,
            profile: (stage >= 6).then(|| profile_text(&settings())),
            daemon_json: (stage >= 6).then(current_daemon_json),
            ..Default::default()
        }
    }

    fn current_daemon_json() -> String {
        let s = settings();
        let want = DmWant {
            thinpooldev: s.thinpooldev(),
            basesize: None,
            fs: None,
        };
        daemon_json::merge_devicemapper(None, &want).unwrap().text
    }

    fn setup(p: &Probe) -> Result<Plan> {
        plan(Scope::Setup, p, &settings(), Some(Path::new(DEV)))
    }

    /// `name` of each step with work to do, and the program it runs.
    fn todo(p: &Plan) -> Vec<String> {
        p.steps
            .iter()
            .filter_map(|s| {
                let a = s.action.as_ref()?;
                Some(match a {
                    Action::Run(c) => format!("{}:{}", s.name, c.program),
                    Action::Write { path, .. } => format!("{}:{}", s.name, path.display()),
                    Action::EnsureMonitored { .. } => format!("{}:check", s.name),
                    Action::Remove { path, .. } => format!("{}:rm {}", s.name, path.display()),
                    Action::WaitFor { .. } => format!("{}:wait", s.name),
                })
            })
            .collect()
    }

    fn cmd_of(p: &Plan, name: &str) -> String {
        p.steps
            .iter()
            .find_map(|s| match &s.action {
                Some(Action::Run(c)) if s.name == name => Some(c.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no command for {name}"))
    }

    #[test]
    fn fresh_disk_plans_the_short_recipe() {
        let p = setup(&probe(0)).unwrap();
        assert_eq!(
            todo(&p),
            [
                "profile-file:/etc/lvm/profile/docker-thinpool.profile",
                "vgcreate:vgcreate",
                "lvcreate:lvcreate",
                "monitor:check",
                "daemon-json:/etc/docker/daemon.json"
            ]
        );
        assert_eq!(cmd_of(&p, "vgcreate"), "vgcreate docker /dev/vdb");
        // 1% of 511 extents = 5 extents = 20 MiB, as the classic -l 1%VG.
        assert_eq!(
            cmd_of(&p, "lvcreate"),
            "lvcreate -y --type thin-pool -n thinpool -l 95%VG --poolmetadatasize 20971520b \
             --chunksize 512K --zero n --metadataprofile docker-thinpool docker"
        );
        // 95% data on one disk leaves 64 MiB: less than one 20% step.
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(p.warnings[0].contains("less than one autoextend step (388 MiB)"));
        let roomy = config::resolve(&PoolOpts {
            data_percent: Some(60),
            ..Default::default()
        })
        .unwrap();
        let p = plan(Scope::Setup, &probe(0), &roomy, Some(Path::new(DEV))).unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let off = config::resolve(&PoolOpts {
            autoextend_threshold: Some(100),
            ..Default::default()
        })
        .unwrap();
        let p = plan(Scope::Setup, &probe(0), &off, Some(Path::new(DEV))).unwrap();
        assert!(!p.warnings.iter().any(|w| w.contains("autoextend step")));
    }

    #[test]
    fn each_partial_state_gets_only_the_missing_steps() {
        let cases: [(u8, &[&str]); 6] = [
            (
                1,
                &[
                    "profile-file",
                    "vgcreate",
                    "lvcreate",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (2, &["profile-file", "lvcreate", "monitor", "daemon-json"]),
            (
                3,
                &[
                    "profile-file",
                    "lvcreate-metadata",
                    "lvconvert",
                    "profile-attach",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (
                4,
                &[
                    "profile-file",
                    "lvconvert",
                    "profile-attach",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (5, &["profile-file", "profile-attach", "daemon-json"]),
            (6, &[]),
        ];
        for (stage, want) in cases {
            let p = setup(&probe(stage)).unwrap();
            let names: Vec<String> = todo(&p)
                .iter()
                .map(|t| t.split(':').next().unwrap().to_string())
                .collect();
            assert_eq!(names, want, "stage {stage}");
            assert_eq!(p.changes(), !want.is_empty(), "stage {stage}");
        }
        let p = setup(&probe(3)).unwrap();
        assert_eq!(
            cmd_of(&p, "lvcreate-metadata"),
            "lvcreate -y --wipesignatures y -n thinpoolmeta docker -l 1%VG"
        );
        assert_eq!(
            cmd_of(&p, "lvconvert"),
            "lvconvert -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta"
        );
        assert_eq!(
            cmd_of(&p, "profile-attach"),
            "lvchange --metadataprofile docker-thinpool docker/thinpool"
        );
    }

    #[test]
    fn profile_present_but_not_attached() {
        let mut pr = probe(5);
        pr.profile = Some(profile_text(&settings()));
        let p = setup(&pr).unwrap();
        assert_eq!(
            todo(&p),
            [
                "profile-attach:lvchange",
                "daemon-json:/etc/docker/daemon.json"
            ]
        );
    }

    #[test]
    fn stale_profile_and_monitoring_off_and_inactive_pool() {
        let mut pr = probe(6);
        pr.profile = Some("activation {\n thin_pool_autoextend_threshold=70\n thin_pool_autoextend_percent=20\n}\n".into());
        pr.lvm.lvs[0].monitor = "not monitored".into();
        let p = setup(&pr).unwrap();
        assert_eq!(
            todo(&p),
            [
                "profile-file:/etc/lvm/profile/docker-thinpool.profile",
                "monitor:lvchange"
            ]
        );
        assert_eq!(
            cmd_of(&p, "monitor"),
            "lvchange --monitor y docker/thinpool"
        );
        let mut pr = probe(6);
        pr.lvm.lvs[0].active = false;
        pr.lvm.lvs[0].monitor = String::new();
        assert_eq!(
            todo(&setup(&pr).unwrap()),
            ["activate:lvchange", "monitor:check"]
        );
    }

    #[test]
    fn daemon_json_missing_or_pointing_elsewhere() {
        let mut pr = probe(6);
        pr.daemon_json = None;
        assert_eq!(
            todo(&setup(&pr).unwrap()),
            ["daemon-json:/etc/docker/daemon.json"]
        );
        pr.daemon_json = Some(
            r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/other-pool"]}"#.into(),
        );
        let e = setup(&pr).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("other-pool"), "{e}");
        pr.daemon_json = Some("{ not json".into());
        assert_eq!(exit_code(&setup(&pr).unwrap_err()), exit::REFUSED);
    }

    fn refusal(pr: &Probe) -> String {
        let e = setup(pr).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED, "{e}");
        e.to_string()
    }

    #[test]
    fn states_that_are_not_ours_are_refused() {
        // VG exists with another PV and no pool.
        let mut pr = probe(2);
        pr.lvm.pvs.push(Pv {
            name: "/dev/vdc".into(),
            vg_name: "docker".into(),
            size: GIB2,
        });
        pr.lvm.vgs[0].pv_count = 2;
        assert!(refusal(&pr).contains("spans /dev/vdb, /dev/vdc"));
        // The pool's name is a thin volume, not a pool.
        let mut pr = probe(2);
        pr.lvm.lvs.push(lv("thinpool", "thin", "Vwi-a-tz--", 10));
        assert!(refusal(&pr).contains("is a thin LV"));
        // An open linear LV of our name: someone uses it.
        let mut pr = probe(3);
        pr.lvm.lvs[0].attr = "-wi-ao----".into();
        assert!(refusal(&pr).contains("open linear"));
        // The pool (its VG) is on another device.
        let mut pr = probe(6);
        pr.lvm.pvs[0].name = "/dev/vdc".into();
        assert!(refusal(&pr).contains("already exists on /dev/vdc"));
        // The disk is a PV of another VG.
        let mut pr = probe(1);
        pr.lvm.pvs[0].vg_name = "other".into();
        assert!(refusal(&pr).contains("PV of volume group other"));
        // Other LVs in our VG before the pool exists.
        let mut pr = probe(2);
        pr.lvm.lvs.push(lv("data", "linear", "-wi-a-----", 10));
        assert!(refusal(&pr).contains("holds other LVs (data)"));
        // Metadata LV without the data LV.
        let mut pr = probe(2);
        pr.lvm
            .lvs
            .push(lv("thinpoolmeta", "linear", "-wi-a-----", 5));
        assert!(refusal(&pr).contains("lvremove docker/thinpoolmeta"));
    }

    #[test]
    fn extended_vg_with_pool_is_still_ours() {
        let mut pr = probe(6);
        pr.lvm.pvs.push(Pv {
            name: "/dev/vdc".into(),
            vg_name: "docker".into(),
            size: GIB2,
        });
        assert!(!setup(&pr).unwrap().changes());
    }

    #[test]
    fn metadata_is_clamped_to_lvm_limits() {
        let s = settings();
        // 20 TB: 1% would be 200 GB; LVM's maximum applies.
        let ext = (20u64 * 1000 * 1000 * 1000 * 1000) / EXT;
        let (m, note) = metadata_size(&s, ext, EXT);
        assert_eq!(m, MAX_METADATA / EXT * EXT);
        assert!(note.unwrap().contains("maximum"));
        // 100 MiB: 1% is below 2 MiB.
        let (m, note) = metadata_size(&s, 24, EXT);
        assert_eq!(m, EXT);
        assert!(note.unwrap().contains("minimum"));
        // The classic recipe on a tiny disk falls back to an exact size.
        let mut pr = probe(3);
        pr.lvm.vgs[0].extent_count = 24;
        let p = setup(&pr).unwrap();
        assert!(cmd_of(&p, "lvcreate-metadata").ends_with("-L 4194304b"));
        assert!(p.warnings.iter().any(|w| w.contains("minimum")));
    }

    #[test]
    fn too_small_a_disk_is_refused() {
        let mut pr = probe(0);
        pr.device_size = 8 << 20;
        assert!(refusal(&pr).contains("too small"));
    }

    #[test]
    fn custom_names_with_dashes() {
        let s = config::resolve(&PoolOpts {
            vg: Some("docker-vg".into()),
            pool: Some("thin-pool".into()),
            ..Default::default()
        })
        .unwrap();
        let p = plan(Scope::Setup, &probe(0), &s, Some(Path::new(DEV))).unwrap();
        let dj = p
            .steps
            .iter()
            .find_map(|st| match &st.action {
                Some(Action::Write { path, content, .. }) if path.ends_with("daemon.json") => {
                    Some(content.clone())
                }
                _ => None,
            })
            .unwrap();
        assert!(
            dj.contains("dm.thinpooldev=/dev/mapper/docker--vg-thin--pool"),
            "{dj}"
        );
        assert!(cmd_of(&p, "lvcreate").contains("--metadataprofile docker-vg-thin-pool docker-vg"));
    }

    #[test]
    fn step_subcommands_run_the_classic_commands() {
        let s = settings();
        let dev = Some(Path::new(DEV));
        let p = plan(Scope::Pvcreate, &probe(0), &s, dev).unwrap();
        assert_eq!(cmd_of(&p, "pvcreate"), "pvcreate /dev/vdb");
        // Another disk already holding VG docker does not matter to pvcreate.
        let p = plan(Scope::Pvcreate, &probe(6), &s, Some(Path::new("/dev/vdc"))).unwrap();
        assert_eq!(cmd_of(&p, "pvcreate"), "pvcreate /dev/vdc");
        assert!(!plan(Scope::Pvcreate, &probe(1), &s, dev).unwrap().changes());
        let p = plan(Scope::Vgcreate, &probe(1), &s, dev).unwrap();
        assert_eq!(cmd_of(&p, "vgcreate"), "vgcreate docker /dev/vdb");
        assert!(refusal_of(plan(Scope::Vgcreate, &probe(0), &s, dev)).contains("dmctl pvcreate"));
        let p = plan(Scope::Lvcreate, &probe(2), &s, None).unwrap();
        assert_eq!(
            cmd_of(&p, "lvcreate-data"),
            "lvcreate -y --wipesignatures y -n thinpool docker -l 95%VG"
        );
        assert!(p
            .steps
            .iter()
            .any(|s| s.name == "lvcreate-metadata" && s.action.is_some()));
        assert!(!plan(Scope::Lvcreate, &probe(4), &s, None)
            .unwrap()
            .changes());
        assert!(plan(Scope::Lvconvert, &probe(4), &s, None)
            .unwrap()
            .changes());
        assert!(!plan(Scope::Lvconvert, &probe(5), &s, None)
            .unwrap()
            .changes());
        assert!(refusal_of(plan(Scope::Lvconvert, &probe(2), &s, None)).contains("earlier steps"));
        let p = plan(Scope::Profile, &probe(5), &s, None).unwrap();
        assert_eq!(
            todo(&p),
            [
                "profile-file:/etc/lvm/profile/docker-thinpool.profile",
                "profile-attach:lvchange"
            ]
        );
        assert!(!plan(Scope::Profile, &probe(6), &s, None).unwrap().changes());
        assert!(!plan(Scope::DaemonJson, &probe(6), &s, None)
            .unwrap()
            .changes());
    }

    fn refusal_of(r: Result<Plan>) -> String {
        let e = r.unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED, "{e}");
        e.to_string()
    }

    #[test]
    fn profile_parse_roundtrip() {
        let s = settings();
        assert_eq!(parse_profile(&profile_text(&s)), (Some(80), Some(20)));
        assert_eq!(
            parse_profile("activation { thin_pool_autoextend_threshold=70 # x=1\n}"),
            (Some(70), None)
        );
        assert_eq!(
            parse_profile(
                "activation { thin_pool_autoextend_threshold=80  thin_pool_autoextend_percent = 20 }"
            ),
            (Some(80), Some(20))
        );
        assert_eq!(
            parse_profile("# thin_pool_autoextend_percent=5\n"),
            (None, None)
        );
    }

    #[test]
    fn apply_runs_commands_in_order_and_writes_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = config::resolve(&PoolOpts {
            profile_dir: Some(dir.path().join("profile")),
            daemon_json: Some(dir.path().join("docker/daemon.json")),
            ..Default::default()
        })
        .unwrap();
        let p = plan(Scope::Setup, &probe(0), &s, Some(Path::new(DEV))).unwrap();
        let f = FakeRunner::new();
        f.on(&["vgcreate"], Output::ok(""));
        f.on(&["lvcreate"], Output::ok(""));
        f.on(&["lvs"], Output::ok(&lvs_json("not monitored")));
        f.on(&["lvchange", "--monitor", "y"], Output::ok(""));
        let (reports, warnings) = apply(&p, &f, &Ui::silent()).unwrap();
        assert_eq!(
            f.programs(),
            ["vgcreate", "lvcreate", "lvs", "lvchange", "lvs"]
        );
        assert!(warnings[0].contains("still not monitored"), "{warnings:?}");
        assert!(reports.iter().all(|r| r.action == "done"), "{reports:?}");
        let profile = std::fs::read_to_string(s.profile_path()).unwrap();
        assert!(profile.contains("thin_pool_autoextend_threshold=80"));
        let dj = std::fs::read_to_string(&s.daemon_json).unwrap();
        assert!(dj.contains("dm.use_deferred_deletion=true"));
    }

    #[test]
    fn apply_stops_at_the_first_failure_with_the_command_line() {
        let p = setup(&probe(0)).unwrap();
        let f = FakeRunner::new();
        f.on(
            &["vgcreate"],
            Output::failed(5, "  Device /dev/vdb excluded by a filter.\n"),
        );
        let dir = tempfile::tempdir().unwrap();
        // Redirect the file writes away from /etc.
        let mut p = p;
        for st in &mut p.steps {
            if let Some(Action::Write { path, .. }) = &mut st.action {
                *path = dir.path().join(path.file_name().unwrap());
            }
        }
        let e = apply(&p, &f, &Ui::silent()).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("`vgcreate docker /dev/vdb` failed with exit status 5"),
            "{msg}"
        );
        assert!(msg.contains("excluded by a filter"), "{msg}");
        assert!(msg.contains("re-run"), "{msg}");
        assert_eq!(f.programs(), ["vgcreate"]);
    }

    #[test]
    fn dry_run_describes_commands_and_diffs() {
        let mut pr = probe(6);
        pr.daemon_json = Some("{\n  \"debug\": true\n}\n".into());
        let p = setup(&pr).unwrap();
        let d = describe(&p);
        assert!(d.contains("--- /etc/docker/daemon.json"), "{d}");
        assert!(
            d.contains("+  \"storage-driver\": \"devicemapper\","),
            "{d}"
        );
        assert!(d.contains("# vgcreate: already done"), "{d}");
        let d0 = describe(&setup(&probe(0)).unwrap());
        assert!(
            d0.contains("# new file /etc/lvm/profile/docker-thinpool.profile:"),
            "{d0}"
        );
        assert!(d0.contains("lvchange --monitor y docker/thinpool"), "{d0}");
    }

    macro_rules! real {
        ($state:literal) => {
            include_str!(concat!(
                "../tests/fixtures/vm/",
                $state,
                "--fullreport-selected.out"
            ))
        };
    }

    /// Plans from LVM states captured on the real kernel (tests/fixtures/vm).
    #[test]
    fn real_states_plan_as_expected() {
        let cases: [(&str, &str, &[&str]); 8] = [
            (
                "blank",
                real!("blank"),
                &[
                    "profile-file",
                    "vgcreate",
                    "lvcreate",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (
                "pv-only",
                real!("pv-only"),
                &[
                    "profile-file",
                    "vgcreate",
                    "lvcreate",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (
                "vg-only",
                real!("vg-only"),
                &["profile-file", "lvcreate", "monitor", "daemon-json"],
            ),
            (
                "data-lv-only",
                real!("data-lv-only"),
                &[
                    "profile-file",
                    "lvcreate-metadata",
                    "lvconvert",
                    "profile-attach",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (
                "unconverted",
                real!("lvs-unconverted"),
                &[
                    "profile-file",
                    "lvconvert",
                    "profile-attach",
                    "monitor",
                    "daemon-json",
                ],
            ),
            (
                "pool",
                real!("pool"),
                &["profile-file", "profile-attach", "daemon-json"],
            ),
            (
                "pool-profile",
                real!("pool-profile"),
                &["profile-file", "daemon-json"],
            ),
            (
                "pool-inactive",
                real!("pool-inactive"),
                &["profile-file", "activate", "monitor", "daemon-json"],
            ),
        ];
        for (name, json, want) in cases {
            let lvm = LvmState::from_report(json).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let pr = Probe {
                lvm,
                device_size: GIB2,
                ..Default::default()
            };
            let p = setup(&pr).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let names: Vec<String> = todo(&p)
                .iter()
                .map(|t| t.split(':').next().unwrap().to_string())
                .collect();
            assert_eq!(names, want, "{name}");
        }
        // A pool holding a thin LV (docker's or overlay2's) is still ours.
        let lvm = LvmState::from_report(real!("pool-thin-lv")).unwrap();
        assert_eq!(lvm.thin_volumes("docker", "thinpool").count(), 1);
        let pr = Probe {
            lvm,
            device_size: GIB2,
            ..probe(6)
        };
        assert!(!setup(&pr).unwrap().changes());
        // The other VG's disk is refused; ours is fine.
        let lvm = LvmState::from_report(real!("other-vg")).unwrap();
        let pr = Probe {
            lvm,
            device_size: GIB2,
            ..probe(6)
        };
        let e = plan(Scope::Setup, &pr, &settings(), Some(Path::new("/dev/vdc"))).unwrap_err();
        assert!(e.to_string().contains("PV of volume group other"), "{e}");
        assert!(!setup(&pr).unwrap().changes());
    }

    #[test]
    fn real_pool_fields() {
        let lvm = LvmState::from_report(real!("pool-profile")).unwrap();
        let vg = lvm.vg("docker").unwrap();
        assert_eq!(
            (vg.extent_count, vg.extent_size, vg.free_count),
            (511, EXT, 16)
        );
        let lv = lvm.lv("docker", "thinpool").unwrap();
        assert!(lv.is_thin_pool() && lv.active && lv.is_monitored() && !lv.zeroing());
        assert_eq!(lv.size, 2034237440);
        assert_eq!(lv.metadata_size, Some(20971520));
        assert_eq!(lv.chunk_size, Some(512 << 10));
        assert_eq!(lv.profile, "docker-thinpool");
        assert_eq!(lv.when_full, "queue");
        assert_eq!(lv.data_percent, Some(0.0));
        // The metadata size dmctl computes for the short recipe equals what
        // the classic `-l 1%VG` gave on the same disk.
        let (m, note) = metadata_size(&settings(), vg.extent_count, vg.extent_size);
        assert_eq!((m, note), (20971520, None));
        let (ext, _) = vg_geometry(&LvmState::default(), &settings(), GIB2);
        assert_eq!(
            ext, vg.extent_count,
            "predicted VG size of a blank 2 GiB disk"
        );
        let inactive = LvmState::from_report(real!("pool-inactive")).unwrap();
        let lv = inactive.lv("docker", "thinpool").unwrap();
        assert!(!lv.active && !lv.is_monitored());
        let orphan = LvmState::from_report(real!("pv-only")).unwrap();
        assert_eq!(orphan.pv_on(Path::new("/dev/vdb")).unwrap().vg_name, "");
    }

    fn lvs_json(monitor: &str) -> String {
        format!(
            r#"{{"report":[{{"lv":[{{"lv_uuid":"u","lv_name":"thinpool","vg_name":"docker","lv_attr":"twi-a-t---","lv_size":"2034237440","pool_lv":"","lv_metadata_size":"20971520","lv_profile":"docker-thinpool","lv_active":"active","data_percent":"0.00","metadata_percent":"10.18","lv_when_full":"","lv_health_status":"","segtype":"thin-pool","chunk_size":"524288","seg_monitor":"{monitor}","zero":"","devices":"thinpool_tdata(0)"}}]}}]}}"#
        )
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;
    use crate::cli::PoolOpts;
    use crate::config;
    use crate::error::{exit, exit_code};
    use crate::exec::{FakeRunner, Output};

    const DEV: &str = "/dev/vdb";
    const EXT: u64 = 4 << 20;

    fn settings(t: Target) -> Settings {
        config::resolve(&PoolOpts {
            target: Some(t),
            lv_size: Some("1G".into()),
            ..Default::default()
        })
        .unwrap()
    }

    fn lv(name: &str, segtype: &str, active: bool, pool_lv: &str, extents: u64) -> Lv {
        Lv {
            name: name.into(),
            vg_name: "docker".into(),
            uuid: format!("uuid-{name}"),
            attr: format!(
                "{}wi-{}-t---",
                if segtype == "thin" { 'V' } else { 't' },
                if active { 'a' } else { '-' }
            ),
            size: extents * EXT,
            segtype: segtype.into(),
            pool_lv: pool_lv.into(),
            metadata_size: None,
            chunk_size: Some(512 << 10),
            profile: "docker-thinpool".into(),
            monitor: if active {
                "monitored".into()
            } else {
                String::new()
            },
            active,
            data_percent: None,
            metadata_percent: None,
            zero: String::new(),
            when_full: String::new(),
            health: String::new(),
            devices: String::new(),
        }
    }

    /// A finished pool (active or not), with the data LV or not.
    fn lvm(pool_active: bool, data_lv: Option<bool>) -> LvmState {
        // The PV and VG of the classic recipe's stage 2 (VG only).
        let mut st = super::tests::state(2);
        st.lvs
            .push(lv("thinpool", "thin-pool", pool_active, "", 485));
        if let Some(a) = data_lv {
            st.lvs.push(lv("docker-data", "thin", a, "thinpool", 256));
        }
        st
    }

    fn blank() -> Probe {
        Probe {
            device_size: 2 << 30,
            ..Default::default()
        }
    }

    fn done_pool(s: &Settings) -> Probe {
        Probe {
            lvm: lvm(true, None),
            profile: Some(profile_text(s)),
            ..blank()
        }
    }

    fn names(p: &Plan) -> Vec<String> {
        p.steps
            .iter()
            .filter(|s| s.action.is_some())
            .map(|s| s.name.to_string())
            .collect()
    }

    fn dockerd(v: &str) -> Probe {
        Probe {
            dockerd_installed: true,
            dockerd: crate::docker::version::parse_dockerd_version(&format!(
                "Docker version {v}, build x"
            )),
            ..blank()
        }
    }

    #[test]
    fn default_target_follows_dockerd() {
        let (t, w) = resolve_target(None, &blank()).unwrap();
        assert_eq!((t, w.len()), (Target::DockerDevicemapper, 0));
        let (t, _) = resolve_target(None, &dockerd("20.10.24+dfsg1")).unwrap();
        assert_eq!(t, Target::DockerDevicemapper);
        let (t, w) = resolve_target(None, &dockerd("24.0.7")).unwrap();
        assert_eq!(t, Target::DockerDevicemapper);
        assert!(w[0].contains("deprecates"), "{w:?}");
        let e = resolve_target(None, &dockerd("27.3.1")).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        let m = e.to_string();
        assert!(
            m.contains("--target docker-overlay2") && m.contains("--target containerd-devmapper"),
            "{m}"
        );
        assert!(resolve_target(Some(Target::DockerDevicemapper), &dockerd("25.0.0")).is_err());
        for t in [Target::DockerOverlay2, Target::ContainerdDevmapper] {
            assert_eq!(resolve_target(Some(t), &dockerd("27.3.1")).unwrap().0, t);
        }
        // The planner refuses the same way: nothing planned.
        let s = config::resolve(&PoolOpts::default()).unwrap();
        let e = plan(Scope::Setup, &dockerd("26.1.0"), &s, Some(Path::new(DEV))).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
    }

    #[test]
    fn containerd_fresh_then_done() {
        let s = settings(Target::ContainerdDevmapper);
        let p = plan(Scope::Setup, &blank(), &s, Some(Path::new(DEV))).unwrap();
        assert_eq!(
            names(&p),
            [
                "profile-file",
                "vgcreate",
                "lvcreate",
                "monitor",
                "containerd-config"
            ]
        );
        let Some(Action::Write { path, content, .. }) = &p.steps.last().unwrap().action else {
            panic!()
        };
        assert_eq!(path, Path::new("/etc/containerd/config.toml"));
        assert!(content.contains("pool_name = \"docker-thinpool\""));
        // Done: nothing to do; daemon.json is not touched by this target.
        let mut pr = done_pool(&s);
        pr.containerd_config = Some(content.clone());
        let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
        assert!(!p.changes(), "{:?}", p.steps);
        assert!(!p.steps.iter().any(|s| s.name == "daemon-json"));
        // The step subcommand alone.
        let p = plan(Scope::ContainerdConfig, &pr, &s, None).unwrap();
        assert_eq!(p.steps.len(), 1);
        assert!(!p.changes());
        // A version 1 file is refused before anything runs.
        pr.containerd_config = Some("[plugins.cri]\n".into());
        let e = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
    }

    #[test]
    fn overlay2_fresh_plan_in_order() {
        let s = config::resolve(&PoolOpts {
            target: Some(Target::DockerOverlay2),
            lv_size: Some("1G".into()),
            overlay2_size: Some("10G".into()),
            ..Default::default()
        })
        .unwrap();
        let mut pr = blank();
        pr.fstab = Some("UUID=1 / ext4 defaults 0 1\n".into());
        let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
        assert_eq!(
            names(&p),
            [
                "profile-file",
                "vgcreate",
                "lvcreate",
                "monitor",
                "data-lv",
                "mkfs",
                "mkdir",
                "fstab",
                "mount",
                "daemon-json"
            ]
        );
        let d = describe(&p);
        assert!(
            d.contains("\nlvcreate -y -V 1g -T docker/thinpool -n docker-data\n"),
            "{d}"
        );
        assert!(
            d.contains("\nmkfs.xfs -n ftype=1 -L docker-data /dev/mapper/docker-docker--data\n"),
            "{d}"
        );
        assert!(
            d.contains("+/dev/mapper/docker-docker--data /var/lib/docker xfs defaults,pquota 0 0"),
            "{d}"
        );
        assert!(d.contains("\nmount /var/lib/docker\n"), "{d}");
        assert!(d.contains("\"overlay2.size=10G\""), "{d}");
        assert!(d.contains("\"data-root\": \"/var/lib/docker\""), "{d}");
    }

    fn overlay_done(s: &Settings) -> Probe {
        let mut pr = done_pool(s);
        pr.lvm = lvm(true, Some(true));
        pr.fstab = overlay::merge_fstab(None, &s.data_lv_dev(), &s.data_root).unwrap();
        pr.data_lv_devnum = Some("253:4".into());
        pr.data_lv_fs = Some("xfs".into());
        pr.data_root_entries = Some(vec!["overlay2".into()]);
        pr.data_root_mount = Some(MountEntry {
            devnum: "253:4".into(),
            target: "/var/lib/docker".into(),
            fstype: "xfs".into(),
            source: s.data_lv_dev(),
            options: "rw,relatime,rw,attr2,prjquota".into(),
        });
        pr.daemon_json = Some(
            daemon_json::merge_overlay2(None, None, Some("/var/lib/docker"))
                .unwrap()
                .text,
        );
        pr
    }

    #[test]
    fn overlay2_done_is_a_no_op_and_partial_states_resume() {
        let s = settings(Target::DockerOverlay2);
        let pr = overlay_done(&s);
        let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
        assert!(!p.changes(), "{:?}", p.steps);
        assert!(!plan(Scope::DataLv, &pr, &s, None).unwrap().changes());
        // LV made, no filesystem yet (crash after lvcreate).
        let mut half = pr.clone();
        half.data_lv_fs = None;
        half.data_root_mount = None;
        half.data_root_entries = None;
        half.fstab = None;
        let p = plan(Scope::DataLv, &half, &s, None).unwrap();
        assert_eq!(names(&p), ["mkfs", "mkdir", "fstab", "mount"]);
        // Mounted by hand without pquota: a warning, or a refusal with overlay2.size.
        let mut noq = pr.clone();
        noq.data_root_mount.as_mut().unwrap().options = "rw,relatime,rw,attr2,noquota".into();
        let p = plan(Scope::DataLv, &noq, &s, None).unwrap();
        assert!(
            p.warnings.iter().any(|w| w.contains("pquota")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn overlay2_refusals() {
        let s = settings(Target::DockerOverlay2);
        let refused_with = |pr: &Probe, needle: &str| {
            let e = plan(Scope::Setup, pr, &s, Some(Path::new(DEV))).unwrap_err();
            assert_eq!(exit_code(&e), exit::REFUSED);
            assert!(e.to_string().contains(needle), "{needle}: {e}");
        };
        // Existing data in /var/lib/docker.
        let mut pr = blank();
        pr.data_root_entries = Some(vec!["image".into(), "overlay2".into()]);
        refused_with(&pr, "already holds data (image, overlay2)");
        // Another filesystem mounted there.
        let mut pr = blank();
        pr.data_root_mount = Some(MountEntry {
            devnum: "8:17".into(),
            target: "/var/lib/docker".into(),
            fstype: "ext4".into(),
            source: "/dev/sdb1".into(),
            options: "rw".into(),
        });
        refused_with(&pr, "/dev/sdb1");
        // An fstab line of another device for the data root.
        let mut pr = blank();
        pr.fstab = Some("/dev/sdc1 /var/lib/docker ext4 defaults 0 0\n".into());
        refused_with(&pr, "/dev/sdc1");
        // The LV exists with another filesystem, or is not a thin LV of ours.
        let mut pr = overlay_done(&s);
        pr.data_root_mount = None;
        pr.data_root_entries = Some(vec![]);
        pr.data_lv_fs = Some("ext4".into());
        refused_with(&pr, "ext4 filesystem");
        let mut pr = overlay_done(&s);
        pr.lvm.lvs[1].segtype = "linear".into();
        pr.lvm.lvs[1].pool_lv = String::new();
        refused_with(&pr, "not a thin LV");
    }

    #[test]
    fn activate_plans_and_runs() {
        let s = settings(Target::DockerOverlay2);
        // After a reboot: pool and data LV inactive, data root in fstab.
        let mut pr = overlay_done(&s);
        pr.lvm = lvm(false, Some(false));
        pr.data_root_mount = None;
        let p = plan(Scope::Activate, &pr, &s, None).unwrap();
        assert_eq!(
            names(&p),
            ["activate", "monitor", "device", "data-lv-device", "mount"]
        );
        let Some(Action::Run(c)) = &p.steps[0].action else {
            panic!()
        };
        assert_eq!(
            c.argv(),
            ["lvchange", "-ay", "docker/thinpool", "docker/docker-data"]
        );
        // Active and mounted: nothing.
        assert!(!plan(Scope::Activate, &overlay_done(&s), &s, None)
            .unwrap()
            .changes());
        // No pool: refused.
        let e = plan(Scope::Activate, &blank(), &s, None).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        // Apply with a recording runner; the device wait sees an existing path.
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node");
        std::fs::write(&node, "").unwrap();
        let mut pr = done_pool(&s);
        pr.lvm = lvm(false, None);
        let mut p = plan(Scope::Activate, &pr, &s, None).unwrap();
        assert_eq!(names(&p), ["activate", "monitor", "device"]);
        p.steps[2].action = Some(Action::WaitFor {
            path: node,
            secs: 1,
        });
        let f = FakeRunner::new();
        f.on(&["lvchange", "-ay"], Output::ok(""));
        f.on(&["lvs"], Output::ok(&monitored_lvs()));
        let (r, w) = apply(&p, &f, &Ui::silent()).unwrap();
        assert_eq!(f.programs(), ["lvchange", "lvs"]);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            r.iter().map(|r| r.action).collect::<Vec<_>>(),
            ["done", "already", "done"]
        );
        // A node that never comes: a bounded wait, then an error.
        let p = Plan {
            steps: vec![Step {
                name: "device",
                action: Some(Action::WaitFor {
                    path: dir.path().join("never"),
                    secs: 0,
                }),
            }],
            warnings: vec![],
        };
        let e = apply(&p, &FakeRunner::new(), &Ui::silent()).unwrap_err();
        assert!(format!("{e:#}").contains("did not appear within 0 s"));
    }

    fn monitored_lvs() -> String {
        r#"{"report":[{"lv":[{"lv_name":"thinpool","vg_name":"docker","lv_attr":"twi-a-tz--","seg_monitor":"monitored","lv_uuid":"u","lv_size":"1","segtype":"thin-pool","pool_lv":"","lv_metadata_size":"","lv_profile":"","lv_active":"active","data_percent":"","metadata_percent":"","lv_when_full":"","lv_health_status":"","chunk_size":"0","zero":"","devices":""}]}]}"#.to_string()
    }

    #[test]
    fn unit_steps_with_and_without_systemd() {
        let mut s = settings(Target::ContainerdDevmapper);
        s.install_unit = true;
        let mut pr = done_pool(&s);
        pr.containerd_config = Some(
            crate::containerd::merge_devmapper(None, &s.devmapper_want())
                .unwrap()
                .text,
        );
        pr.exe = "/usr/local/bin/dmctl".into();
        let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
        assert_eq!(names(&p), ["unit-file"]);
        assert!(p
            .warnings
            .iter()
            .any(|w| w.contains("systemd is not PID 1")));
        pr.systemd = true;
        pr.unit_enabled = Some(false);
        let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
        assert_eq!(names(&p), ["unit-file", "unit-reload", "unit-enable"]);
        assert!(describe(&p).contains("systemctl enable dmctl-activate.service"));
        pr.unit = Some(overlay::unit_text(
            "/usr/local/bin/dmctl",
            "docker",
            "thinpool",
            &[],
        ));
        pr.unit_enabled = Some(true);
        assert!(!plan(Scope::Setup, &pr, &s, Some(Path::new(DEV)))
            .unwrap()
            .changes());
    }
}
