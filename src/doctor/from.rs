//! `dmctl doctor --from PATH`: pasted tool output and config files,
//! recognised by content, turned into the same [`Evidence`] the host
//! doctor gathers, so the same checks judge it.
//!
//! Each input is one [`Kind`] ([`recognise`]); its text goes through the
//! host's own parser (LVM JSON: `LvmState::from_report`; dmsetup:
//! `dm::parse_pool_status`, `dm::pool_block_size`; daemon.json,
//! config.toml, the profile) into a [`Bundle`]. [`evidence`] builds the
//! pool's report with `status::build` over [`crate::facts::Facts`] holding
//! only presets (offline: nothing is read from this machine) and a runner
//! that runs nothing. To add an input kind: a variant of [`Kind`], its
//! test in [`recognise`], its slot in [`Bundle`], its facts in
//! [`evidence`], and the checks it enables in `super::runnable`.

use anyhow::{anyhow, bail, Context, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::docker_info::{self, DockerInfo};
use super::lvs::{self, LvmCover};
use super::{Evidence, Known};
use crate::cli::PoolOpts;
use crate::config;
use crate::dm::{self, PoolStatus};
use crate::docker::version::{parse_dockerd_version, DockerVersion};
use crate::engine::{FakeRunner, Runner};
use crate::error::refused;
use crate::facts::Facts;
use crate::lvm::{Lv, LvmState, Vg};
use crate::status::{self, FoundBy, Hints, Usage};

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `lvm fullreport`, `lvs`, `vgs` as JSON.
    LvmJson,
    /// The `lvs` text table.
    LvsText,
    DmsetupStatus,
    DmsetupTable,
    DockerInfo,
    DaemonJson,
    ContainerdConfig,
    LvmProfile,
    DockerdVersion,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::LvmJson => "LVM JSON report",
            Kind::LvsText => "lvs",
            Kind::DmsetupStatus => "dmsetup status",
            Kind::DmsetupTable => "dmsetup table",
            Kind::DockerInfo => "docker info",
            Kind::DaemonJson => "daemon.json",
            Kind::ContainerdConfig => "containerd config.toml",
            Kind::LvmProfile => "LVM profile",
            Kind::DockerdVersion => "dockerd --version",
        }
    }
}

/// One input: where it came from (a path, or `-`) and its text.
#[derive(Debug, Clone)]
pub struct Input {
    pub label: String,
    pub text: String,
}

/// Read PATH: a file, every file of a directory (sorted), or `-`.
pub fn read_inputs(path: &Path) -> Result<Vec<Input>> {
    let text_of = |label: String, bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .map(|text| Input {
                label: label.clone(),
                text,
            })
            .map_err(|_| refused(format!("{label}: not text (not UTF-8)")))
    };
    if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("reading stdin")?;
        return Ok(vec![text_of("-".into(), b)?]);
    }
    let meta =
        std::fs::metadata(path).map_err(|e| refused(format!("--from {}: {e}", path.display())))?;
    if !meta.is_dir() {
        let b = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(vec![text_of(path.display().to_string(), b)?]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("reading {}", path.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("reading {}", path.display()))?;
    files.sort();
    let mut v = Vec::new();
    for f in files {
        if f.is_dir() {
            return Err(refused(format!(
                "{}: a directory inside --from {}; give files only",
                f.display(),
                path.display()
            )));
        }
        let b = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
        v.push(text_of(f.display().to_string(), b)?);
    }
    if v.is_empty() {
        return Err(refused(format!(
            "--from {}: the directory is empty",
            path.display()
        )));
    }
    Ok(v)
}

/// One line of `dmsetup status` or `dmsetup table`: the device name
/// (absent when one device was asked for) and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DmLine {
    pub name: Option<String>,
    pub body: String,
}

impl DmLine {
    fn target(&self) -> &str {
        self.body.split_whitespace().nth(2).unwrap_or("")
    }
}

/// `[NAME: ]START LENGTH TARGET ...`
fn dm_line(line: &str) -> Option<DmLine> {
    let (name, body) = match line.split_once(": ") {
        Some((n, b)) if !n.is_empty() && !n.contains(char::is_whitespace) => {
            (Some(n.to_string()), b)
        }
        _ => (None, line),
    };
    let t: Vec<&str> = body.split_whitespace().collect();
    (t.len() >= 3 && t[0].parse::<u64>().is_ok() && t[1].parse::<u64>().is_ok()).then(|| DmLine {
        name,
        body: body.trim_end().to_string(),
    })
}

/// device-mapper's targets (a cut-off name is not one of them).
const DM_TARGETS: &[&str] = &[
    "linear",
    "striped",
    "thin",
    "thin-pool",
    "error",
    "zero",
    "crypt",
    "mirror",
    "raid",
    "snapshot",
    "snapshot-origin",
    "snapshot-merge",
    "cache",
    "writecache",
    "era",
    "delay",
    "multipath",
    "verity",
    "integrity",
    "vdo",
    "flakey",
    "dust",
    "clone",
    "switch",
    "unstriped",
];

/// A line cut short: an unknown target, or a linear/thin line missing
/// its fields.
fn check_dm_line(l: &DmLine, kind: Kind) -> Result<()> {
    let t: Vec<&str> = l.body.split_whitespace().collect();
    let target = t[2];
    if !DM_TARGETS.contains(&target) {
        bail!("unknown target {target:?} (truncated?)");
    }
    let want = match (kind, target) {
        (Kind::DmsetupTable, "linear") => Some(5),
        (Kind::DmsetupStatus, "thin") if t.get(3) != Some(&"Fail") => Some(5),
        _ => None,
    };
    match want {
        Some(n) if t.len() < n && !(target == "thin" && t.get(3) == Some(&"-")) => bail!(
            "{target} line has {} fields, expected {n} (truncated?)",
            t.len()
        ),
        _ => Ok(()),
    }
}

/// Status or table, from the lines that tell them apart.
fn dm_kind(lines: &[DmLine]) -> Result<Kind> {
    let mut kind = None;
    for l in lines {
        let t: Vec<&str> = l.body.split_whitespace().collect();
        let args = &t[3..];
        let k = match l.target() {
            "thin-pool" => match args.first() {
                Some(a) if a.contains(':') => Some(Kind::DmsetupTable),
                Some(_) => Some(Kind::DmsetupStatus),
                None => None,
            },
            "linear" | "thin" => match args.first() {
                None => Some(Kind::DmsetupStatus),
                Some(a) if a.contains(':') => Some(Kind::DmsetupTable),
                Some(_) => Some(Kind::DmsetupStatus),
            },
            _ => None,
        };
        match (kind, k) {
            (Some(a), Some(b)) if a != b => {
                bail!("mixes dmsetup status and dmsetup table lines")
            }
            (None, Some(b)) => kind = Some(b),
            _ => {}
        }
    }
    Ok(kind.unwrap_or(Kind::DmsetupStatus))
}

/// Recognise an input by its content.
pub fn recognise(text: &str) -> Result<Kind> {
    let t = text.trim();
    if t.is_empty() {
        bail!("empty");
    }
    if t.starts_with('{') || t.starts_with('[') {
        let v: serde_json::Value =
            serde_json::from_str(t).map_err(|e| anyhow!("not valid JSON (truncated?): {e}"))?;
        if v.get("report").is_some() {
            return Ok(Kind::LvmJson);
        }
        if docker_info::is_json(&v) {
            return Ok(Kind::DockerInfo);
        }
        if v.is_object() {
            return Ok(Kind::DaemonJson);
        }
        bail!("JSON that is neither an LVM report, docker info nor daemon.json");
    }
    let lines: Vec<&str> = t.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines == ["No devices found"] {
        return Ok(Kind::DmsetupStatus);
    }
    if let Some(first) = lines.first().and_then(|l| dm_line(l)) {
        let mut dl = vec![first];
        for (i, l) in lines.iter().enumerate().skip(1) {
            dl.push(dm_line(l).with_context(|| {
                format!("line {}: {:?} is not a dmsetup line (truncated?)", i + 1, l)
            })?);
        }
        let kind = dm_kind(&dl)?;
        for (i, l) in dl.iter().enumerate() {
            check_dm_line(l, kind).with_context(|| {
                format!(
                    "device {}",
                    l.name.as_deref().unwrap_or(&format!("on line {}", i + 1))
                )
            })?;
        }
        return Ok(kind);
    }
    if lines.first().is_some_and(|h| {
        let w: Vec<&str> = h.split_whitespace().collect();
        w.starts_with(&["Fmt", "VG", "UUID"])
    }) {
        bail!(
            "lvm fullreport as text: its columns are ambiguous (headings with spaces, \
             repeated ones); paste `lvm fullreport --reportformat json` instead"
        );
    }
    if docker_info::is_text(t) {
        return Ok(Kind::DockerInfo);
    }
    if lvs::is_text(t) {
        return Ok(Kind::LvsText);
    }
    if parse_dockerd_version(t).is_some() && lines.len() == 1 {
        return Ok(Kind::DockerdVersion);
    }
    if t.contains("thin_pool_autoextend_") && t.contains("activation") {
        return Ok(Kind::LvmProfile);
    }
    if let Ok(doc) = t.parse::<toml_edit::DocumentMut>() {
        if doc.contains_key("plugins") || doc.contains_key("version") {
            return Ok(Kind::ContainerdConfig);
        }
    }
    bail!(
        "not recognised: doctor --from reads docker info (text or JSON), dmsetup status, \
         dmsetup table, lvs, lvm fullreport (JSON), daemon.json, containerd's config.toml, \
         an LVM profile and dockerd --version"
    )
}

/// Everything the inputs held, parsed.
#[derive(Debug, Default)]
pub struct Bundle {
    /// Each input and what it was recognised as.
    pub files: Vec<(String, Kind)>,
    lvm: Option<(LvmState, LvmCover)>,
    dm_status: Option<Vec<DmLine>>,
    dm_table: Option<Vec<DmLine>>,
    docker_info: Option<DockerInfo>,
    daemon_json: Option<String>,
    containerd: Option<String>,
    profiles: Vec<(String, String)>,
    dockerd: Option<DockerVersion>,
}

fn dm_lines(text: &str) -> Vec<DmLine> {
    text.lines().filter_map(dm_line).collect()
}

impl Bundle {
    /// Recognise and parse every input; the first that cannot be read is
    /// refused (exit 3) with its name.
    pub fn parse(inputs: &[Input]) -> Result<Bundle> {
        let mut b = Bundle::default();
        for i in inputs {
            b.add(i)
                .map_err(|e| refused(format!("{}: {e:#}", i.label)))?;
        }
        Ok(b)
    }

    fn add(&mut self, i: &Input) -> Result<()> {
        let kind = recognise(&i.text)?;
        if let Some((other, _)) = self
            .files
            .iter()
            .find(|(_, k)| *k == kind && kind != Kind::LvmProfile)
        {
            bail!("a second {} (the first: {other})", kind.name());
        }
        let t = i.text.as_str();
        match kind {
            Kind::LvmJson => {
                if self.lvm.is_some() {
                    bail!("a second LVM report");
                }
                self.lvm = Some(lvs::from_json(t)?);
            }
            Kind::LvsText => {
                if self.lvm.is_some() {
                    bail!("a second LVM report");
                }
                self.lvm = Some(lvs::from_text(t)?);
            }
            Kind::DmsetupStatus => {
                let lines = dm_lines(t);
                for l in lines.iter().filter(|l| l.target() == "thin-pool") {
                    dm::parse_pool_status(&l.body).with_context(|| {
                        format!("device {}", l.name.as_deref().unwrap_or("(unnamed)"))
                    })?;
                }
                self.dm_status = Some(lines);
            }
            Kind::DmsetupTable => {
                let lines = dm_lines(t);
                for l in lines.iter().filter(|l| l.target() == "thin-pool") {
                    dm::pool_block_size(&l.body).with_context(|| {
                        format!("device {}", l.name.as_deref().unwrap_or("(unnamed)"))
                    })?;
                }
                self.dm_table = Some(lines);
            }
            Kind::DockerInfo => {
                let tt = t.trim();
                self.docker_info = Some(if tt.starts_with('{') {
                    DockerInfo::from_json(&serde_json::from_str(tt)?)?
                } else {
                    DockerInfo::from_text(t)?
                });
            }
            Kind::DaemonJson => self.daemon_json = Some(t.to_string()),
            Kind::ContainerdConfig => {
                crate::containerd::facts(t).map_err(|e| anyhow!("config.toml: {e}"))?;
                self.containerd = Some(t.to_string());
            }
            Kind::LvmProfile => {
                let (th, pc) = crate::pool::profile::parse(t);
                if th.is_none() && pc.is_none() {
                    bail!("LVM profile without a readable thin_pool_autoextend_threshold/percent");
                }
                self.profiles.push((i.label.clone(), t.to_string()));
            }
            Kind::DockerdVersion => self.dockerd = parse_dockerd_version(t),
        }
        self.files.push((i.label.clone(), kind));
        Ok(())
    }

    /// Thin-pool lines (status or table) with the pool's dm name: the
    /// `-tpool` layout names the pool without the suffix.
    fn pool_names(lines: &[DmLine]) -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.target() == "thin-pool")
            .filter_map(|l| l.name.as_deref())
            .map(|n| n.strip_suffix("-tpool").unwrap_or(n).to_string())
            .collect()
    }

    /// The line of `dm` (or `dm-tpool`) among `lines`; an unnamed one
    /// (one device asked for) when it is the only thin-pool line.
    fn line_of<'a>(lines: &'a [DmLine], dm: &str) -> Option<&'a DmLine> {
        let pools: Vec<&DmLine> = lines.iter().filter(|l| l.target() == "thin-pool").collect();
        let tpool = format!("{dm}-tpool");
        pools
            .iter()
            .find(|l| l.name.as_deref() == Some(tpool.as_str()))
            .or_else(|| pools.iter().find(|l| l.name.as_deref() == Some(dm)))
            .or_else(|| match pools.as_slice() {
                [one] if one.name.is_none() => Some(one),
                _ => None,
            })
            .copied()
    }
}

/// LVM's own reading of the pool's state when no kernel line was given.
fn mode_from_lvm(lv: &Lv) -> &'static str {
    match (lv.health.as_str(), lv.attr.chars().nth(8)) {
        ("out_of_data", _) | (_, Some('D')) => "out_of_data_space",
        ("metadata_read_only", _) | (_, Some('M')) => "ro",
        ("failed", _) | (_, Some('F')) => "fail",
        _ => "rw",
    }
}

fn usage_pct(used: u64, total: u64) -> Usage {
    Usage {
        used_bytes: None,
        total_bytes: 0,
        percent: (total > 0).then(|| (used as f64 * 10000.0 / total as f64).round() / 100.0),
    }
}

fn usage_bytes(used: Option<u64>, total: u64) -> Usage {
    Usage {
        used_bytes: used,
        total_bytes: total,
        percent: used
            .filter(|_| total > 0)
            .map(|u| (u as f64 * 10000.0 / total as f64).round() / 100.0),
    }
}

/// Build doctor's evidence from the inputs. `pool_flag`: `--pool VG/LV`.
pub fn evidence(b: &Bundle, pool_flag: Option<&str>) -> Result<Evidence> {
    let s = config::resolve(&PoolOpts::default())?;
    let runner = FakeRunner::new();
    let f = Facts::new(&runner);
    f.set_offline();
    f.set_file(&s.daemon_json, b.daemon_json.as_deref())
        .set_file(&s.containerd_config, b.containerd.as_deref())
        .set_containerd(None);
    let info = b.docker_info.as_ref();
    let dockerd = b
        .dockerd
        .clone()
        .or_else(|| info.and_then(|i| i.server_version.clone()));
    f.set_dockerd(dockerd.clone(), dockerd.is_some());
    let mut k = Known {
        daemon_json: b.daemon_json.is_some(),
        containerd_config: b.containerd.is_some(),
        docker_info: info.is_some(),
        dockerd: dockerd.is_some(),
        ..Known::default()
    };
    let thinpooldev = b
        .daemon_json
        .as_deref()
        .and_then(|t| crate::docker::daemon_json::facts(t).ok())
        .and_then(|d| d.thinpooldev);
    // The pool Docker names, as a /dev/mapper path.
    let docker_pool = thinpooldev.clone().or_else(|| {
        info.and_then(|i| i.pool_name.as_deref())
            .filter(|n| dm::split_dm_name(n).is_some())
            .map(|n| format!("/dev/mapper/{n}"))
    });
    let status = b.dm_status.as_deref().unwrap_or(&[]);
    let table = b.dm_table.as_deref().unwrap_or(&[]);

    let (lvm, cover, synthetic) = match &b.lvm {
        Some((l, c)) => (l.clone(), *c, false),
        None => {
            // No LVM report: the pool as the kernel and Docker name it.
            // No LVM report: the pools the kernel or Docker report. A
            // name from --pool or daemon.json alone proves no pool exists;
            // it names an unnamed status line (one device asked for).
            let mut names: Vec<String> = Bundle::pool_names(status);
            names.extend(Bundle::pool_names(table));
            if let Some(n) = info
                .filter(|i| i.devicemapper())
                .and_then(|i| i.pool_name.clone())
            {
                names.push(n);
            }
            let unnamed = status
                .iter()
                .chain(table)
                .any(|l| l.target() == "thin-pool" && l.name.is_none());
            let preferred = match pool_flag {
                Some(p) => {
                    let (vg, lv) = status::parse_pool_arg(p)?;
                    Some(dm::dm_name(&vg, &lv))
                }
                None => docker_pool
                    .as_deref()
                    .map(|d| d.trim_start_matches("/dev/mapper/").to_string()),
            };
            if let Some(p) = preferred.filter(|p| unnamed || names.contains(p)) {
                names.insert(0, p);
            }
            names.dedup();
            (synth(b, &names), LvmCover::default(), true)
        }
    };
    k.lvm = !synthetic;
    k.vg = cover.vg;
    k.monitor = cover.monitor;
    f.set_lvm(lvm.clone());

    let hints = Hints {
        flag: pool_flag.map(str::to_string),
        thinpooldev: docker_pool.clone(),
        any: true,
        ..Hints::default()
    };
    let mut ev = Evidence {
        lvm: true,
        thin_check: true,
        dmeventd: true,
        thin_module: true,
        daemon_json_path: s.daemon_json.clone(),
        daemon_json: b.daemon_json.clone(),
        dockerd,
        loop_file: info
            .and_then(|i| i.data_loop_file.as_deref())
            .map(PathBuf::from),
        docker_info: info.cloned(),
        ..Evidence::default()
    };
    let located = if synthetic && lvm.lvs.is_empty() {
        Ok(None)
    } else {
        status::locate(&lvm, &hints)
    };
    match located {
        Ok(Some((vg, pool, by))) => {
            k.pool = true;
            let by = if synthetic && pool_flag.is_none() && docker_pool.is_none() {
                FoundBy::OnlyPool
            } else {
                by
            };
            let dm_name = dm::dm_name(&vg, &pool);
            let lv = lvm
                .lv(&vg, &pool)
                .cloned()
                .context("located pool vanished")?;
            let kernel = Bundle::line_of(status, &dm_name);
            // dmsetup status as the host's Facts hold it: `NAME: body`.
            let dm_text = kernel.map(|l| format!("{dm_name}: {}\n", l.body));
            let profile_text = profile_for(b, &lv);
            k.profile = if synthetic {
                !b.profiles.is_empty()
            } else {
                cover.profile && (lv.profile.is_empty() || profile_text.is_some())
            };
            let mut rep = status::build(
                &lvm,
                &vg,
                &pool,
                by,
                if b.dm_status.is_some() {
                    Some(dm_text.as_deref().unwrap_or(""))
                } else {
                    None
                },
                &s.profile_dir,
                profile_text.as_deref(),
            )?;
            if let Some(l) = kernel {
                k.kernel = true;
                ev.thin_target = Some(true);
                if let PoolStatus::Active(c) = dm::parse_pool_status(&l.body)? {
                    k.usage = true;
                    if rep.chunk_size_bytes == 0 {
                        rep.data = usage_pct(c.used_data_blocks, c.total_data_blocks);
                        rep.metadata = usage_bytes(
                            Some(c.used_metadata_blocks * dm::METADATA_BLOCK),
                            c.total_metadata_blocks * dm::METADATA_BLOCK,
                        );
                    }
                }
            } else if b.dm_status.is_none() {
                // No kernel line given: LVM's or Docker's reading.
                if !synthetic && lv.active {
                    rep.active = true;
                    rep.mode = mode_from_lvm(&lv).to_string();
                    rep.source = "lvm";
                    if let Some(p) = lv.data_percent {
                        k.usage = true;
                        rep.data = usage_bytes(Some((lv.size as f64 * p / 100.0) as u64), lv.size);
                        rep.data.percent = Some(p);
                    }
                    if let (Some(p), Some(m)) = (lv.metadata_percent, lv.metadata_size) {
                        rep.metadata = usage_bytes(Some((m as f64 * p / 100.0) as u64), m);
                        rep.metadata.percent = Some(p);
                    } else if let Some(p) = lv.metadata_percent {
                        rep.metadata = usage_pct((p * 100.0) as u64, 10000);
                    }
                } else if let Some(i) = info.filter(|i| {
                    i.devicemapper() && i.pool_name.as_deref() == Some(dm_name.as_str())
                }) {
                    rep.active = true;
                    rep.mode = "unknown".into();
                    rep.source = "docker info";
                    k.usage = true;
                    rep.data = usage_bytes(i.data_used, i.data_total.unwrap_or(0));
                    rep.metadata = usage_bytes(i.metadata_used, i.metadata_total.unwrap_or(0));
                }
                if synthetic {
                    rep.monitored = false;
                }
            }
            rep.targets = crate::targets::wirings(&f, &s, &vg, &pool);
            ev.pool = Some(rep);
        }
        Ok(None) => {}
        Err(e) => {
            k.pool = true;
            ev.pool_error = Some(format!("{e:#}"));
        }
    }
    ev.offline = Some(k);
    ev.settings = Some(s);
    if !runner.history().is_empty() {
        bail!(
            "internal error: doctor --from asked to run `{}`",
            runner.history()[0]
        );
    }
    Ok(ev)
}

/// The profile text for `lv`: the input named `<profile>.profile`, else
/// the only profile given.
fn profile_for(b: &Bundle, lv: &Lv) -> Option<String> {
    let named = format!("{}.profile", lv.profile);
    b.profiles
        .iter()
        .find(|(label, _)| !lv.profile.is_empty() && label.ends_with(&named))
        .or(match b.profiles.as_slice() {
            [one] => Some(one),
            _ => None,
        })
        .map(|(_, t)| t.clone())
}

/// An LVM state with only the pools that dmsetup or docker info name:
/// size and chunk from the table or docker info, no VG facts.
fn synth(b: &Bundle, names: &[String]) -> LvmState {
    let mut st = LvmState::default();
    let table = b.dm_table.as_deref().unwrap_or(&[]);
    let info = b.docker_info.as_ref();
    for n in names {
        let Some((vg, pool)) = dm::split_dm_name(n) else {
            continue;
        };
        if st.lv(&vg, &pool).is_some() {
            continue;
        }
        let tline = Bundle::line_of(table, n);
        let from_info = info.filter(|i| i.pool_name.as_deref() == Some(n.as_str()));
        let chunk = tline
            .and_then(|l| dm::pool_block_size(&l.body).ok())
            .or_else(|| {
                // Docker prints it in decimal units: 524.3kB is 512 KiB.
                from_info
                    .and_then(|i| i.pool_blocksize)
                    .map(|c| (c + 32768) / 65536 * 65536)
                    .filter(|c| *c > 0)
            });
        let size = tline
            .and_then(|l| l.body.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map(|sectors| sectors * 512)
            .or_else(|| from_info.and_then(|i| i.data_total))
            .unwrap_or(0);
        let profile = b
            .profiles
            .first()
            .map(|(label, _)| {
                Path::new(label)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".profile"))
                    .unwrap_or("pasted")
                    .to_string()
            })
            .unwrap_or_default();
        st.lvs.push(Lv {
            name: pool.clone(),
            vg_name: vg.clone(),
            uuid: String::new(),
            attr: "twi-a-t---".into(),
            size,
            segtype: "thin-pool".into(),
            pool_lv: String::new(),
            metadata_size: None,
            chunk_size: chunk,
            profile,
            monitor: String::new(),
            active: false,
            data_percent: None,
            metadata_percent: None,
            zero: String::new(),
            when_full: String::new(),
            health: String::new(),
            devices: String::new(),
        });
        if st.vg(&vg).is_none() {
            st.vgs.push(Vg::unknown(&vg));
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(label: &str, text: &str) -> Input {
        Input {
            label: label.into(),
            text: text.into(),
        }
    }

    #[test]
    fn recognises_real_outputs_by_content() {
        for (f, k) in [
            (
                vm_fixture!("docker-devicemapper--fullreport.out"),
                Kind::LvmJson,
            ),
            (vm_fixture!("docker-devicemapper--lvs.out"), Kind::LvmJson),
            (vm_fixture!("pool--lvs-text.out"), Kind::LvsText),
            (
                vm_fixture!("docker-devicemapper--dmsetup-status.out"),
                Kind::DmsetupStatus,
            ),
            (
                vm_fixture!("docker-devicemapper--dmsetup-table.out"),
                Kind::DmsetupTable,
            ),
            (
                vm_fixture!("ops-01-fresh-dmsetup-status.out"),
                Kind::DmsetupStatus,
            ),
            (
                vm_fixture!("ops-01-fresh-dmsetup-table.out"),
                Kind::DmsetupTable,
            ),
            (
                vm_fixture!("docker-devicemapper--docker-info.out"),
                Kind::DockerInfo,
            ),
            (
                vm_fixture!("docker-devicemapper--docker-info-json.out"),
                Kind::DockerInfo,
            ),
            (
                vm_fixture!("ops-08-docker-version.out"),
                Kind::DockerdVersion,
            ),
            (
                vm_fixture!("containerd-devmapper--config.out"),
                Kind::ContainerdConfig,
            ),
        ] {
            assert_eq!(recognise(f).unwrap(), k, "{f}");
        }
        assert!(recognise("").is_err());
        assert!(recognise("hello world\n").is_err());
        assert!(recognise("{\"report\": [").is_err());
    }

    #[test]
    fn cut_anywhere_is_an_error_or_a_verdict_never_a_panic() {
        for text in [
            vm_fixture!("docker-devicemapper--fullreport.out"),
            vm_fixture!("docker-devicemapper--lvs.out"),
            vm_fixture!("pool-unmonitored--lvs-text.out"),
            vm_fixture!("ops-07-full-dmsetup-status.out"),
            vm_fixture!("docker-devicemapper--dmsetup-table.out"),
            vm_fixture!("docker-devicemapper--docker-info.out"),
            vm_fixture!("docker-devicemapper--docker-info-json.out"),
            vm_fixture!("containerd-devmapper--config.out"),
        ] {
            let step = (text.len() / 97).max(1);
            for cut in (0..text.len()).step_by(step) {
                let Some(t) = text.get(..cut) else { continue };
                if let Ok(b) = Bundle::parse(&[input("cut", t)]) {
                    let _ = evidence(&b, None).map(|ev| super::super::judge(&ev));
                }
            }
        }
    }

    #[test]
    fn evidence_runs_nothing() {
        let b = Bundle::parse(&[
            input("fr", vm_fixture!("docker-devicemapper--fullreport.out")),
            input("st", vm_fixture!("docker-devicemapper--dmsetup-status.out")),
            input("di", vm_fixture!("docker-devicemapper--docker-info.out")),
        ])
        .unwrap();
        // evidence() fails if its runner was asked anything.
        let ev = evidence(&b, None).unwrap();
        let p = ev.pool.unwrap();
        assert_eq!(p.pool_path(), "docker/thinpool");
        assert!(p.active);
        assert_eq!(p.mode, "rw");
    }
}
