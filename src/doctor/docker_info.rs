//! `docker info`, as text and as `--format '{{json .}}'`: what doctor can
//! learn from it (the storage driver and its devicemapper status, the
//! server version, Docker's own warnings).

use anyhow::{bail, Context, Result};

use crate::docker::version::{parse_dockerd_version, DockerVersion};

/// What `docker info` says, as far as doctor cares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DockerInfo {
    pub server_version: Option<DockerVersion>,
    /// `Storage Driver` / `Driver`.
    pub driver: Option<String>,
    /// devicemapper's `Pool Name` (a dm name).
    pub pool_name: Option<String>,
    pub pool_blocksize: Option<u64>,
    pub udev_sync: Option<bool>,
    /// loop-lvm: `Data loop file`.
    pub data_loop_file: Option<String>,
    pub data_used: Option<u64>,
    pub data_total: Option<u64>,
    pub data_available: Option<u64>,
    pub metadata_used: Option<u64>,
    pub metadata_total: Option<u64>,
    pub metadata_available: Option<u64>,
    pub min_free_space: Option<u64>,
    pub root_dir: Option<String>,
    /// `WARNING: ...` lines (text) or `Warnings` (JSON).
    pub warnings: Vec<String>,
    /// The client could not reach the daemon.
    pub server_error: Option<String>,
}

/// go-units' HumanSize as Docker prints it: decimal units, `524.3kB`,
/// `2.034GB`, `0B`.
pub fn parse_docker_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .with_context(|| format!("size {t:?} has no unit"))?;
    let (num, unit) = t.split_at(split);
    let v: f64 = num
        .parse()
        .with_context(|| format!("size {t:?}: {num:?} is not a number"))?;
    let mul = match unit.trim() {
        "B" => 1.0,
        "kB" | "KB" | "KiB" => 1e3,
        "MB" | "MiB" => 1e6,
        "GB" | "GiB" => 1e9,
        "TB" | "TiB" => 1e12,
        "PB" | "PiB" => 1e15,
        u => bail!("size {t:?}: unknown unit {u:?}"),
    };
    Ok((v * mul).round() as u64)
}

/// True when `text` looks like the text form of `docker info`.
pub fn is_text(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("Server Version:") || t.starts_with("Storage Driver:")
    }) || (text.lines().any(|l| l.trim_end() == "Server:")
        && text.lines().any(|l| l.trim_end() == "Client:"))
}

/// True when `v` is the JSON form of `docker info`.
pub fn is_json(v: &serde_json::Value) -> bool {
    v.get("DriverStatus").is_some()
        || v.get("ServerVersion").is_some()
        || v.get("ServerErrors").is_some()
}

impl DockerInfo {
    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let value = value.trim();
        let size = |v: &str| -> Result<Option<u64>> {
            parse_docker_size(v)
                .map(Some)
                .with_context(|| format!("docker info: {key}"))
        };
        match key {
            "Server Version" | "ServerVersion" => {
                self.server_version = parse_dockerd_version(&format!("Docker version {value}"));
                if self.server_version.is_none() && !value.is_empty() {
                    bail!("docker info: Server Version {value:?} is not a version");
                }
            }
            "Storage Driver" | "Driver" => self.driver = Some(value.to_string()),
            "Pool Name" => self.pool_name = Some(value.to_string()),
            "Pool Blocksize" => self.pool_blocksize = size(value)?,
            "Udev Sync Supported" => {
                self.udev_sync = match value {
                    "true" => Some(true),
                    "false" => Some(false),
                    v => bail!("docker info: Udev Sync Supported {v:?} is neither true nor false"),
                }
            }
            "Data loop file" => self.data_loop_file = Some(value.to_string()),
            "Data Space Used" => self.data_used = size(value)?,
            "Data Space Total" => self.data_total = size(value)?,
            "Data Space Available" => self.data_available = size(value)?,
            "Metadata Space Used" => self.metadata_used = size(value)?,
            "Metadata Space Total" => self.metadata_total = size(value)?,
            "Metadata Space Available" => self.metadata_available = size(value)?,
            "Thin Pool Minimum Free Space" => self.min_free_space = size(value)?,
            "Docker Root Dir" | "DockerRootDir" => self.root_dir = Some(value.to_string()),
            _ => {}
        }
        Ok(())
    }

    /// The text form. Keys are taken where they first appear.
    pub fn from_text(text: &str) -> Result<Self> {
        let mut d = DockerInfo::default();
        let mut seen = std::collections::BTreeSet::new();
        for line in text.lines() {
            let t = line.trim();
            if let Some(w) = t.strip_prefix("WARNING:") {
                d.warnings.push(format!("WARNING:{w}"));
                continue;
            }
            if let Some(e) = t.strip_prefix("ERROR:") {
                d.server_error = Some(e.trim().to_string());
                continue;
            }
            if let Some((k, v)) = t.split_once(':') {
                if seen.insert(k.to_string()) {
                    d.set(k, v)?;
                }
            }
        }
        d.check_complete()?;
        Ok(d)
    }

    /// The JSON form (`docker info --format '{{json .}}'`).
    pub fn from_json(v: &serde_json::Value) -> Result<Self> {
        let mut d = DockerInfo::default();
        if let Some(e) = v
            .get("ServerErrors")
            .and_then(|e| e.as_array())
            .and_then(|a| a.first())
        {
            d.server_error = e.as_str().map(str::to_string);
        }
        for key in ["ServerVersion", "Driver", "DockerRootDir"] {
            if let Some(s) = v.get(key) {
                let s = s
                    .as_str()
                    .with_context(|| format!("docker info: {key} is not a string"))?;
                d.set(key, s)?;
            }
        }
        if let Some(ds) = v.get("DriverStatus").filter(|d| !d.is_null()) {
            let pairs = ds
                .as_array()
                .context("docker info: DriverStatus is not a list")?;
            for p in pairs {
                match p.as_array().map(|a| a.as_slice()) {
                    Some([k, val]) => {
                        let (Some(k), Some(val)) = (k.as_str(), val.as_str()) else {
                            bail!("docker info: DriverStatus entry {p} is not two strings");
                        };
                        d.set(k, val)?;
                    }
                    _ => bail!("docker info: DriverStatus entry {p} is not a [key, value] pair"),
                }
            }
        }
        if let Some(w) = v.get("Warnings").and_then(|w| w.as_array()) {
            d.warnings = w
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
        }
        d.check_complete()?;
        Ok(d)
    }

    /// A daemon's answer names its version and driver; a cut-off paste
    /// does not.
    fn check_complete(&self) -> Result<()> {
        if self.server_error.is_some() {
            return Ok(());
        }
        if self.server_version.is_none() || self.driver.is_none() {
            bail!(
                "docker info has no {} (truncated?)",
                if self.server_version.is_none() {
                    "Server Version"
                } else {
                    "Storage Driver"
                }
            );
        }
        if self.driver.as_deref() == Some("devicemapper")
            && (self.data_total.is_none() || self.metadata_total.is_none())
        {
            bail!("docker info: devicemapper without Data/Metadata Space Total (truncated?)");
        }
        Ok(())
    }

    pub fn devicemapper(&self) -> bool {
        self.driver.as_deref() == Some("devicemapper")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_text_and_json_agree() {
        let t = DockerInfo::from_text(vm_fixture!("docker-devicemapper--docker-info.out")).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(vm_fixture!("docker-devicemapper--docker-info-json.out")).unwrap();
        let j = DockerInfo::from_json(&v).unwrap();
        assert_eq!(t.pool_name.as_deref(), Some("docker-thinpool"));
        assert_eq!(t.data_total, Some(2_034_000_000));
        assert_eq!(t.pool_blocksize, Some(524_300));
        assert_eq!(t.udev_sync, Some(true));
        assert_eq!(t.server_version.as_ref().unwrap().major, 20);
        assert!(t.devicemapper());
        let strip = |mut d: DockerInfo| {
            d.warnings.clear();
            d
        };
        assert_eq!(strip(t), strip(j.clone()));
        assert_eq!(j.warnings.len(), 2);
        let stopped =
            DockerInfo::from_text(vm_fixture!("docker-stopped--docker-info.out")).unwrap();
        assert!(stopped.server_error.unwrap().contains("Cannot connect"));
    }

    #[test]
    fn cut_off_or_wrong_values_are_errors() {
        let t = vm_fixture!("docker-devicemapper--docker-info.out");
        let cut: String = t.lines().take(18).collect::<Vec<_>>().join("\n");
        let e = DockerInfo::from_text(&cut).unwrap_err();
        assert!(format!("{e:#}").contains("truncated"), "{e:#}");
        let bad = t.replace("Data Space Used: 76.55MB", "Data Space Used: lots");
        let e = DockerInfo::from_text(&bad).unwrap_err();
        assert!(format!("{e:#}").contains("Data Space Used"), "{e:#}");
        assert_eq!(parse_docker_size("0B").unwrap(), 0);
        assert!(parse_docker_size("12").is_err());
    }
}
