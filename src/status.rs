//! Where a pool stands: finding it ([`locate`]), the report ([`build`],
//! pure over LVM's and the kernel's output; [`report`] over [`Facts`]) and
//! its human and Prometheus renderings. `dmctl status` prints it; doctor,
//! extend and teardown find the pool with it.

use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::bootunit;
pub use crate::bootunit::UnitInfo;
use crate::cli::GlobalOpts;
use crate::config::{self, Settings};
use crate::dm::{self, PoolMode, PoolStatus};
use crate::docker::daemon_json;
use crate::error::refused;
use crate::facts::Facts;
use crate::lvm::size::{human, round_up};
use crate::lvm::{Lv, LvmState};
use crate::pool::profile::parse as parse_profile;
use crate::targets::{self, Wiring};

/// How the pool was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FoundBy {
    /// `--pool VG/LV`.
    #[serde(rename = "--pool")]
    Flag,
    /// daemon.json's `dm.thinpooldev`.
    #[serde(rename = "daemon.json")]
    DaemonJson,
    /// vg/pool from dmctl's config file.
    #[serde(rename = "config")]
    Config,
    /// The only thin pool on the host.
    #[serde(rename = "only-pool")]
    OnlyPool,
    /// The pool of the thin LV mounted at Docker's data root
    /// (docker-overlay2).
    #[serde(rename = "data-root")]
    DataRoot,
}

/// Where to look for the pool, in order.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// `--pool VG/LV`.
    pub flag: Option<String>,
    /// `dm.thinpooldev` from daemon.json, as written.
    pub thinpooldev: Option<String>,
    /// vg/pool when the config file names them.
    pub config: Option<(String, String)>,
    /// The pool of a thin LV mounted at Docker's data root.
    pub data_root: Option<(String, String)>,
    /// Fall back to the only thin pool on the host.
    pub any: bool,
}

/// Split `VG/LV`.
pub fn parse_pool_arg(s: &str) -> Result<(String, String)> {
    let (vg, lv) = s
        .split_once('/')
        .filter(|(v, l)| !v.is_empty() && !l.is_empty() && !l.contains('/'))
        .ok_or_else(|| {
            refused(format!(
                "--pool {s:?}: expected VG/LV, e.g. docker/thinpool"
            ))
        })?;
    for (kind, name) in [("VG", vg), ("pool", lv)] {
        config::check_lvm_name(kind, name).map_err(|e| refused(format!("--pool: {e}")))?;
    }
    Ok((vg.to_string(), lv.to_string()))
}

fn pool_list(lvm: &LvmState) -> String {
    lvm.thin_pools()
        .map(|l| format!("{}/{}", l.vg_name, l.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pool to report on, and how it was found. `Ok(None)` when `hints`
/// name no pool and `any` is false.
pub fn locate(lvm: &LvmState, h: &Hints) -> Result<Option<(String, String, FoundBy)>> {
    let must_exist = |vg: String, lv: String, by: FoundBy, what: String| match lvm.lv(&vg, &lv) {
        Some(l) if l.is_thin_pool() => Ok(Some((vg, lv, by))),
        Some(l) => Err(refused(format!(
            "{what} names {vg}/{lv}, which is not a thin pool (segment type {:?})",
            l.segtype
        ))),
        None => Err(refused(format!(
            "{what} names {vg}/{lv}, which LVM does not know{}",
            match pool_list(lvm) {
                p if p.is_empty() => "; there is no thin pool on this host: create one with \
                                          `dmctl setup DEVICE`"
                    .to_string(),
                p => format!("; thin pools on this host: {p}"),
            }
        ))),
    };
    if let Some(f) = &h.flag {
        let (vg, lv) = parse_pool_arg(f)?;
        return must_exist(vg, lv, FoundBy::Flag, "--pool".into());
    }
    if let Some(dev) = &h.thinpooldev {
        let (vg, lv) = dm::lv_of_mapper_path(dev).ok_or_else(|| {
            refused(format!(
                "daemon.json's dm.thinpooldev={dev} is not an LVM device name \
                 (/dev/mapper/<vg>-<lv>); fix it or pass --pool VG/LV"
            ))
        })?;
        return must_exist(
            vg,
            lv,
            FoundBy::DaemonJson,
            format!("daemon.json's dm.thinpooldev={dev}"),
        );
    }
    if let Some((vg, lv)) = &h.config {
        return must_exist(
            vg.clone(),
            lv.clone(),
            FoundBy::Config,
            "dmctl's config file".into(),
        );
    }
    if let Some((vg, lv)) = &h.data_root {
        return must_exist(
            vg.clone(),
            lv.clone(),
            FoundBy::DataRoot,
            "the thin LV mounted at Docker's data root".into(),
        );
    }
    if !h.any {
        return Ok(None);
    }
    let pools: Vec<&Lv> = lvm.thin_pools().collect();
    match pools.as_slice() {
        [] => Err(refused(
            "no thin pool found on this host (no dm.thinpooldev in daemon.json, no vg/pool in \
             dmctl's config): create one with `dmctl setup DEVICE`",
        )),
        [one] => Ok(Some((
            one.vg_name.clone(),
            one.name.clone(),
            FoundBy::OnlyPool,
        ))),
        _ => Err(refused(format!(
            "several thin pools on this host ({}) and nothing says which one Docker uses: \
             pass --pool VG/LV",
            pool_list(lvm)
        ))),
    }
}

/// Used and total bytes of the data or metadata space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Usage {
    /// None when the pool is inactive or failed.
    pub used_bytes: Option<u64>,
    pub total_bytes: u64,
    pub percent: Option<f64>,
}

impl Usage {
    fn new(used: Option<u64>, total: u64) -> Self {
        let percent = used
            .filter(|_| total > 0)
            .map(|u| (u as f64 * 10000.0 / total as f64).round() / 100.0);
        Usage {
            used_bytes: used,
            total_bytes: total,
            percent,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileInfo {
    /// The metadata profile attached to the pool (None: none attached).
    pub name: Option<String>,
    pub path: Option<PathBuf>,
    pub file_exists: bool,
    pub threshold: Option<u8>,
    pub percent: Option<u8>,
    /// Threshold below 100 and a percent above 0.
    pub autoextend: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceInfo {
    pub name: String,
    pub size_bytes: u64,
}

/// The `--format json` document of `dmctl status`. Fields are only ever
/// added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub vg: String,
    pub pool: String,
    pub dm_name: String,
    pub found_by: FoundBy,
    pub active: bool,
    /// `rw`, `ro`, `out_of_data_space`, `fail`, `error` or `inactive`.
    pub mode: String,
    pub needs_check: bool,
    /// `queue_if_no_space` or `error_if_no_space`.
    pub when_full: String,
    /// LVM's lv_health_status (`out_of_data`, `metadata_read_only`, …).
    pub health: String,
    pub transaction_id: Option<u64>,
    pub chunk_size_bytes: u64,
    pub data: Usage,
    pub metadata: Usage,
    pub monitored: bool,
    /// LVM's seg_monitor as printed (`monitored`, `not monitored`, empty
    /// when inactive).
    pub monitor: String,
    pub profile: ProfileInfo,
    pub vg_size_bytes: u64,
    pub vg_free_bytes: u64,
    /// What the next autoextend of data adds (None: autoextend is off).
    pub next_autoextend_bytes: Option<u64>,
    pub next_autoextend_metadata_bytes: Option<u64>,
    /// VG free space covers the next data autoextend step.
    pub vg_free_covers_next_autoextend: Option<bool>,
    pub devices: Vec<DeviceInfo>,
    pub thin_volumes: Vec<String>,
    /// Where usage came from: `dmsetup` (active) or `lvm` (inactive).
    pub source: &'static str,
    /// The boot activation unit (None: not looked at).
    pub activation_unit: Option<UnitInfo>,
    /// The targets wired to this pool on this host.
    pub targets: Vec<Wiring>,
}

impl StatusReport {
    pub fn pool_path(&self) -> String {
        format!("{}/{}", self.vg, self.pool)
    }
    pub fn read_only(&self) -> bool {
        matches!(self.mode.as_str(), "ro" | "fail" | "error")
    }
}

/// What LVM would add at the next autoextend: `percent` of `size`, rounded
/// up to whole extents.
pub fn autoextend_step(size: u64, percent: u8, extent: u64) -> u64 {
    let raw = (size as u128 * percent as u128).div_ceil(100) as u64;
    round_up(raw, extent.max(1))
}

/// Build the report for `vg/pool` from the probe, the full `dmsetup status`
/// output (None when not run: the pool is inactive) and the attached
/// profile's text (None when missing).
pub fn build(
    lvm: &LvmState,
    vg: &str,
    pool: &str,
    found_by: FoundBy,
    dm_status_all: Option<&str>,
    profile_dir: &Path,
    profile_text: Option<&str>,
) -> Result<StatusReport> {
    let lv = lvm
        .lv(vg, pool)
        .with_context(|| format!("LVM does not report {vg}/{pool}"))?;
    let v = lvm
        .vg(vg)
        .with_context(|| format!("LVM does not report VG {vg}"))?;
    let dm_name = dm::dm_name(vg, pool);
    let chunk = lv.chunk_size.unwrap_or(0);
    let line = dm_status_all.and_then(|s| dm::pool_status_line(s, &dm_name));
    let status = match line {
        Some(l) => Some(
            dm::parse_pool_status(l)
                .with_context(|| format!("reading `dmsetup status` of {dm_name}"))?,
        ),
        None => None,
    };
    // blocks x block size; only a corrupt status line overflows
    let bytes = |blocks: u64, size: u64| {
        blocks.checked_mul(size).with_context(|| {
            format!("`dmsetup status` of {dm_name}: {blocks} blocks of {size} bytes is beyond 2^64 bytes")
        })
    };
    let meta_total_lvm = lv.metadata_size.unwrap_or(0);
    let lvm_when_full = if lv.when_full == "error" {
        "error_if_no_space"
    } else {
        "queue_if_no_space"
    };
    let (active, mode, needs_check, when_full, txid, data, metadata, source) = match &status {
        Some(PoolStatus::Active(c)) => (
            true,
            match c.mode {
                PoolMode::Rw => "rw",
                PoolMode::Ro => "ro",
                PoolMode::OutOfDataSpace => "out_of_data_space",
            },
            c.needs_check,
            if c.error_if_no_space {
                "error_if_no_space"
            } else {
                "queue_if_no_space"
            },
            Some(c.transaction_id),
            Usage::new(
                Some(bytes(c.used_data_blocks, chunk)?),
                bytes(c.total_data_blocks, chunk)?,
            ),
            Usage::new(
                Some(bytes(c.used_metadata_blocks, dm::METADATA_BLOCK)?),
                bytes(c.total_metadata_blocks, dm::METADATA_BLOCK)?,
            ),
            "dmsetup",
        ),
        Some(PoolStatus::Error) => (
            true,
            "error",
            false,
            lvm_when_full,
            None,
            Usage::new(None, lv.size),
            Usage::new(None, meta_total_lvm),
            "dmsetup",
        ),
        Some(PoolStatus::Failed) => (
            true,
            "fail",
            false,
            lvm_when_full,
            None,
            Usage::new(None, lv.size),
            Usage::new(None, meta_total_lvm),
            "dmsetup",
        ),
        None => (
            false,
            "inactive",
            false,
            lvm_when_full,
            None,
            Usage::new(None, lv.size),
            Usage::new(None, meta_total_lvm),
            "lvm",
        ),
    };
    let profile = if lv.profile.is_empty() {
        ProfileInfo {
            name: None,
            path: None,
            file_exists: false,
            threshold: None,
            percent: None,
            autoextend: false,
        }
    } else {
        let (threshold, percent) = profile_text.map(parse_profile).unwrap_or((None, None));
        ProfileInfo {
            name: Some(lv.profile.clone()),
            path: Some(profile_dir.join(format!("{}.profile", lv.profile))),
            file_exists: profile_text.is_some(),
            threshold,
            percent,
            autoextend: threshold.is_some_and(|t| t < 100) && percent.is_some_and(|p| p > 0),
        }
    };
    let (next, next_meta) = match (profile.autoextend, profile.percent) {
        (true, Some(p)) => (
            Some(autoextend_step(data.total_bytes, p, v.extent_size)),
            Some(autoextend_step(metadata.total_bytes, p, v.extent_size)),
        ),
        _ => (None, None),
    };
    Ok(StatusReport {
        vg: vg.to_string(),
        pool: pool.to_string(),
        dm_name,
        found_by,
        active,
        mode: mode.to_string(),
        needs_check,
        when_full: when_full.to_string(),
        health: lv.health.clone(),
        transaction_id: txid,
        chunk_size_bytes: chunk,
        data,
        metadata,
        monitored: lv.is_monitored(),
        monitor: lv.monitor.clone(),
        profile,
        vg_size_bytes: v.size,
        vg_free_bytes: v.free,
        next_autoextend_bytes: next,
        next_autoextend_metadata_bytes: next_meta,
        vg_free_covers_next_autoextend: next.map(|n| v.free >= n),
        devices: lvm
            .pvs_of(vg)
            .map(|p| DeviceInfo {
                name: p.name.clone(),
                size_bytes: p.size,
            })
            .collect(),
        thin_volumes: lvm.thin_volumes(vg, pool).map(|l| l.name.clone()).collect(),
        source,
        activation_unit: None,
        targets: Vec::new(),
    })
}

fn usage_line(u: &Usage) -> String {
    match (u.used_bytes, u.percent) {
        (Some(used), Some(p)) => {
            format!("{} used of {} ({p:.2}%)", human(used), human(u.total_bytes))
        }
        _ => format!("? used of {} (pool not active)", human(u.total_bytes)),
    }
}

/// The human report (stdout).
pub fn render_human(r: &StatusReport) -> String {
    let mut s = String::new();
    let by = match r.found_by {
        FoundBy::Flag => "--pool",
        FoundBy::DaemonJson => "daemon.json dm.thinpooldev",
        FoundBy::Config => "dmctl config",
        FoundBy::OnlyPool => "the only thin pool",
        FoundBy::DataRoot => "Docker's data root",
    };
    let _ = writeln!(
        s,
        "pool {} (/dev/mapper/{}, found via {by})",
        r.pool_path(),
        r.dm_name
    );
    let state = if r.active {
        format!(
            "active, mode {}{}, when full: {}",
            r.mode,
            if r.needs_check { ", NEEDS CHECK" } else { "" },
            r.when_full
        )
    } else {
        format!(
            "INACTIVE (usage unknown; activate with `lvchange -ay {}`), when full: {}",
            r.pool_path(),
            r.when_full
        )
    };
    let _ = writeln!(s, "  state:        {state}");
    let _ = writeln!(
        s,
        "  data:         {}, chunk {}",
        usage_line(&r.data),
        human(r.chunk_size_bytes)
    );
    let _ = writeln!(s, "  metadata:     {}", usage_line(&r.metadata));
    if let Some(t) = r.transaction_id {
        let _ = writeln!(s, "  transaction:  {t}");
    }
    let _ = writeln!(
        s,
        "  monitoring:   {}",
        match (r.active, r.monitored) {
            (_, true) => "monitored by dmeventd".to_string(),
            (false, false) => "not monitored (pool inactive)".to_string(),
            (true, false) => format!(
                "NOT monitored: autoextend will never fire (`lvchange --monitor y {}`)",
                r.pool_path()
            ),
        }
    );
    let p = &r.profile;
    let prof = match (&p.name, &p.path) {
        (Some(n), Some(path)) if !p.file_exists => {
            format!("{n} attached, but {} is missing", path.display())
        }
        (Some(n), Some(path)) => match (p.threshold, p.percent) {
            (Some(t), Some(pc)) if p.autoextend => {
                format!("{n} ({}): autoextend at {t}% by {pc}%", path.display())
            }
            (t, pc) => format!(
                "{n} ({}): autoextend OFF (threshold {}, percent {})",
                path.display(),
                t.map(|t| t.to_string()).unwrap_or_else(|| "unset".into()),
                pc.map(|t| t.to_string()).unwrap_or_else(|| "unset".into())
            ),
        },
        _ => "none attached: autoextend follows lvm.conf (off by default)".into(),
    };
    let _ = writeln!(s, "  profile:      {prof}");
    let next = match (r.next_autoextend_bytes, r.vg_free_covers_next_autoextend) {
        (Some(n), Some(true)) => format!("; next autoextend step {}: covered", human(n)),
        (Some(n), _) => format!(
            "; next autoextend step {}: NOT covered, autoextend will fail",
            human(n)
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "  VG {}:{} {} free of {}{next}",
        r.vg,
        " ".repeat(9usize.saturating_sub(r.vg.len())),
        human(r.vg_free_bytes),
        human(r.vg_size_bytes)
    );
    let devs: Vec<String> = r
        .devices
        .iter()
        .map(|d| format!("{} ({})", d.name, human(d.size_bytes)))
        .collect();
    let _ = writeln!(s, "  devices:      {}", devs.join(", "));
    if !r.thin_volumes.is_empty() {
        let _ = writeln!(s, "  thin volumes: {}", r.thin_volumes.join(", "));
    }
    for w in &r.targets {
        let _ = writeln!(
            s,
            "  feeds:        {} ({}: {})",
            w.target, w.config, w.detail
        );
    }
    if let Some(u) = &r.activation_unit {
        let _ = writeln!(s, "  boot unit:    {}", bootunit::human_line(u));
    }
    s
}

fn label_escape(v: &str) -> String {
    v.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

/// node_exporter textfile-collector format. Gauges whose value is unknown
/// (usage of an inactive pool) are left out.
pub fn render_prometheus(r: &StatusReport) -> String {
    let labels = format!(
        "{{vg=\"{}\",pool=\"{}\"}}",
        label_escape(&r.vg),
        label_escape(&r.pool)
    );
    let b = |x: bool| Some(if x { 1 } else { 0 });
    let metrics: Vec<(&str, &str, Option<u64>)> = vec![
        (
            "active",
            "1 when the pool is active in the kernel.",
            b(r.active),
        ),
        (
            "data_used_bytes",
            "Bytes of the pool's data space in use.",
            r.data.used_bytes,
        ),
        (
            "data_total_bytes",
            "Size of the pool's data space in bytes.",
            Some(r.data.total_bytes),
        ),
        (
            "metadata_used_bytes",
            "Bytes of the pool's metadata space in use.",
            r.metadata.used_bytes,
        ),
        (
            "metadata_total_bytes",
            "Size of the pool's metadata space in bytes.",
            Some(r.metadata.total_bytes),
        ),
        (
            "monitored",
            "1 when dmeventd monitors the pool (autoextend can fire).",
            b(r.monitored),
        ),
        (
            "autoextend_threshold_percent",
            "Usage percent at which LVM autoextends the pool (100 = never).",
            Some(
                r.profile
                    .threshold
                    .filter(|_| r.profile.autoextend)
                    .unwrap_or(100) as u64,
            ),
        ),
        (
            "autoextend_percent",
            "Percent of its size the pool grows by at each autoextend (0 = off).",
            Some(
                r.profile
                    .percent
                    .filter(|_| r.profile.autoextend)
                    .unwrap_or(0) as u64,
            ),
        ),
        (
            "needs_check",
            "1 when the kernel flagged the pool metadata for thin_check/repair.",
            b(r.needs_check),
        ),
        (
            "read_only",
            "1 when the pool is read-only or failed.",
            b(r.read_only()),
        ),
        (
            "out_of_data_space",
            "1 when the pool ran out of data space.",
            b(r.mode == "out_of_data_space"),
        ),
        (
            "vg_free_bytes",
            "Free bytes in the pool's volume group (room for autoextend).",
            Some(r.vg_free_bytes),
        ),
    ];
    let mut s = String::new();
    for (name, help, value) in metrics {
        let Some(v) = value else { continue };
        let _ = writeln!(s, "# HELP dmctl_thinpool_{name} {help}");
        let _ = writeln!(s, "# TYPE dmctl_thinpool_{name} gauge");
        let _ = writeln!(s, "dmctl_thinpool_{name}{labels} {v}");
    }
    s
}

/// Settings from the config file alone (status-like commands take no pool
/// flags but `--pool VG/LV`), and whether the file names vg or pool.
pub fn file_settings(g: &GlobalOpts) -> Result<(Settings, Option<(String, String)>)> {
    let file = config::load_file(g.config.as_deref()).context("loading the config file")?;
    let s = config::resolve(&file)?;
    let named = (file.vg.is_some() || file.pool.is_some()).then(|| (s.vg.clone(), s.pool.clone()));
    Ok((s, named))
}

/// Hint for a failed probe when not running as root.
pub fn root_hint(e: anyhow::Error, what: &str) -> anyhow::Error {
    if nix::unistd::geteuid().is_root() {
        e
    } else {
        e.context(format!(
            "dmctl {what} reads LVM and device-mapper state, which needs root here: \
             try `sudo dmctl {what}`"
        ))
    }
}

/// The settings, and where to look for the pool: `--pool`, daemon.json's
/// dm.thinpooldev, the config, the only pool. Probes LVM (one process).
pub fn hints(
    g: &GlobalOpts,
    f: &Facts,
    pool_flag: Option<&str>,
    what: &str,
) -> Result<(Settings, Hints)> {
    if let Some(p) = pool_flag {
        parse_pool_arg(p)?;
    }
    let (settings, named) = file_settings(g)?;
    let daemon_json = f.file(&settings.daemon_json)?;
    let thinpooldev = daemon_json
        .as_deref()
        .and_then(|t| daemon_json::facts(t).ok())
        .and_then(|d| d.thinpooldev);
    // The pool the first hint names (locate's order): LVM reads only its PVs.
    let first = pool_flag
        .and_then(|p| parse_pool_arg(p).ok())
        .map(|(vg, lv)| dm::dm_name(&vg, &lv))
        .or_else(|| {
            thinpooldev
                .as_deref()
                .and_then(|d| d.strip_prefix("/dev/mapper/"))
                .map(str::to_string)
        })
        .or_else(|| named.as_ref().map(|(vg, lv)| dm::dm_name(vg, lv)));
    let first = match first {
        Some(dm) => Some(dm),
        None => data_root_dm(f, daemon_json.as_deref())?,
    };
    if let Some(dm) = first {
        f.lvm_only_under(&dm, None);
    }
    f.lvm().map_err(|e| root_hint(e, what))?;
    let data_root = data_root_pool(f, daemon_json.as_deref())?;
    let hints = Hints {
        flag: pool_flag.map(str::to_string),
        thinpooldev,
        config: named,
        data_root,
        any: true,
    };
    Ok((settings, hints))
}

/// The dm name of what is mounted at Docker's data root (daemon.json's
/// `data-root`, else /var/lib/docker), when it is a /dev/mapper device.
fn data_root_dm(f: &Facts, daemon_json: Option<&str>) -> Result<Option<String>> {
    let root = daemon_json
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v.get("data-root")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "/var/lib/docker".into());
    Ok(f.mount_at(Path::new(&root))?
        .and_then(|m| m.source.strip_prefix("/dev/mapper/").map(str::to_string)))
}

/// The pool of the thin LV mounted at Docker's data root (daemon.json's
/// `data-root`, else /var/lib/docker), if one is.
fn data_root_pool(f: &Facts, daemon_json: Option<&str>) -> Result<Option<(String, String)>> {
    let Some(dm) = data_root_dm(f, daemon_json)? else {
        return Ok(None);
    };
    let Some((vg, lv)) = dm::lv_of_mapper_path(&format!("/dev/mapper/{dm}")) else {
        return Ok(None);
    };
    Ok(f.lvm()?
        .lv(&vg, &lv)
        .filter(|l| l.segtype == "thin" && !l.pool_lv.is_empty())
        .map(|l| (vg.clone(), l.pool_lv.clone())))
}

/// The report for a located pool: one `dmsetup status` when LVM says the
/// pool is active, the attached profile file, the boot unit, the targets.
pub fn report(
    f: &Facts,
    s: &Settings,
    vg: &str,
    pool: &str,
    by: FoundBy,
    what: &str,
) -> Result<StatusReport> {
    let lvm = f.lvm()?;
    let lv = lvm.lv(vg, pool);
    let dm_out = if lv.is_some_and(|l| l.active) {
        let dm = dm::dm_name(vg, pool);
        Some(f.dm_status(&dm).map_err(|e| root_hint(e, what))?)
    } else {
        None
    };
    let profile_text = match lv.map(|l| l.profile.as_str()) {
        Some(name) if !name.is_empty() => f.file(&s.profile_dir.join(format!("{name}.profile")))?,
        _ => None,
    };
    let mut rep = build(
        lvm,
        vg,
        pool,
        by,
        dm_out,
        &s.profile_dir,
        profile_text.as_deref(),
    )?;
    rep.activation_unit = Some(bootunit::info(f, vg, pool, (&s.vg, &s.pool))?);
    rep.targets = targets::wirings(f, s, vg, pool);
    Ok(rep)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/vm/ops-",
                $name
            ))
        };
    }
    pub(crate) use fx;

    pub const PROFILE: &str =
        "activation {\n\tthin_pool_autoextend_threshold=80\n\tthin_pool_autoextend_percent=20\n}\n";

    pub fn state(report: &str) -> LvmState {
        LvmState::from_report(report).unwrap()
    }

    pub fn rep(report: &str, dm: Option<&str>, profile: Option<&str>) -> StatusReport {
        build(
            &state(report),
            "docker",
            "thinpool",
            FoundBy::OnlyPool,
            dm,
            Path::new("/etc/lvm/profile"),
            profile,
        )
        .unwrap()
    }

    #[test]
    fn failed_and_error_pools_are_states_not_parse_errors() {
        // The kernel's own line for a pool whose metadata device failed
        // (captured in the VM, tests/vm/scenarios/45-failed-pool.sh), as
        // `dmsetup status` prints it for all devices.
        let real = fx!("09-failed-dmsetup-status.out");
        assert_eq!(real.trim_end(), "0 983040 thin-pool Fail");
        let all = format!("docker-thinpool: {real}");
        let r = rep(fx!("01-fresh-fullreport.out"), Some(&all), Some(PROFILE));
        assert!(r.active && r.read_only());
        assert_eq!(r.mode, "fail");
        assert_eq!(r.data.used_bytes, None);
        assert!(render_human(&r).contains("fail"));
        assert!(render_prometheus(&r)
            .contains("dmctl_thinpool_read_only{vg=\"docker\",pool=\"thinpool\"} 1"));
        // dm-thin's `Error` (metadata unreadable while reporting).
        let err = "docker-thinpool: 0 983040 thin-pool Error\n";
        let r = rep(fx!("01-fresh-fullreport.out"), Some(err), Some(PROFILE));
        assert_eq!(r.mode, "error");
        assert!(r.read_only());
        // A truncated line is still an error naming what is wrong.
        let bad = "docker-thinpool: 0 983040 thin-pool 1 217/2048\n";
        let e = build(
            &state(fx!("01-fresh-fullreport.out")),
            "docker",
            "thinpool",
            FoundBy::OnlyPool,
            Some(bad),
            Path::new("/etc/lvm/profile"),
            None,
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("fields"), "{e:#}");
    }

    #[test]
    fn fresh_pool_from_real_outputs() {
        let r = rep(
            fx!("01-fresh-fullreport.out"),
            Some(fx!("01-fresh-dmsetup-status.out")),
            Some(PROFILE),
        );
        // dmsetup: 213/2048 metadata blocks, 0/800 data blocks of 512 KiB.
        assert!(r.active);
        assert_eq!(r.mode, "rw");
        assert_eq!(r.data.used_bytes, Some(0));
        assert_eq!(r.data.total_bytes, 800 * 524288);
        assert_eq!(r.data.total_bytes, 419430400); // = lvs lv_size
        assert_eq!(r.metadata.used_bytes, Some(213 * 4096));
        assert_eq!(r.metadata.total_bytes, 8388608); // = lv_metadata_size
        assert_eq!(r.metadata.percent, Some(10.4)); // lvs: 10.40
        assert_eq!(r.chunk_size_bytes, 524288);
        assert_eq!(r.transaction_id, Some(0));
        assert_eq!(r.when_full, "queue_if_no_space");
        assert!(r.monitored && !r.needs_check && !r.read_only());
        assert_eq!(r.profile.name.as_deref(), Some("docker-thinpool"));
        assert_eq!(
            (r.profile.threshold, r.profile.percent),
            (Some(80), Some(20))
        );
        assert!(r.profile.autoextend);
        // 20% of 400 MiB = 80 MiB, whole 4 MiB extents.
        assert_eq!(r.next_autoextend_bytes, Some(80 << 20));
        assert_eq!(r.vg_free_bytes, 1707081728);
        assert_eq!(r.vg_free_covers_next_autoextend, Some(true));
        assert_eq!(r.devices[0].name, "/dev/vdb");
        assert!(r.thin_volumes.is_empty());
        assert_eq!(r.source, "dmsetup");
    }

    #[test]
    fn tpool_layout_with_data() {
        let r = rep(
            fx!("02-thinlv-fullreport.out"),
            Some(fx!("02-thinlv-dmsetup-status.out")),
            Some(PROFILE),
        );
        // docker-thinpool-tpool: 1 214/2048 200/800
        assert_eq!(r.transaction_id, Some(1));
        assert_eq!(r.data.used_bytes, Some(200 * 524288));
        assert_eq!(r.data.percent, Some(25.0)); // lvs: 25.00
        assert_eq!(r.metadata.used_bytes, Some(214 * 4096));
        assert_eq!(r.thin_volumes, ["vol1"]);
    }

    #[test]
    fn inactive_pool_reports_from_lvm_alone() {
        let r = rep(fx!("05-inactive-fullreport.out"), None, Some(PROFILE));
        assert!(!r.active);
        assert_eq!(r.mode, "inactive");
        assert_eq!(r.data.used_bytes, None);
        assert_eq!(r.data.total_bytes, 419430400);
        assert_eq!(r.metadata.total_bytes, 8388608);
        assert!(!r.monitored);
        assert_eq!(r.source, "lvm");
        let h = render_human(&r);
        assert!(
            h.contains("INACTIVE") && h.contains("lvchange -ay docker/thinpool"),
            "{h}"
        );
        let p = render_prometheus(&r);
        assert!(p.contains("dmctl_thinpool_active{vg=\"docker\",pool=\"thinpool\"} 0"));
        assert!(!p.contains("data_used_bytes"), "{p}");
        // "No devices found" from dmsetup is the same as not asking.
        assert_eq!(
            rep(
                fx!("05-inactive-fullreport.out"),
                Some(fx!("05-inactive-dmsetup-status.out")),
                Some(PROFILE)
            )
            .mode,
            "inactive"
        );
    }

    #[test]
    fn full_pool_and_autoextended_pool() {
        let r = rep(
            fx!("07-full-fullreport.out"),
            Some(fx!("07-full-dmsetup-status.out")),
            Some(PROFILE),
        );
        assert_eq!(r.mode, "out_of_data_space");
        assert_eq!(r.when_full, "error_if_no_space");
        assert_eq!(r.health, "out_of_data");
        assert_eq!(r.data.percent, Some(100.0));
        assert_eq!(r.data.total_bytes, 1811939328);
        assert_eq!(r.thin_volumes, ["vol1", "vol2"]);
        let p = render_prometheus(&r);
        assert!(p.contains("dmctl_thinpool_out_of_data_space{vg=\"docker\",pool=\"thinpool\"} 1"));
        // After autoextend by dmeventd: 400 MiB -> 480 MiB, 700/960 blocks.
        let r = rep(
            fx!("06-after-fill-fullreport.out"),
            Some(fx!("06-after-fill-dmsetup-status.out")),
            Some(PROFILE),
        );
        assert_eq!(r.data.total_bytes, 503316480);
        assert_eq!(r.data.used_bytes, Some(700 * 524288));
        assert_eq!(r.data.percent, Some(72.92)); // lvs: 72.92
    }

    #[test]
    fn monitoring_off_and_profile_detached() {
        let r = rep(
            fx!("03-monitor-off-fullreport.out"),
            Some(fx!("03-monitor-off-dmsetup-status.out")),
            Some(PROFILE),
        );
        assert!(!r.monitored);
        assert_eq!(r.monitor, "not monitored");
        assert!(render_human(&r).contains("NOT monitored"));
        let r = rep(
            fx!("04-detached-fullreport.out"),
            Some(fx!("04-detached-dmsetup-status.out")),
            None,
        );
        assert_eq!(r.profile.name, None);
        assert!(!r.profile.autoextend);
        assert_eq!(r.next_autoextend_bytes, None);
        let p = render_prometheus(&r);
        assert!(p.contains(
            "dmctl_thinpool_autoextend_threshold_percent{vg=\"docker\",pool=\"thinpool\"} 100"
        ));
    }

    #[test]
    fn block_counts_beyond_2_pow_64_bytes_are_an_error() {
        // found by fuzz/fuzz_targets/status_report.rs: blocks * chunk overflowed
        let line = "docker-thinpool: 0 819200 thin-pool 1 213/2048 0/1844674407370955161 - rw no_discard_passdown queue_if_no_space - 1024\n";
        let e = build(
            &state(fx!("01-fresh-fullreport.out")),
            "docker",
            "thinpool",
            FoundBy::OnlyPool,
            Some(line),
            Path::new("/etc/lvm/profile"),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("beyond 2^64"), "{e}");
    }

    #[test]
    fn prometheus_is_textfile_format() {
        let r = rep(
            fx!("02-thinlv-fullreport.out"),
            Some(fx!("02-thinlv-dmsetup-status.out")),
            Some(PROFILE),
        );
        let p = render_prometheus(&r);
        let mut names = Vec::new();
        for l in p.lines() {
            if let Some(rest) = l.strip_prefix("# TYPE ") {
                assert!(rest.ends_with(" gauge"));
                names.push(rest.split(' ').next().unwrap().to_string());
            } else if !l.starts_with("# HELP ") {
                let (series, value) = l.rsplit_once(' ').unwrap();
                assert!(value.parse::<u64>().is_ok(), "{l}");
                assert!(series.ends_with("{vg=\"docker\",pool=\"thinpool\"}"), "{l}");
            }
        }
        for want in [
            "dmctl_thinpool_data_used_bytes",
            "dmctl_thinpool_data_total_bytes",
            "dmctl_thinpool_metadata_used_bytes",
            "dmctl_thinpool_metadata_total_bytes",
            "dmctl_thinpool_monitored",
            "dmctl_thinpool_autoextend_threshold_percent",
            "dmctl_thinpool_autoextend_percent",
            "dmctl_thinpool_needs_check",
            "dmctl_thinpool_read_only",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} missing:\n{p}");
        }
        assert!(
            p.contains("dmctl_thinpool_data_used_bytes{vg=\"docker\",pool=\"thinpool\"} 104857600")
        );
        assert_eq!(label_escape("a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn locating_the_pool() {
        let st = state(fx!("02-thinlv-fullreport.out"));
        let h = |flag: Option<&str>, dev: Option<&str>, cfg: Option<(&str, &str)>| Hints {
            flag: flag.map(str::to_string),
            thinpooldev: dev.map(str::to_string),
            config: cfg.map(|(a, b)| (a.to_string(), b.to_string())),
            data_root: None,
            any: true,
        };
        let got = |h: &Hints| locate(&st, h).map(|o| o.unwrap());
        let want = |by| ("docker".to_string(), "thinpool".to_string(), by);
        assert_eq!(got(&h(None, None, None)).unwrap(), want(FoundBy::OnlyPool));
        assert_eq!(
            got(&h(
                None,
                Some("/dev/mapper/docker-thinpool"),
                Some(("x", "y"))
            ))
            .unwrap(),
            want(FoundBy::DaemonJson)
        );
        assert_eq!(
            got(&h(None, None, Some(("docker", "thinpool")))).unwrap(),
            want(FoundBy::Config)
        );
        assert_eq!(
            got(&h(
                Some("docker/thinpool"),
                Some("/dev/mapper/zz-top"),
                None
            ))
            .unwrap(),
            want(FoundBy::Flag)
        );
        let err = |h: &Hints| format!("{:#}", locate(&st, h).unwrap_err());
        let e = err(&h(None, Some("/dev/mapper/other--vg-pool"), None));
        assert!(
            e.contains("other-vg/pool") && e.contains("docker/thinpool"),
            "{e}"
        );
        assert!(err(&h(Some("docker/vol1"), None, None)).contains("not a thin pool"));
        assert!(err(&h(Some("nope"), None, None)).contains("VG/LV"));
        assert!(err(&h(None, Some("/dev/sdb"), None)).contains("not an LVM device name"));
        let empty = state(fx!("00-fullreport-empty.out"));
        let e = format!("{:#}", locate(&empty, &h(None, None, None)).unwrap_err());
        assert!(
            e.contains("no thin pool") && e.contains("dmctl setup"),
            "{e}"
        );
        let mut two = st.clone();
        let mut other = two.lvs[0].clone();
        other.vg_name = "vg2".into();
        two.lvs.push(other);
        let e = format!("{:#}", locate(&two, &h(None, None, None)).unwrap_err());
        assert!(e.contains("several") && e.contains("vg2/thinpool"), "{e}");
        // Two pools, an overlay2 daemon.json: the data root's mount says.
        let by_root = Hints {
            data_root: Some(("vg2".into(), "thinpool".into())),
            ..h(None, None, None)
        };
        assert_eq!(
            locate(&two, &by_root).unwrap().unwrap(),
            ("vg2".to_string(), "thinpool".to_string(), FoundBy::DataRoot)
        );
        let none = Hints {
            any: false,
            ..Default::default()
        };
        assert_eq!(locate(&two, &none).unwrap(), None);
    }

    #[test]
    fn the_data_roots_thin_lv_names_its_pool() {
        use crate::engine::FakeRunner;
        // Real: docker/vol1 is a thin LV of docker/thinpool (02-thinlv).
        let r = FakeRunner::new();
        let f = Facts::new(&r);
        f.set_lvm(state(fx!("02-thinlv-fullreport.out"))).set_mountinfo(
            "40 22 253:4 / /var/lib/docker rw,relatime shared:20 - xfs /dev/mapper/docker-vol1 rw,prjquota\n",
        );
        assert_eq!(
            data_root_pool(&f, Some(r#"{"storage-driver": "overlay2"}"#)).unwrap(),
            Some(("docker".into(), "thinpool".into()))
        );
        // Another data root, or a non-thin source: no hint.
        assert_eq!(
            data_root_pool(&f, Some(r#"{"data-root": "/srv/docker"}"#)).unwrap(),
            None
        );
        let f = Facts::new(&r);
        f.set_lvm(state(fx!("02-thinlv-fullreport.out")))
            .set_mountinfo("40 22 8:1 / /var/lib/docker rw - ext4 /dev/sda1 rw\n");
        assert_eq!(data_root_pool(&f, None).unwrap(), None);
    }

    #[test]
    fn autoextend_step_rounds_to_extents() {
        assert_eq!(autoextend_step(400 << 20, 20, 4 << 20), 80 << 20);
        assert_eq!(autoextend_step(10 << 20, 20, 4 << 20), 4 << 20);
        assert_eq!(autoextend_step(0, 20, 4 << 20), 0);
    }
}
