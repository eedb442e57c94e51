//! Typed views over lvm2's JSON reports (`--reportformat json --units b
//! --nosuffix`). LVM writes every value as a string; each conversion names
//! the field it rejects.

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One report row: field name → value, as LVM printed it.
pub type Row = BTreeMap<String, String>;

#[derive(Deserialize)]
struct Doc {
    report: Vec<BTreeMap<String, Vec<Row>>>,
}

/// All rows of one kind (`pv`, `vg`, `lv`, `seg`, `pvseg`) across every
/// report in the document; `lvm fullreport` prints one report per VG.
pub fn rows(json: &str, kind: &str) -> Result<Vec<Row>> {
    let doc: Doc = serde_json::from_str(json).context("LVM JSON report is malformed")?;
    Ok(doc
        .report
        .into_iter()
        .filter_map(|mut r| r.remove(kind))
        .flatten()
        .collect())
}

fn field<'a>(row: &'a Row, name: &str) -> Result<&'a str> {
    row.get(name)
        .map(|s| s.trim())
        .ok_or_else(|| anyhow!("LVM report row has no field {name:?}"))
}

fn bytes(row: &Row, name: &str) -> Result<u64> {
    let v = field(row, name)?;
    v.parse().map_err(|_| {
        anyhow!("LVM field {name}: {v:?} is not a byte count (was --units b --nosuffix lost?)")
    })
}

fn opt_bytes(row: &Row, name: &str) -> Result<Option<u64>> {
    match row.get(name).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(_) => bytes(row, name).map(Some),
    }
}

fn opt_percent(row: &Row, name: &str) -> Result<Option<f64>> {
    match row.get(name).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| anyhow!("LVM field {name}: {v:?} is not a percentage")),
    }
}

fn text(row: &Row, name: &str) -> String {
    row.get(name)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pv {
    pub name: String,
    /// Empty for an orphan PV.
    pub vg_name: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vg {
    pub name: String,
    pub size: u64,
    pub free: u64,
    pub extent_size: u64,
    pub extent_count: u64,
    pub free_count: u64,
    pub pv_count: u64,
    pub lv_count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lv {
    pub name: String,
    pub vg_name: String,
    pub uuid: String,
    pub attr: String,
    pub size: u64,
    /// `thin-pool`, `thin`, `linear`, … (from the first segment).
    pub segtype: String,
    /// For a thin LV: the pool it lives in.
    pub pool_lv: String,
    pub metadata_size: Option<u64>,
    pub chunk_size: Option<u64>,
    pub profile: String,
    /// `monitored`, `not monitored`, or empty.
    pub monitor: String,
    pub active: bool,
    pub data_percent: Option<f64>,
    pub metadata_percent: Option<f64>,
    /// `zero` as LVM reports it for a pool: "zero" when zeroing new blocks.
    pub zero: String,
    pub when_full: String,
    pub health: String,
    /// Devices of the first segment, e.g. `/dev/vdb(0)` or `[thinpool_tdata](0)`.
    pub devices: String,
}

impl Lv {
    pub fn is_thin_pool(&self) -> bool {
        self.segtype == "thin-pool" || self.attr.starts_with('t')
    }
    /// Hidden LVs (`[thinpool_tdata]`, `[lvol0_pmspare]`).
    pub fn is_hidden(&self) -> bool {
        self.name.starts_with('[')
    }
    pub fn is_open(&self) -> bool {
        self.attr.chars().nth(5) == Some('o')
    }
    pub fn is_monitored(&self) -> bool {
        self.monitor == "monitored"
    }
    /// LVM's zero flag: true when the pool zeroes newly provisioned blocks.
    pub fn zeroing(&self) -> bool {
        self.zero == "zero" || self.attr.chars().nth(7) == Some('z')
    }
}

/// Everything LVM knows about PVs, VGs and LVs on this host.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LvmState {
    pub pvs: Vec<Pv>,
    pub vgs: Vec<Vg>,
    pub lvs: Vec<Lv>,
}

fn same_device(a: &str, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    Path::new(a) == b || canon(Path::new(a)) == canon(b)
}

impl LvmState {
    /// Parse a `lvm fullreport` (or pvs/vgs/lvs) JSON document. Segment rows
    /// are joined to their LV by `lv_uuid`; the first segment wins.
    pub fn from_report(json: &str) -> Result<Self> {
        let mut st = LvmState::default();
        for r in rows(json, "vg")? {
            let vg = Vg {
                name: field(&r, "vg_name")?.to_string(),
                size: bytes(&r, "vg_size")?,
                free: bytes(&r, "vg_free")?,
                extent_size: bytes(&r, "vg_extent_size")?,
                extent_count: field(&r, "vg_extent_count")?
                    .parse()
                    .context("vg_extent_count")?,
                free_count: field(&r, "vg_free_count")?
                    .parse()
                    .context("vg_free_count")?,
                pv_count: field(&r, "pv_count")?.parse().context("pv_count")?,
                lv_count: field(&r, "lv_count")?.parse().context("lv_count")?,
            };
            if !st.vgs.iter().any(|v| v.name == vg.name) {
                st.vgs.push(vg);
            }
        }
        for r in rows(json, "pv")? {
            let pv = Pv {
                name: field(&r, "pv_name")?.to_string(),
                vg_name: text(&r, "vg_name"),
                size: bytes(&r, "pv_size")?,
            };
            if !st.pvs.iter().any(|p| p.name == pv.name) {
                st.pvs.push(pv);
            }
        }
        let mut segs: BTreeMap<String, Row> = BTreeMap::new();
        for r in rows(json, "seg")? {
            let uuid = text(&r, "lv_uuid");
            segs.entry(uuid).or_insert(r);
        }
        for mut r in rows(json, "lv")? {
            if let Some(seg) = segs.get(&text(&r, "lv_uuid")) {
                for (k, v) in seg {
                    r.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            let lv = Lv {
                name: field(&r, "lv_name")?.to_string(),
                vg_name: field(&r, "vg_name")?.to_string(),
                uuid: text(&r, "lv_uuid"),
                attr: field(&r, "lv_attr")?.to_string(),
                size: bytes(&r, "lv_size")?,
                segtype: text(&r, "segtype"),
                pool_lv: text(&r, "pool_lv"),
                metadata_size: opt_bytes(&r, "lv_metadata_size")?,
                chunk_size: opt_bytes(&r, "chunk_size")?.filter(|c| *c > 0),
                profile: text(&r, "lv_profile"),
                monitor: text(&r, "seg_monitor"),
                active: text(&r, "lv_active") == "active"
                    || field(&r, "lv_attr")?.chars().nth(4) == Some('a'),
                data_percent: opt_percent(&r, "data_percent")?,
                metadata_percent: opt_percent(&r, "metadata_percent")?,
                zero: text(&r, "zero"),
                when_full: text(&r, "lv_when_full"),
                health: text(&r, "lv_health_status"),
                devices: text(&r, "devices"),
            };
            st.lvs.push(lv);
        }
        Ok(st)
    }

    pub fn vg(&self, name: &str) -> Option<&Vg> {
        self.vgs.iter().find(|v| v.name == name)
    }

    pub fn lv(&self, vg: &str, name: &str) -> Option<&Lv> {
        self.lvs.iter().find(|l| l.vg_name == vg && l.name == name)
    }

    /// Visible and hidden LVs of a VG.
    pub fn lvs_of<'a>(&'a self, vg: &'a str) -> impl Iterator<Item = &'a Lv> + 'a {
        self.lvs.iter().filter(move |l| l.vg_name == vg)
    }

    pub fn pvs_of<'a>(&'a self, vg: &'a str) -> impl Iterator<Item = &'a Pv> + 'a {
        self.pvs.iter().filter(move |p| p.vg_name == vg)
    }

    /// The PV on `dev`, if it is one (paths compared after resolving links).
    pub fn pv_on(&self, dev: &Path) -> Option<&Pv> {
        self.pvs.iter().find(|p| same_device(&p.name, dev))
    }

    /// Thin pools on the host.
    pub fn thin_pools(&self) -> impl Iterator<Item = &Lv> {
        self.lvs
            .iter()
            .filter(|l| l.is_thin_pool() && !l.is_hidden())
    }

    /// Thin volumes living in `vg/pool`.
    pub fn thin_volumes<'a>(
        &'a self,
        vg: &'a str,
        pool: &'a str,
    ) -> impl Iterator<Item = &'a Lv> + 'a {
        self.lvs_of(vg).filter(move |l| l.pool_lv == pool)
    }
}

/// The fields dmctl asks LVM for, per subreport.
pub const VG_FIELDS: &str =
    "vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,pv_count,lv_count";
pub const PV_FIELDS: &str = "pv_name,vg_name,pv_size";
pub const LV_FIELDS: &str = "lv_uuid,lv_name,vg_name,lv_attr,lv_size,pool_lv,lv_metadata_size,\
lv_profile,lv_active,data_percent,metadata_percent,lv_when_full,lv_health_status";
pub const SEG_FIELDS: &str = "lv_uuid,segtype,chunk_size,seg_monitor,zero,devices";

/// Resolve a device path for comparison: follows symlinks such as
/// /dev/disk/by-id/*.
pub fn canonical(dev: &Path) -> PathBuf {
    std::fs::canonicalize(dev).unwrap_or_else(|_| dev.to_path_buf())
}

/// Reject a report whose VG says it has more PVs than the report lists
/// (a missing PV: LVM prints "[unknown]").
pub fn check_complete(st: &LvmState, vg: &str) -> Result<()> {
    if let Some(v) = st.vg(vg) {
        let listed = st.pvs_of(vg).count() as u64;
        if listed != v.pv_count || st.pvs_of(vg).any(|p| p.name == "[unknown]") {
            bail!(
                "VG {vg} reports {} PVs but {listed} were found: a disk is missing; run `vgs -o+pv_missing`",
                v.pv_count
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LVS_ALL: &str = include_str!("../../tests/fixtures/shared/08b-lvs-json-all.out");

    #[test]
    fn rows_of_a_real_lvs_report() {
        let r = rows(LVS_ALL, "lv").unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r[1]["lv_name"], "thinpool");
        assert_eq!(r[1]["seg_monitor"], "monitored");
        assert_eq!(r[1]["lv_profile"], "docker-thinpool");
        assert!(rows(LVS_ALL, "vg").unwrap().is_empty());
    }

    #[test]
    fn human_sizes_are_rejected_by_name() {
        // This fixture was captured without --units b --nosuffix.
        let err = LvmState::from_report(LVS_ALL).unwrap_err();
        assert!(format!("{err:#}").contains("lv_size"), "{err:#}");
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(rows("{", "lv").is_err());
        assert!(rows(r#"{"report": 3}"#, "lv").is_err());
    }
}
