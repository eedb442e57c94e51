//! The doctor: everything it looks at ([`Evidence`], gathered from the
//! host's [`HostFacts`] by [`gather`]), the checks over it (in
//! [`checks`]), and the verdict. `dmctl doctor` prints it.

pub mod checks;
pub mod collect;
pub mod docker_info;
pub mod from;
pub mod lvs;

use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::GlobalOpts;
use crate::config::Settings;
use crate::docker::flags::{self, FlagScan};
use crate::docker::version::DockerVersion;
use crate::error::exit;
use crate::facts::Facts as HostFacts;
use crate::status::{self, StatusReport};
use crate::tools;

pub use checks::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    /// A fact worth knowing that is no risk yet (exit 0).
    Note,
    Warn,
    Critical,
}

impl Severity {
    pub fn exit_code(self) -> i32 {
        match self {
            Severity::Ok | Severity::Note => exit::OK,
            Severity::Warn => exit::DOCTOR_WARN,
            Severity::Critical => exit::DOCTOR_CRITICAL,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable id, e.g. `pool.data_usage`.
    pub check: &'static str,
    /// One line: what is wrong (or what is fine).
    pub message: String,
    /// Exact commands that fix it, in order (empty when ok).
    pub fix: Vec<String>,
}

/// Everything doctor looks at, gathered from the host's [`HostFacts`]
/// (and, later, from pasted tool output).
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The pool's status, or why no pool could be reported.
    pub pool: Option<StatusReport>,
    pub pool_error: Option<String>,
    pub settings: Option<Settings>,
    /// Tools found.
    pub lvm: bool,
    pub thin_check: bool,
    pub dmeventd: bool,
    /// `dmsetup targets` lists thin-pool (None: could not ask).
    pub thin_target: Option<bool>,
    /// The dm_thin_pool module file exists for the running kernel.
    pub thin_module: bool,
    pub daemon_json_path: PathBuf,
    pub daemon_json: Option<String>,
    pub flags: FlagScan,
    pub dockerd: Option<DockerVersion>,
    /// Docker's loop-lvm data file, when it exists.
    pub loop_file: Option<PathBuf>,
    /// `docker info`, when doctor was given it (`--from`).
    pub docker_info: Option<docker_info::DockerInfo>,
    /// Offline (`--from`): which facts the input held. None on the host,
    /// where every fact is probed.
    pub offline: Option<Known>,
}

/// Which facts pasted input held (`doctor --from`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Known {
    /// LVM's LV rows (lvs or lvm fullreport).
    pub lvm: bool,
    /// LVM's VG rows (size, free): lvm fullreport or vgs.
    pub vg: bool,
    /// seg_monitor.
    pub monitor: bool,
    /// Which profile is attached, and its text when one is.
    pub profile: bool,
    /// The kernel's thin-pool status line (dmsetup status).
    pub kernel: bool,
    /// Data and metadata use (dmsetup status, lvs or docker info).
    pub usage: bool,
    /// Something names the pool (LVM, dmsetup, docker info).
    pub pool: bool,
    pub daemon_json: bool,
    pub containerd_config: bool,
    pub docker_info: bool,
    /// dockerd's version (docker info or `dockerd --version`).
    pub dockerd: bool,
}

/// A check that could not run offline, and the input it needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotRun {
    pub check: &'static str,
    pub needs: &'static str,
}

/// Every finding id, in [`diagnose`]'s order.
pub const CHECK_IDS: &[&str] = &[
    "host.lvm",
    "pool.found",
    "pool.active",
    "pool.mode",
    "pool.needs_check",
    "pool.data_usage",
    "pool.metadata_usage",
    "pool.monitoring",
    "pool.profile",
    "vg.free",
    "boot.activation_unit",
    "target.docker-devicemapper",
    "target.containerd-devmapper",
    "target.docker-overlay2",
    "host.thin_check",
    "host.dm_thin_pool",
    "docker.loop_lvm",
    "docker.daemon_json",
    "docker.thinpooldev",
    "docker.flags",
    "docker.version",
    "docker.info",
    "docker.udev_sync",
    "docker.free_space",
];

/// Offline, whether check `id` can run on what the input holds; Err: the
/// input it needs.
pub fn runnable(id: &str, k: &Known) -> Result<(), &'static str> {
    let need = |ok: bool, what: &'static str| if ok { Ok(()) } else { Err(what) };
    match id {
        "host.lvm"
        | "host.thin_check"
        | "boot.activation_unit"
        | "docker.flags"
        | "target.docker-overlay2" => Err("the host itself (run `dmctl doctor` there)"),
        "pool.found" => need(k.pool, "lvs, lvm fullreport, dmsetup status or docker info"),
        "pool.active" | "pool.mode" => need(k.lvm || k.kernel, "dmsetup status or lvs"),
        "pool.needs_check" | "host.dm_thin_pool" => need(k.kernel, "dmsetup status"),
        "pool.data_usage" | "pool.metadata_usage" => {
            need(k.usage, "dmsetup status, lvs or docker info")
        }
        "pool.monitoring" => need(k.monitor, "lvm fullreport (or lvs -o +seg_monitor)"),
        "pool.profile" => need(
            k.profile,
            "lvm fullreport (lv_profile) and the profile file it names",
        ),
        "vg.free" => need(
            k.vg && k.usage && k.profile,
            "lvm fullreport, dmsetup status and the profile",
        ),
        "target.docker-devicemapper" => need(k.daemon_json && k.pool, "daemon.json and the pool"),
        "target.containerd-devmapper" => {
            need(k.containerd_config && k.pool, "config.toml and the pool")
        }
        "docker.loop_lvm" | "docker.info" | "docker.udev_sync" | "docker.free_space" => {
            need(k.docker_info, "docker info")
        }
        "docker.daemon_json" => need(k.daemon_json, "daemon.json"),
        "docker.thinpooldev" => need(k.daemon_json && k.pool, "daemon.json and the pool"),
        "docker.version" => need(
            k.dockerd && (k.daemon_json || k.docker_info),
            "docker info (or dockerd --version and daemon.json)",
        ),
        _ => Ok(()),
    }
}

/// The findings, and offline the checks that could not run. On the host
/// (`offline` None) this is [`diagnose`].
pub fn judge(f: &Evidence) -> (Vec<Finding>, Vec<NotRun>) {
    let all = diagnose(f);
    let Some(k) = &f.offline else {
        return (all, Vec::new());
    };
    let findings = all
        .into_iter()
        .filter(|x| runnable(x.check, k).is_ok())
        .collect();
    let not_run = CHECK_IDS
        .iter()
        .filter_map(|id| {
            runnable(id, k)
                .err()
                .map(|needs| NotRun { check: id, needs })
        })
        .collect();
    (findings, not_run)
}

/// All findings, in a stable order.
pub fn diagnose(f: &Evidence) -> Vec<Finding> {
    let mut v = Vec::new();
    v.extend(check_pool(f));
    v.extend(check_usage(f));
    v.extend(check_monitoring(f));
    v.extend(check_profile(f));
    v.extend(check_vg_free(f));
    v.extend(check_boot(f));
    v.extend(check_targets(f));
    v.extend(check_host(f));
    v.extend(check_docker(f));
    v.extend(check_docker_info(f));
    v
}

pub fn worst(findings: &[Finding]) -> Severity {
    findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Ok)
}

/// Gather facts. A probe that fails becomes a finding, not an error.
pub fn gather(g: &GlobalOpts, f: &HostFacts, pool_flag: Option<&str>) -> Result<Evidence> {
    let mut ev = Evidence {
        lvm: tools::find("lvm").is_some(),
        thin_check: tools::find("thin_check").is_some(),
        dmeventd: tools::find("dmeventd").is_some(),
        thin_module: crate::facts::thin_module_available(),
        ..Default::default()
    };
    match status::hints(g, f, pool_flag, "doctor") {
        Ok((s, h)) => {
            ev.daemon_json_path = s.daemon_json.clone();
            ev.daemon_json = f.file(&s.daemon_json)?;
            match status::locate(f.lvm()?, &h) {
                Ok(Some((vg, pool, by))) => match status::report(f, &s, &vg, &pool, by, "doctor") {
                    Ok(rep) => ev.pool = Some(rep),
                    Err(e) => ev.pool_error = Some(format!("{e:#}")),
                },
                Ok(None) => {}
                Err(e) => ev.pool_error = Some(format!("{e:#}")),
            }
            ev.settings = Some(s);
        }
        Err(e) => {
            ev.pool_error = Some(format!("{e:#}"));
            if let Ok((s, _)) = status::file_settings(g) {
                ev.daemon_json_path = s.daemon_json.clone();
                ev.daemon_json = f.file(&s.daemon_json).ok().flatten();
            }
        }
    }
    if ev.pool.as_ref().is_some_and(|p| p.active) {
        ev.thin_target = Some(true);
    } else {
        ev.thin_target = f.thin_target_loaded().ok();
    }
    ev.flags = flags::scan_storage_flags(Path::new("/"));
    ev.dockerd = f.dockerd().cloned();
    let data_root = ev
        .daemon_json
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| {
            v.get("data-root")
                .and_then(|d| d.as_str())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("/var/lib/docker"));
    let loop_file = data_root.join("devicemapper/devicemapper/data");
    ev.loop_file = loop_file.exists().then_some(loop_file);
    Ok(ev)
}

pub fn render_human(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let tag = match f.severity {
            Severity::Ok => "ok      ",
            Severity::Note => "note    ",
            Severity::Warn => "WARN    ",
            Severity::Critical => "CRITICAL",
        };
        s.push_str(&format!("{tag} {:<22} {}\n", f.check, f.message));
        for c in &f.fix {
            s.push_str(&format!("         fix: {c}\n"));
        }
    }
    s
}
