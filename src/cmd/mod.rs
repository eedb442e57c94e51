//! One module per subcommand, each with one entry function `run`. What
//! they share lives here: the Ui, root and lock checks, the runner, the
//! tool check, and [`provision`] — the run of a command that builds or
//! wires the pool (setup and the step subcommands): every check before the
//! first write, the plan, then [`execute`].

pub mod activate;
pub mod containerd;
pub mod daemon_json;
pub mod data_lv;
pub mod doctor;
pub mod extend;
pub mod lvconvert;
pub mod lvcreate;
pub mod profile;
pub mod pvcreate;
pub mod setup;
pub mod status;
pub mod teardown;
pub mod vgcreate;

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::{Format, GlobalOpts, PoolOpts, TargetKind};
use crate::config::{self, Settings};
use crate::device::{self, Problem};
use crate::engine::{self, Plan, Runner, StepReport, SystemRunner};
use crate::error::{exit, refused};
use crate::facts::{self, Facts};
use crate::tools;
use crate::ui::{Ui, Verbosity};

/// The Ui for the global flags.
pub fn ui(g: &GlobalOpts) -> Ui {
    Ui::new(if g.quiet {
        Verbosity::Quiet
    } else if g.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    })
}

/// Refuse unless running as root.
pub fn require_root(what: &str) -> Result<()> {
    if nix::unistd::geteuid().is_root() {
        Ok(())
    } else {
        Err(refused(format!(
            "dmctl {what} must run as root (it drives lvm2 and writes /etc): try `sudo dmctl {what} ...`"
        )))
    }
}

/// Take dmctl's lock (commands that change things), saying so when another
/// run holds it.
pub fn lock(g: &GlobalOpts, ui: &Ui) -> Result<crate::lock::Lock> {
    let path = crate::lock::lock_path();
    crate::lock::acquire(
        &path,
        std::time::Duration::from_secs(g.lock_timeout),
        || {
            ui.info(&format!(
                "waiting for another dmctl run ({})",
                path.display()
            ))
        },
    )
}

/// The runner of a command that changes things. Without udevd, lvm runs
/// with `DM_DISABLE_UDEV=1` (it creates the /dev nodes itself); the second
/// value says so.
pub fn runner(ui: &Ui) -> (SystemRunner<'_>, bool) {
    let mut sys = SystemRunner::new(ui);
    let no_udev = !facts::udev_running();
    if no_udev {
        sys.set_env("DM_DISABLE_UDEV", "1");
    }
    (sys, no_udev)
}

/// A problem for each missing tool.
pub fn missing_tools(names: &[&str], why: &str) -> Vec<Problem> {
    names
        .iter()
        .filter(|t| tools::find(t).is_none())
        .map(|t| Problem {
            problem: format!(
                "`{t}` not found in PATH or {}{why}",
                tools::SBIN_DIRS.join(", ")
            ),
            fix: format!("install {}", tools::package_of(t)),
            forceable: false,
        })
        .collect()
}

/// Refuse (nothing changed) when one of the tools is missing.
pub fn require_tools(names: &[&str]) -> Result<()> {
    match names.iter().find(|t| tools::find(t).is_none()) {
        None => Ok(()),
        Some(t) => Err(refused(format!(
            "`{t}` not found in PATH or {}: install {}",
            tools::SBIN_DIRS.join(", "),
            tools::package_of(t)
        ))),
    }
}

/// All problems in one refusal.
pub fn refusal_report(what: &str, problems: &[Problem]) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    refused(format!(
        "refusing {what}; nothing was changed:\n{}",
        lines.join("\n")
    ))
}

/// What [`execute`] did.
pub struct Outcome {
    pub steps: Vec<StepReport>,
    pub warnings: Vec<String>,
    pub changed: bool,
}

/// The common tail: warnings, the dry-run listing, apply.
pub fn execute(
    g: &GlobalOpts,
    ui: &Ui,
    r: &dyn Runner,
    plan: &Plan,
    what: &str,
    mut warnings: Vec<String>,
) -> Result<Outcome> {
    warnings.extend(plan.warnings.iter().cloned());
    for w in &warnings {
        ui.warn(w);
    }
    if g.dry_run && g.format == Format::Human {
        print!("{}", engine::describe(plan));
    }
    let applied = engine::apply(plan, r, ui, g.dry_run)
        .with_context(|| format!("dmctl {what} did not finish"))?;
    for w in &applied.warnings {
        ui.warn(w);
    }
    warnings.extend(applied.warnings);
    Ok(Outcome {
        steps: applied.steps,
        warnings,
        changed: plan.changes(),
    })
}

/// A command that builds or wires the pool.
pub struct Job<'a> {
    /// The subcommand's name.
    pub name: &'static str,
    /// Programs it needs before anything else.
    pub tools: &'static [&'static str],
    /// The disk, for the commands that take one.
    pub device: Option<&'a Path>,
    pub force: bool,
    /// It creates or activates a pool: the kernel's thin target must exist.
    pub needs_thin_target: bool,
    /// It wires a runtime: the versions its target may ask for are probed
    /// in the background from the start ([`crate::targets::version_probes`]).
    pub wires_runtime: bool,
    /// Flags as the config model.
    pub flags: PoolOpts,
}

/// What a job's planner gets.
pub struct Ctx<'f, 'r> {
    pub facts: &'f Facts<'r>,
    /// The canonical disk path, when the job takes one.
    pub device: Option<PathBuf>,
    /// `--force` accepted old signatures: wipe them first.
    pub wipe: bool,
}

/// The `--format json` document of setup and the step subcommands: the
/// contract Ansible's `changed_when` reads. Fields are only ever added.
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

/// Run a job: settings, root, lock, tools, device and kernel checks (all
/// in one report, before anything is written), then `planner`, then
/// [`execute`]. `planner` returns the plan and the target it wires.
pub fn provision(
    g: &GlobalOpts,
    job: Job,
    adjust: impl FnOnce(&mut Settings),
    planner: impl FnOnce(&Ctx, &Settings) -> Result<(Plan, TargetKind)>,
) -> Result<i32> {
    let mut s = config::settings(g.config.as_deref(), &job.flags)?;
    adjust(&mut s);
    require_root(job.name)?;
    let ui = ui(g);
    let _lock = lock(g, &ui)?;
    let (r, no_udev) = runner(&ui);
    let mut warnings = Vec::new();
    if no_udev {
        warnings.push(
            "udevd is not running: dmctl runs lvm with DM_DISABLE_UDEV=1 (lvm creates the /dev nodes \
             itself); Docker's devicemapper driver needs udev sync and will not start without udevd"
                .into(),
        );
    }
    let mut problems = missing_tools(job.tools, "");
    if !problems.is_empty() {
        return Err(refusal_report(job.name, &problems));
    }
    let mut f = Facts::new(&r);
    f.use_version_cache(Path::new(facts::VERSION_CACHE));
    if job.wires_runtime {
        f.prefetch_versions(crate::targets::version_probes(s.target));
    }
    f.lvm_only_under(&crate::dm::dm_name(&s.vg, &s.pool), job.device);
    f.lvm()?;
    let mut ctx = Ctx {
        facts: &f,
        device: None,
        wipe: false,
    };
    if let Some(dev) = job.device {
        let d = f.device(dev, Some(&s.vg))?;
        let found = device::check(d, f.lvm()?, &s.vg);
        ctx.wipe = job.force && device::needs_wipe(&found);
        problems.extend(found.into_iter().filter(|p| !(job.force && p.forceable)));
        ctx.device = Some(d.path.clone());
        if !problems.is_empty() {
            return Err(refusal_report(
                &format!("to use {}", dev.display()),
                &problems,
            ));
        }
    }
    if job.needs_thin_target {
        match f.thin_target() {
            Ok(true) => {}
            Ok(false) => problems.push(Problem {
                problem: "the kernel has no dm-thin target".into(),
                fix: "`modprobe dm_thin_pool` (package: the kernel's modules)".into(),
                forceable: false,
            }),
            Err(e) => problems.push(Problem {
                problem: format!("device-mapper is not usable: {e:#}"),
                fix: "load it with `modprobe dm_mod` (a kernel with device-mapper is needed)"
                    .into(),
                forceable: false,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(refusal_report(job.name, &problems));
    }
    let (plan, target) = planner(&ctx, &s)?;
    let out = execute(g, &ui, &r, &plan, job.name, warnings)?;
    let report = SetupReport {
        target: target.as_str(),
        changed: out.changed,
        dry_run: g.dry_run,
        steps: out.steps,
        pool: PoolReport {
            vg: s.vg.clone(),
            pool: s.pool.clone(),
            device: ctx.device.clone(),
            dm_name: crate::dm::dm_name(&s.vg, &s.pool),
            thinpooldev: s.thinpooldev(),
            profile: s.profile_name(),
            profile_path: s.profile_path(),
            daemon_json: s.daemon_json.clone(),
            data_percent: s.data_percent,
            chunk_size: s.chunk_size,
        },
        warnings: out.warnings,
        lvm_processes: engine::lvm_processes(&r.history()),
    };
    match g.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human | Format::Prometheus => {
            let verb = match (g.dry_run, out.changed) {
                (_, false) if job.name == "activate" => "already active, nothing changed",
                (true, true) => "would change",
                (true, false) | (false, false) => "already done, nothing changed",
                (false, true) => "done",
            };
            ui.info(&format!(
                "dmctl {}: {verb} ({} -> {})",
                job.name,
                s.pool_path(),
                s.thinpooldev()
            ));
        }
    }
    Ok(exit::OK)
}

/// A step subcommand of the classic recipe (pvcreate, vgcreate, lvcreate,
/// lvconvert, profile): its job, then the pool planner for `step`.
pub fn pool_step(g: &GlobalOpts, job: Job, step: crate::pool::PoolStep) -> Result<i32> {
    provision(
        g,
        job,
        |_| {},
        |ctx, s| {
            let mut p =
                crate::pool::plan_step(step, ctx.facts, s, ctx.device.as_deref(), ctx.wipe)?;
            if step == crate::pool::PoolStep::Profile {
                crate::pool::monitoring_warnings(&mut p, s);
            }
            Ok((p, configured_target(s)))
        },
    )
}

/// The target named on the command line or in the config, else
/// docker-devicemapper (for the steps that do not wire a runtime).
pub fn configured_target(s: &Settings) -> TargetKind {
    s.target.unwrap_or(TargetKind::DockerDevicemapper)
}
