//! `dmctl setup DEVICE` and the six step subcommands: check everything,
//! plan the missing steps, apply them (or show them with --dry-run).

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::{Format, GlobalOpts, PoolOpts};
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
        Scope::DaemonJson => &["lvm"],
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

/// Problems with the Docker side: dockerd too new for devicemapper, or
/// storage options given as dockerd flags.
fn docker_problems(r: &dyn Runner, warnings: &mut Vec<String>) -> Vec<Problem> {
    let mut v = Vec::new();
    if tools::find("dockerd").is_some() {
        match r.exec(&Cmd::new("dockerd").arg("--version")) {
            Ok(o) if o.status == 0 => match version::parse_dockerd_version(&o.stdout) {
                Some(ver) => match version::devicemapper_support(&ver) {
                    version::DmSupport::Removed => v.push(Problem {
                        problem: format!(
                            "dockerd {} has no devicemapper storage driver (removed in Docker 25); \
                             a devicemapper daemon.json would keep it from starting",
                            ver.raw
                        ),
                        fix: "keep the pool for containerd's devmapper snapshotter or overlay2 on a thin LV"
                            .into(),
                        forceable: false,
                    }),
                    version::DmSupport::RequiresExplicitDriver => warnings.push(format!(
                        "dockerd {} deprecates devicemapper: it only starts with the explicit \
                         storage-driver dmctl writes; plan a move before Docker 25",
                        ver.raw
                    )),
                    version::DmSupport::Supported => {}
                },
                None => warnings.push(format!(
                    "could not read dockerd's version from {:?}",
                    o.stdout.trim()
                )),
            },
            _ => warnings.push("`dockerd --version` failed; Docker's version is unknown".into()),
        }
    }
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

fn refusal_report(what: &str, problems: &[Problem]) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    refused(format!(
        "refusing {what}; nothing was changed:\n{}",
        lines.join("\n")
    ))
}

/// Run `scope`.
pub fn run(
    g: &GlobalOpts,
    scope: Scope,
    device: Option<&Path>,
    force: bool,
    opts: &PoolOpts,
) -> Result<i32> {
    let name = scope_name(scope);
    let s = config::settings(g.config.as_deref(), opts)?;
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
    if matches!(scope, Scope::Setup | Scope::Lvcreate | Scope::Lvconvert) {
        problems.extend(check_thin_target(r, g.dry_run));
    }
    if matches!(scope, Scope::Setup | Scope::DaemonJson) {
        problems.extend(docker_problems(r, &mut warnings));
        probe.daemon_json = fsutil::read_optional(&s.daemon_json)?;
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
