//! `dmctl setup DEVICE` and the six step subcommands: check everything,
//! plan the missing steps, apply them (or show them with --dry-run).

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::{Format, GlobalOpts, PoolOpts, Target};
use crate::config::{self, Settings};
use crate::device::{self, Problem};
use crate::docker::{flags, version};
use crate::error::{exit, refused};
use crate::exec::{self, Cmd, Runner};
use crate::fsutil;
use crate::lvm;
use crate::plan::{self, Probe, Scope, StepReport};
use crate::tools;
use crate::ui::Ui;

/// The `--format json` document: the contract Ansible's `changed_when`
/// reads. Fields are only ever added.
#[derive(Serialize)]
pub struct SetupReport {
    /// What the pool is wired to (`--target`, or the default chosen).
    pub target: &'static str,
    pub changed: bool,
    pub dry_run: bool,
    pub steps: Vec<StepReport>,
    pub pool: PoolReport,
    pub warnings: Vec<String>,
    /// lvm2 processes spawned by this run.
    pub lvm_processes: usize,
}

#[derive(Serialize)]
pub struct PoolReport {
    pub vg: String,
    pub pool: String,
    pub device: Option<PathBuf>,
    pub dm_name: String,
    pub thinpooldev: String,
    pub profile: String,
    pub profile_path: PathBuf,
    pub daemon_json: PathBuf,
    pub data_percent: u8,
    pub chunk_size: u64,
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Setup => "setup",
        Scope::Pvcreate => "pvcreate",
        Scope::Vgcreate => "vgcreate",
        Scope::Lvcreate => "lvcreate",
        Scope::Lvconvert => "lvconvert",
        Scope::Profile => "profile",
        Scope::DaemonJson => "daemon-json",
        Scope::ContainerdConfig => "containerd",
        Scope::DataLv => "data-lv",
        Scope::Activate => "activate",
    }
}

/// The tools a scope needs.
fn needed_tools(scope: Scope) -> &'static [&'static str] {
    match scope {
        Scope::Setup => tools::SETUP_TOOLS,
        Scope::Pvcreate => &["lvm", "pvcreate", "wipefs"],
        Scope::Vgcreate => &["lvm", "vgcreate", "wipefs"],
        Scope::Lvcreate => &["lvm", "lvcreate", "dmsetup"],
        Scope::Lvconvert => &["lvm", "lvconvert", "dmsetup", "thin_check"],
        Scope::Profile => &["lvm", "lvchange", "lvs"],
        Scope::DaemonJson | Scope::ContainerdConfig => &["lvm"],
        Scope::DataLv => &["lvm", "lvcreate", "mkfs.xfs", "blkid", "mount"],
        Scope::Activate => &["lvm", "lvchange", "thin_check", "dmsetup"],
    }
}

/// Tools a target's last steps need on top of the scope's.
fn target_tools(t: Target) -> &'static [&'static str] {
    match t {
        Target::DockerOverlay2 => &["mkfs.xfs", "blkid", "mount"],
        _ => &[],
    }
}

/// How a scope is run (the parts that are not pool settings).
#[derive(Debug, Clone, Copy)]
pub struct RunOpts<'a> {
    pub device: Option<&'a Path>,
    pub force: bool,
    pub install_unit: bool,
    /// `activate --wait`.
    pub wait: u64,
}

impl Default for RunOpts<'_> {
    fn default() -> Self {
        RunOpts {
            device: None,
            force: false,
            install_unit: false,
            wait: 30,
        }
    }
}

/// udevd is running when its control socket exists.
pub fn udev_running() -> bool {
    Path::new("/run/udev/control").exists()
}

/// The kernel's dm-thin target, loading the module if needed (not in a
/// dry run). Returns a problem when it is not available.
fn check_thin_target(r: &dyn Runner, dry: bool) -> Option<Problem> {
    let has = |r: &dyn Runner| {
        exec::run(r, &Cmd::new("dmsetup").arg("targets")).map(|o| {
            o.stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some("thin-pool"))
        })
    };
    match has(r) {
        Ok(true) => return None,
        Ok(false) if !dry => {
            let _ = r.exec(&Cmd::mutating("modprobe").arg("dm_thin_pool"));
            if let Ok(true) = has(r) {
                return None;
            }
        }
        Ok(false) => {}
        Err(e) => {
            return Some(Problem {
                problem: format!("device-mapper is not usable: {e:#}"),
                fix: "load it with `modprobe dm_mod` (a kernel with device-mapper is needed)"
                    .into(),
                forceable: false,
            })
        }
    }
    Some(Problem {
        problem: "the kernel has no dm-thin target".into(),
        fix: "`modprobe dm_thin_pool` (package: the kernel's modules)".into(),
        forceable: false,
    })
}

/// Storage options given as dockerd flags (the Docker targets).
fn docker_problems() -> Vec<Problem> {
    let mut v = Vec::new();
    for c in flags::find_storage_flags(Path::new("/")) {
        v.push(Problem {
            problem: format!(
                "{}:{} passes {} to dockerd ({}); with daemon.json storage settings dockerd will not start",
                c.file.display(),
                c.line,
                c.flag,
                c.text
            ),
            fix: "remove the flag from that line (keep storage settings in daemon.json only), \
                  then `systemctl daemon-reload`"
                .into(),
            forceable: false,
        });
    }
    v
}

/// dockerd's presence and version.
fn probe_dockerd(r: &dyn Runner, probe: &mut Probe) {
    probe.dockerd_installed = tools::find("dockerd").is_some();
    if probe.dockerd_installed {
        if let Ok(o) = r.exec(&Cmd::new("dockerd").arg("--version")) {
            if o.status == 0 {
                probe.dockerd = version::parse_dockerd_version(&o.stdout);
            }
        }
    }
}

/// `maj:min` of a device node.
fn devnum(path: &Path) -> Option<String> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let m = std::fs::metadata(path).ok()?;
    m.file_type().is_block_device().then(|| {
        let rdev = m.rdev();
        format!(
            "{}:{}",
            nix::sys::stat::major(rdev),
            nix::sys::stat::minor(rdev)
        )
    })
}

/// fstab, the data root's mount and content, the data LV's filesystem.
fn probe_overlay(r: &dyn Runner, s: &Settings, probe: &mut Probe) -> Result<()> {
    probe.fstab = fsutil::read_optional(Path::new(plan::FSTAB))?;
    let mountinfo =
        std::fs::read_to_string("/proc/self/mountinfo").context("reading /proc/self/mountinfo")?;
    probe.data_root_mount = crate::overlay::find_mount(&mountinfo, &s.data_root);
    let dev = PathBuf::from(s.data_lv_dev());
    probe.data_lv_devnum = devnum(&dev);
    probe.data_root_entries = match std::fs::read_dir(&s.data_root) {
        Ok(rd) => Some(
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "lost+found")
                .collect(),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", s.data_root.display())),
    };
    if probe.data_lv_devnum.is_some() {
        // blkid exits 2 when it finds no signature.
        let o = r.exec(
            &Cmd::new("blkid")
                .args(["-p", "-o", "value", "-s", "TYPE"])
                .arg(dev.to_string_lossy()),
        )?;
        let t = o.stdout.trim();
        probe.data_lv_fs = (o.status == 0 && !t.is_empty()).then(|| t.to_string());
    }
    Ok(())
}

/// The boot unit's file, systemd, and whether the unit is enabled.
fn probe_unit(r: &dyn Runner, probe: &mut Probe) -> Result<()> {
    probe.unit = fsutil::read_optional(Path::new(crate::overlay::UNIT_PATH))?;
    probe.systemd = Path::new("/run/systemd/system").is_dir();
    probe.exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "/usr/local/bin/dmctl".into());
    if probe.systemd && tools::find("systemctl").is_some() {
        let o = r.exec(&Cmd::new("systemctl").args(["is-enabled", crate::overlay::UNIT_NAME]))?;
        probe.unit_enabled = Some(o.status == 0 && o.stdout.trim() == "enabled");
    }
    Ok(())
}

fn refusal_report(what: &str, problems: &[Problem]) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    refused(format!(
        "refusing {what}; nothing was changed:\n{}",
        lines.join("\n")
    ))
}

/// Run `scope`.
pub fn run(g: &GlobalOpts, scope: Scope, o: &RunOpts, opts: &PoolOpts) -> Result<i32> {
    let (device, force) = (o.device, o.force);
    let name = scope_name(scope);
    let mut s = config::settings(g.config.as_deref(), opts)?;
    s.install_unit = o.install_unit;
    s.activate_wait = o.wait;
    crate::cmd::require_root(name)?;
    let ui = crate::cmd::ui(g);
    let _lock = crate::cmd::lock(g, &ui)?;

    let mut warnings = Vec::new();
    let (runners, no_udev) = crate::cmd::Runners::new(g, &ui);
    let r = runners.get();
    if no_udev {
        warnings.push(
            "udevd is not running: dmctl runs lvm with DM_DISABLE_UDEV=1 (lvm creates the /dev nodes \
             itself); Docker's devicemapper driver needs udev sync and will not start without udevd"
                .into(),
        );
    }

    // Every check before the first write, in one report.
    let mut problems: Vec<Problem> = needed_tools(scope)
        .iter()
        .filter(|t| tools::find(t).is_none())
        .map(|t| Problem {
            problem: format!("`{t}` not found in PATH or {}", tools::SBIN_DIRS.join(", ")),
            fix: format!("install {}", tools::package_of(t)),
            forceable: false,
        })
        .collect();
    if !problems.is_empty() {
        return Err(refusal_report(name, &problems));
    }
    let lvm_state = lvm::probe(r)?;
    let mut probe = Probe {
        lvm: lvm_state,
        ..Default::default()
    };
    let mut canon = None;
    if let Some(dev) = device {
        let facts = device::gather(r, dev)?;
        probe.device_size = facts.size;
        let found = device::check(&facts, &probe.lvm, &s.vg);
        probe.wipe = force && device::needs_wipe(&found);
        problems.extend(found.into_iter().filter(|p| !(force && p.forceable)));
        canon = Some(facts.path);
    }
    if !problems.is_empty() {
        let what = match device {
            Some(d) => format!("to use {}", d.display()),
            None => name.to_string(),
        };
        return Err(refusal_report(&what, &problems));
    }
    finish(g, &ui, r, scope, &s, canon.as_deref(), probe, warnings)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    g: &GlobalOpts,
    ui: &Ui,
    r: &dyn Runner,
    scope: Scope,
    s: &Settings,
    device: Option<&Path>,
    mut probe: Probe,
    mut warnings: Vec<String>,
) -> Result<i32> {
    let mut problems = Vec::new();
    if matches!(
        scope,
        Scope::Setup | Scope::Lvcreate | Scope::Lvconvert | Scope::Activate
    ) {
        problems.extend(check_thin_target(r, g.dry_run));
    }
    if matches!(scope, Scope::Setup | Scope::DaemonJson) {
        probe_dockerd(r, &mut probe);
    }
    // The target decides the last steps; a refusal here changes nothing.
    let target = match scope {
        Scope::Setup | Scope::DaemonJson => plan::resolve_target(s.target, &probe)?.0,
        Scope::ContainerdConfig => Target::ContainerdDevmapper,
        Scope::DataLv => Target::DockerOverlay2,
        _ => s.target.unwrap_or(Target::DockerDevicemapper),
    };
    if matches!(scope, Scope::Setup | Scope::DaemonJson)
        && matches!(target, Target::DockerDevicemapper | Target::DockerOverlay2)
    {
        problems.extend(docker_problems());
        probe.daemon_json = fsutil::read_optional(&s.daemon_json)?;
    }
    if scope == Scope::Setup {
        problems.extend(
            target_tools(target)
                .iter()
                .filter(|t| tools::find(t).is_none())
                .map(|t| Problem {
                    problem: format!("`{t}` not found (needed by --target {})", target.as_str()),
                    fix: format!("install {}", tools::package_of(t)),
                    forceable: false,
                }),
        );
    }
    if matches!(scope, Scope::Setup | Scope::ContainerdConfig)
        && target == Target::ContainerdDevmapper
    {
        probe.containerd_config = fsutil::read_optional(&s.containerd_config)?;
    }
    if (matches!(scope, Scope::Setup) && target == Target::DockerOverlay2)
        || matches!(scope, Scope::DataLv | Scope::Activate)
    {
        probe_overlay(r, s, &mut probe)?;
    }
    if scope == Scope::Setup && s.install_unit {
        probe_unit(r, &mut probe)?;
    }
    if !problems.is_empty() {
        return Err(refusal_report(scope_name(scope), &problems));
    }
    if matches!(scope, Scope::Setup | Scope::Profile) {
        probe.profile = fsutil::read_optional(&s.profile_path())?;
        if tools::find("dmeventd").is_none() {
            warnings.push(
                "dmeventd is not installed: the pool will NOT be monitored and autoextend will \
                 never fire; install dmeventd (lvm2)"
                    .into(),
            );
        }
        if s.profile_dir != Path::new("/etc/lvm/profile") {
            warnings.push(format!(
                "profile dir {} is not LVM's default: set config/profile_dir in lvm.conf to it, \
                 or dmeventd will not find the profile",
                s.profile_dir.display()
            ));
        }
    }
    let plan = plan::plan(scope, &probe, s, device)?;
    warnings.extend(plan.warnings.iter().cloned());
    for w in &warnings {
        ui.warn(w);
    }
    if g.dry_run && g.format == Format::Human {
        print!("{}", plan::describe(&plan));
    }
    let (steps, more) = plan::apply(&plan, r, ui)
        .with_context(|| format!("dmctl {} did not finish", scope_name(scope)))?;
    for w in &more {
        ui.warn(w);
    }
    warnings.extend(more);
    let changed = plan.changes();
    let report = SetupReport {
        target: target.as_str(),
        changed,
        dry_run: g.dry_run,
        steps,
        pool: PoolReport {
            vg: s.vg.clone(),
            pool: s.pool.clone(),
            device: device.map(Path::to_path_buf),
            dm_name: crate::dm::dm_name(&s.vg, &s.pool),
            thinpooldev: s.thinpooldev(),
            profile: s.profile_name(),
            profile_path: s.profile_path(),
            daemon_json: s.daemon_json.clone(),
            data_percent: s.data_percent,
            chunk_size: s.chunk_size,
        },
        warnings,
        lvm_processes: exec::lvm_processes(&r.history()),
    };
    match g.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human | Format::Prometheus => {
            let verb = match (g.dry_run, changed) {
                (_, _) if scope == Scope::Activate && !changed => "already active, nothing changed",
                (true, true) => "would change",
                (true, false) | (false, false) => "already done, nothing changed",
                (false, true) => "done",
            };
            ui.info(&format!(
                "dmctl {}: {verb} ({} -> {})",
                scope_name(scope),
                s.pool_path(),
                s.thinpooldev()
            ));
        }
    }
    Ok(exit::OK)
}
