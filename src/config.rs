//! Resolving pool settings: defaults, then the TOML file, then flags.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::cli::{PoolOpts, TargetKind};
use crate::dm;
use crate::error::refused;
use crate::lvm::size::{human, parse_size};

/// Read when --config is not given; a missing default file is fine.
pub const DEFAULT_CONFIG: &str = "/etc/dmctl/dmctl.toml";

/// LVM's limits for thin-pool metadata (lvm2: DEFAULT_THIN_POOL_MIN/
/// MAX_METADATA_SIZE).
pub const MIN_METADATA: u64 = 2 << 20;
pub const MAX_METADATA: u64 = 255 * ((1 << 14) - 64) * 4 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataSpec {
    /// Percent of the VG, clamped to LVM's limits.
    Percent(u8),
    /// Exact bytes.
    Size(u64),
}

/// Validated settings for one pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub vg: String,
    pub pool: String,
    pub data_percent: u8,
    pub metadata: MetadataSpec,
    pub chunk_size: u64,
    pub autoextend_threshold: u8,
    pub autoextend_percent: u8,
    pub profile_dir: PathBuf,
    pub daemon_json: PathBuf,
    pub basesize: Option<String>,
    pub fs: Option<String>,
    /// `--target` as given (None: decided from the installed dockerd).
    pub target: Option<TargetKind>,
    pub containerd_config: PathBuf,
    pub root_path: String,
    pub base_image_size: String,
    pub async_remove: Option<bool>,
    pub discard_blocks: Option<bool>,
    pub fs_options: Option<String>,
    /// Make devmapper the CRI plugin's snapshotter.
    pub cri_snapshotter: bool,
    pub lv_name: String,
    /// The thin LV's virtual size in bytes.
    pub lv_size: u64,
    pub data_root: PathBuf,
    pub overlay2_size: Option<String>,
    /// `setup --install-unit` (not a config key).
    pub install_unit: bool,
    /// `activate --wait` seconds (not a config key).
    pub activate_wait: u64,
}

impl Settings {
    /// LVM profile name: `<vg>-<pool>` (`docker-thinpool` by default).
    pub fn profile_name(&self) -> String {
        format!("{}-{}", self.vg, self.pool)
    }
    pub fn profile_path(&self) -> PathBuf {
        self.profile_dir
            .join(format!("{}.profile", self.profile_name()))
    }
    /// `vg/pool`.
    pub fn pool_path(&self) -> String {
        format!("{}/{}", self.vg, self.pool)
    }
    /// The data LV's name before conversion is the pool's name; the
    /// metadata LV is `<pool>meta`, as in Docker's direct-lvm recipe.
    pub fn meta_lv(&self) -> String {
        format!("{}meta", self.pool)
    }
    pub fn thinpooldev(&self) -> String {
        dm::mapper_path(&self.vg, &self.pool)
    }
    /// `vg/lv` of the docker-overlay2 thin LV.
    pub fn data_lv_path(&self) -> String {
        format!("{}/{}", self.vg, self.lv_name)
    }
    pub fn data_lv_dev(&self) -> String {
        dm::mapper_path(&self.vg, &self.lv_name)
    }
    /// The devmapper snapshotter settings for containerd.
    pub fn devmapper_want(&self) -> crate::containerd::DevmapperWant {
        crate::containerd::DevmapperWant {
            pool_name: dm::dm_name(&self.vg, &self.pool),
            root_path: self.root_path.clone(),
            base_image_size: self.base_image_size.clone(),
            async_remove: self.async_remove,
            discard_blocks: self.discard_blocks,
            fs_type: self.fs.clone(),
            fs_options: self.fs_options.clone(),
            cri_snapshotter: self.cri_snapshotter,
        }
    }
}

/// Read the config file. `explicit` = the user named it (missing is then
/// an error); otherwise a missing default file means "no config".
pub fn load_file(path: Option<&Path>) -> Result<PoolOpts> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(PoolOpts::default())
        }
        Err(e) => {
            return Err(refused(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    toml::from_str(&text).map_err(|e| {
        refused(format!(
            "config file {} is invalid: {}",
            path.display(),
            e.to_string().trim().replace('\n', " ")
        ))
    })
}

/// Flags win over the file.
pub fn merge(flags: &PoolOpts, file: &PoolOpts) -> PoolOpts {
    macro_rules! pick {
        ($($f:ident),*) => { PoolOpts { $($f: flags.$f.clone().or_else(|| file.$f.clone()),)* } };
    }
    let mut m = pick!(
        vg,
        pool,
        data_percent,
        metadata_percent,
        metadata_size,
        chunk_size,
        autoextend_threshold,
        autoextend_percent,
        profile_dir,
        daemon_json,
        basesize,
        fs,
        target,
        containerd_config,
        root_path,
        base_image_size,
        async_remove,
        discard_blocks,
        fs_options,
        cri_snapshotter,
        lv_name,
        lv_size,
        data_root,
        overlay2_size
    );
    // A metadata flag of either kind replaces the file's metadata choice.
    if flags.metadata_percent.is_some() {
        m.metadata_size = None;
    } else if flags.metadata_size.is_some() {
        m.metadata_percent = None;
    }
    m
}

/// LVM's rules for VG and LV names (lvm(8) "VALID NAMES").
pub fn check_lvm_name(kind: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 127 {
        return Err(format!("{kind} name {name:?} must be 1..127 characters"));
    }
    if name.starts_with('-') || name == "." || name == ".." {
        return Err(format!(
            "{kind} name {name:?} may not start with '-' or be . or .."
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+_.-".contains(*c)))
    {
        return Err(format!(
            "{kind} name {name:?} has {c:?}; only a-z A-Z 0-9 + _ . - are allowed"
        ));
    }
    for bad in [
        "_cdata", "_cmeta", "_corig", "_mlog", "_mimage", "_pmspare", "_rimage", "_rmeta",
        "_tdata", "_tmeta", "_vorigin", "_vdata",
    ] {
        if name.contains(bad) {
            return Err(format!(
                "{kind} name {name:?} contains the reserved {bad:?}"
            ));
        }
    }
    Ok(())
}

/// Apply defaults and validate. Every problem is an invalid-input refusal.
pub fn resolve(o: &PoolOpts) -> Result<Settings> {
    let mut problems = Vec::new();
    let vg = o.vg.clone().unwrap_or_else(|| "docker".into());
    let pool = o.pool.clone().unwrap_or_else(|| "thinpool".into());
    if let Err(e) = check_lvm_name("VG", &vg) {
        problems.push(e);
    }
    if let Err(e) = check_lvm_name("pool", &pool) {
        problems.push(e);
    }
    let data_percent = o.data_percent.unwrap_or(95);
    if !(1..=98).contains(&data_percent) {
        problems.push(format!("data-percent {data_percent} must be 1..98"));
    }
    let metadata = match (&o.metadata_size, o.metadata_percent) {
        (Some(s), _) => match parse_size(s) {
            Ok(b) if (MIN_METADATA..=MAX_METADATA).contains(&b) => MetadataSpec::Size(b),
            Ok(b) => {
                problems.push(format!(
                    "metadata-size {} is outside LVM's limits {}..{}",
                    human(b),
                    human(MIN_METADATA),
                    human(MAX_METADATA)
                ));
                MetadataSpec::Size(b)
            }
            Err(e) => {
                problems.push(format!("metadata-size: {e}"));
                MetadataSpec::Size(0)
            }
        },
        (None, p) => {
            let p = p.unwrap_or(1);
            if !(1..=20).contains(&p) {
                problems.push(format!("metadata-percent {p} must be 1..20"));
            }
            MetadataSpec::Percent(p)
        }
    };
    let chunk_size = match o
        .chunk_size
        .as_deref()
        .map(parse_size)
        .unwrap_or(Ok(512 << 10))
    {
        Ok(c) if (64 << 10..=1 << 30).contains(&c) && c % (64 << 10) == 0 => c,
        Ok(c) => {
            problems.push(format!(
                "chunk-size {} must be a multiple of 64 KiB between 64 KiB and 1 GiB",
                human(c)
            ));
            c
        }
        Err(e) => {
            problems.push(format!("chunk-size: {e}"));
            0
        }
    };
    let autoextend_threshold = o.autoextend_threshold.unwrap_or(80);
    if !(50..=100).contains(&autoextend_threshold) {
        problems.push(format!(
            "autoextend-threshold {autoextend_threshold} must be 50..100 (100 turns autoextend off)"
        ));
    }
    let autoextend_percent = o.autoextend_percent.unwrap_or(20);
    if !(1..=100).contains(&autoextend_percent) {
        problems.push(format!(
            "autoextend-percent {autoextend_percent} must be 1..100"
        ));
    }
    if let Some(b) = &o.basesize {
        if let Err(e) = crate::docker::dmopts::parse_docker_size(b) {
            problems.push(format!("basesize: {e}"));
        }
    }
    let lv_name = o.lv_name.clone().unwrap_or_else(|| "docker-data".into());
    if let Err(e) = check_lvm_name("thin LV", &lv_name) {
        problems.push(e);
    }
    if lv_name == pool {
        problems.push(format!("lv-name {lv_name:?} is the pool's name"));
    }
    let lv_size = match parse_size(o.lv_size.as_deref().unwrap_or("10G")) {
        Ok(b) if b >= 300 << 20 => b,
        Ok(b) => {
            problems.push(format!(
                "lv-size {} is below xfs's minimum of 300 MiB",
                human(b)
            ));
            b
        }
        Err(e) => {
            problems.push(format!("lv-size: {e}"));
            0
        }
    };
    let data_root = o
        .data_root
        .clone()
        .unwrap_or_else(|| PathBuf::from("/var/lib/docker"));
    if !data_root.is_absolute() || data_root == Path::new("/") {
        problems.push(format!(
            "data-root {} must be an absolute path other than /",
            data_root.display()
        ));
    }
    if let Some(b) = &o.overlay2_size {
        if let Err(e) = crate::docker::dmopts::parse_docker_size(b) {
            problems.push(format!("overlay2-size: {e}"));
        }
    }
    let mut dm_want = crate::containerd::DevmapperWant {
        pool_name: "x".into(),
        root_path: o
            .root_path
            .clone()
            .unwrap_or_else(|| crate::containerd::DEFAULT_ROOT_PATH.into()),
        base_image_size: o
            .base_image_size
            .clone()
            .unwrap_or_else(|| crate::containerd::DEFAULT_BASE_IMAGE_SIZE.into()),
        async_remove: None,
        discard_blocks: None,
        fs_type: None,
        fs_options: None,
        cri_snapshotter: false,
    };
    problems.extend(crate::containerd::validate(&dm_want));
    dm_want.pool_name.clear();
    if !problems.is_empty() {
        return Err(refused(format!(
            "invalid settings: {}",
            problems.join("; ")
        )));
    }
    Ok(Settings {
        vg,
        pool,
        data_percent,
        metadata,
        chunk_size,
        autoextend_threshold,
        autoextend_percent,
        profile_dir: o
            .profile_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("/etc/lvm/profile")),
        daemon_json: o
            .daemon_json
            .clone()
            .unwrap_or_else(|| PathBuf::from("/etc/docker/daemon.json")),
        basesize: o.basesize.clone(),
        fs: o.fs.map(|f| f.as_str().to_string()),
        target: o.target,
        containerd_config: o
            .containerd_config
            .clone()
            .unwrap_or_else(|| PathBuf::from(crate::containerd::DEFAULT_CONFIG)),
        root_path: dm_want.root_path,
        base_image_size: dm_want.base_image_size,
        async_remove: o.async_remove,
        discard_blocks: o.discard_blocks,
        fs_options: o.fs_options.clone(),
        cri_snapshotter: o.cri_snapshotter.unwrap_or(false),
        lv_name,
        lv_size,
        data_root,
        overlay2_size: o.overlay2_size.clone(),
        install_unit: false,
        activate_wait: 30,
    })
}

/// Settings from flags and the config file. A value that is invalid is
/// named with where it came from: the file (when the flags alone resolve)
/// or the command line.
pub fn settings(config: Option<&Path>, flags: &PoolOpts) -> Result<Settings> {
    let file = load_file(config).context("loading the config file")?;
    resolve(&merge(flags, &file)).map_err(|e| {
        let path = config.unwrap_or(Path::new(DEFAULT_CONFIG));
        let msg = format!("{e:#}");
        if resolve(flags).is_ok() {
            refused(format!("config file {}: {msg}", path.display()))
        } else {
            refused(format!("command line: {msg}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit, exit_code};

    #[test]
    fn an_invalid_value_names_its_source() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("dmctl.toml");
        std::fs::write(&f, "chunk-size = \"12Q\"\n").unwrap();
        let e = settings(Some(&f), &PoolOpts::default()).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        let m = format!("{e:#}");
        assert!(
            m.contains(&f.display().to_string()) && m.contains("chunk-size") && m.contains("12Q"),
            "{m}"
        );
        // A valid flag wins over the bad file value.
        let flags = PoolOpts {
            chunk_size: Some("512K".into()),
            ..PoolOpts::default()
        };
        assert!(settings(Some(&f), &flags).is_ok());
        // A bad flag is the command line's.
        std::fs::write(&f, "").unwrap();
        let flags = PoolOpts {
            data_percent: Some(0),
            ..PoolOpts::default()
        };
        let m = format!("{:#}", settings(Some(&f), &flags).unwrap_err());
        assert!(m.starts_with("command line: "), "{m}");
    }

    #[test]
    fn defaults_are_the_direct_lvm_recipe() {
        let s = resolve(&PoolOpts::default()).unwrap();
        assert_eq!(s.vg, "docker");
        assert_eq!(s.pool, "thinpool");
        assert_eq!(s.data_percent, 95);
        assert_eq!(s.metadata, MetadataSpec::Percent(1));
        assert_eq!(s.chunk_size, 512 * 1024);
        assert_eq!((s.autoextend_threshold, s.autoextend_percent), (80, 20));
        assert_eq!(
            s.profile_path(),
            Path::new("/etc/lvm/profile/docker-thinpool.profile")
        );
        assert_eq!(s.thinpooldev(), "/dev/mapper/docker-thinpool");
        assert_eq!(s.meta_lv(), "thinpoolmeta");
    }

    #[test]
    fn flags_win_over_file() {
        let file: PoolOpts = toml::from_str(
            "vg = \"filevg\"\npool = \"filepool\"\nmetadata-size = \"1G\"\nautoextend-threshold = 70\n",
        )
        .unwrap();
        let flags = PoolOpts {
            vg: Some("flagvg".into()),
            metadata_percent: Some(2),
            ..Default::default()
        };
        let s = resolve(&merge(&flags, &file)).unwrap();
        assert_eq!(s.vg, "flagvg");
        assert_eq!(s.pool, "filepool");
        assert_eq!(s.metadata, MetadataSpec::Percent(2));
        assert_eq!(s.autoextend_threshold, 70);
    }

    #[test]
    fn unknown_config_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("dmctl.toml");
        std::fs::write(&p, "vgname = \"x\"\n").unwrap();
        let e = load_file(Some(&p)).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("vgname"), "{e}");
        let missing = dir.path().join("nope.toml");
        assert_eq!(
            exit_code(&load_file(Some(&missing)).unwrap_err()),
            exit::REFUSED
        );
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let o = PoolOpts {
            vg: Some("-bad".into()),
            pool: Some("x_tmeta".into()),
            data_percent: Some(99),
            metadata_size: Some("1M".into()),
            chunk_size: Some("100K".into()),
            autoextend_threshold: Some(40),
            autoextend_percent: Some(0),
            basesize: Some("ten".into()),
            ..Default::default()
        };
        let msg = resolve(&o).unwrap_err().to_string();
        for needle in [
            "-bad",
            "_tmeta",
            "data-percent 99",
            "metadata-size 1 MiB",
            "chunk-size 100 KiB",
            "threshold 40",
            "percent 0",
            "basesize",
        ] {
            assert!(msg.contains(needle), "{needle} missing in {msg}");
        }
    }

    #[test]
    fn lvm_name_rules() {
        assert!(check_lvm_name("VG", "docker-vg").is_ok());
        assert!(check_lvm_name("VG", "a b").unwrap_err().contains("' '"));
        assert!(check_lvm_name("VG", "..").is_err());
        assert!(check_lvm_name("VG", &"x".repeat(128)).is_err());
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// examples/dmctl.toml names every key with its default.
    #[test]
    fn example_config_is_valid_and_matches_defaults() {
        let text = include_str!("../examples/dmctl.toml");
        let o: PoolOpts = toml::from_str(text).unwrap();
        assert_eq!(resolve(&o).unwrap(), resolve(&PoolOpts::default()).unwrap());
        // Every key, set or commented out, is a real key.
        let all = text.replace("# metadata-size", "metadata-size");
        let all = all.replace("# basesize", "basesize").replace("# fs", "fs");
        let all = all
            .replace("# target", "target")
            .replace("# async-remove", "async-remove")
            .replace("# discard-blocks", "discard-blocks")
            .replace("# cri-snapshotter", "cri-snapshotter")
            .replace("# overlay2-size", "overlay2-size");
        let all = all.replace("metadata-percent = 1\n", "");
        let o: PoolOpts = toml::from_str(&all).unwrap();
        assert!(o.metadata_size.is_some() && o.basesize.is_some() && o.fs.is_some());
        assert!(o.target.is_some() && o.async_remove.is_some() && o.discard_blocks.is_some());
        assert!(o.fs_options.is_some() && o.overlay2_size.is_some());
        assert_eq!(o.cri_snapshotter, Some(true));
    }
}
