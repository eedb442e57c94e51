//! LVM's reports as people paste them: `lvm fullreport`/`lvs`/`vgs` JSON
//! (with `--units b --nosuffix`, or LVM's default human units) and the
//! `lvs` text table. Everything ends in [`LvmState::from_report`], the
//! host's own parser; this module only turns the other forms into it.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;

use crate::lvm::report::{rows, Row};
use crate::lvm::LvmState;

/// Which of LVM's facts a report carried (a pasted `lvs` lacks some).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LvmCover {
    /// VG rows: size, free, extent size.
    pub vg: bool,
    /// seg_monitor.
    pub monitor: bool,
    /// lv_profile.
    pub profile: bool,
}

/// The `lvs` text table: a header line naming LV, VG and Attr.
pub fn is_text(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|h| {
            let t: Vec<&str> = h.split_whitespace().collect();
            t.contains(&"LV") && t.contains(&"VG") && t.contains(&"Attr")
        })
}

/// LVM's column headings → its field names.
fn field_of(heading: &str) -> Option<&'static str> {
    Some(match heading {
        "LV" => "lv_name",
        "VG" => "vg_name",
        "Attr" => "lv_attr",
        "LSize" => "lv_size",
        "Pool" => "pool_lv",
        "Data%" => "data_percent",
        "Meta%" => "metadata_percent",
        "Monitor" => "seg_monitor",
        "Profile" => "lv_profile",
        "Type" => "segtype",
        "Chunk" => "chunk_size",
        "MSize" => "lv_metadata_size",
        "Health" => "lv_health_status",
        "WhenFull" => "lv_when_full",
        "Active" => "lv_active",
        _ => return None,
    })
}

/// Words of a line with their byte spans.
fn words(line: &str) -> Vec<(usize, usize, &str)> {
    let mut v = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                v.push((s, i, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        v.push((s, line.len(), &line[s..]));
    }
    v
}

/// The `lvs` text table into report rows. A value belongs to the heading
/// whose span it overlaps (LVM left-aligns text, right-aligns numbers);
/// `not monitored` is two words under one heading.
pub fn text_rows(text: &str) -> Result<Vec<Row>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().context("lvs: empty")?;
    let heads = words(header);
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let mut row = Row::new();
        for (s, e, w) in words(line) {
            let Some((_, _, h)) = heads
                .iter()
                .find(|(hs, he, _)| s < *he && e > *hs)
                .or_else(|| heads.iter().rev().find(|(hs, _, _)| *hs <= s))
            else {
                bail!("lvs line {}: {w:?} is under no heading", n + 2);
            };
            if let Some(f) = field_of(h) {
                row.entry(f.to_string())
                    .and_modify(|v: &mut String| {
                        v.push(' ');
                        v.push_str(w)
                    })
                    .or_insert_with(|| w.to_string());
            }
        }
        for need in ["lv_name", "vg_name", "lv_attr"] {
            if !row.contains_key(need) {
                bail!("lvs line {}: no {need} (truncated?)", n + 2);
            }
        }
        out.push(row);
    }
    if out.is_empty() {
        bail!("lvs: a header and no LV (truncated?)");
    }
    Ok(out)
}

/// An LVM size in bytes: `2034237440` (`--units b --nosuffix`), `1.89g`,
/// `<20.00m`, `2034237440B` (LVM's units are binary).
pub fn lvm_bytes(v: &str) -> Result<u64> {
    let t = v.trim().trim_start_matches(['<', '>']);
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .with_context(|| format!("{v:?} is not a size"))?;
    let (num, unit) = t.split_at(split);
    let x: f64 = num
        .parse()
        .with_context(|| format!("{v:?} is not a size"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "b" => 0,
        "s" => return Ok((x * 512.0).round() as u64),
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        "p" => 50,
        u => bail!("{v:?}: unknown LVM unit {u:?}"),
    };
    Ok((x * (1u64 << shift) as f64).round() as u64)
}

/// Rows as LVM's JSON would have them with `--units b --nosuffix`: sizes
/// in bytes, the segment type from lv_attr when not given.
fn normalise(mut r: Row) -> Result<Row> {
    for f in ["lv_size", "lv_metadata_size", "chunk_size"] {
        if let Some(v) = r.get(f).filter(|v| !v.trim().is_empty()) {
            let b = lvm_bytes(v).with_context(|| format!("LVM field {f}"))?;
            r.insert(f.to_string(), b.to_string());
        }
    }
    for f in ["data_percent", "metadata_percent"] {
        if let Some(v) = r.get_mut(f) {
            *v = v.trim_end_matches('%').to_string();
        }
    }
    let attr = r.get("lv_attr").cloned().unwrap_or_default();
    if attr.len() != 10 && !attr.is_empty() {
        bail!("LVM field lv_attr: {attr:?} is not 10 characters");
    }
    if !r.contains_key("segtype") {
        let t = match attr.chars().next() {
            Some('t') => "thin-pool",
            Some('V') => "thin",
            _ => "linear",
        };
        r.insert("segtype".into(), t.into());
    }
    Ok(r)
}

fn state_of(lv: Vec<Row>, vg: Vec<Row>) -> Result<LvmState> {
    let mut doc: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    doc.insert("lv", lv.into_iter().map(normalise).collect::<Result<_>>()?);
    if !vg.is_empty() {
        doc.insert("vg", vg);
    }
    let json = serde_json::json!({ "report": [doc] }).to_string();
    let mut st = LvmState::from_report(&json)?;
    // No VG rows: the VGs the LVs name, their size and free space unknown
    // (LvmCover::vg is false, so no check judges them).
    for lv in &st.lvs.clone() {
        if st.vg(&lv.vg_name).is_none() {
            st.vgs.push(crate::lvm::Vg::unknown(&lv.vg_name));
        }
    }
    Ok(st)
}

fn cover(lv: &[Row], seg: &[Row], vg: bool) -> LvmCover {
    let has = |f: &str| lv.iter().chain(seg).any(|r| r.contains_key(f));
    LvmCover {
        vg,
        monitor: has("seg_monitor"),
        profile: has("lv_profile"),
    }
}

/// The `lvs` text table.
pub fn from_text(text: &str) -> Result<(LvmState, LvmCover)> {
    let r = text_rows(text)?;
    let c = cover(&r, &[], false);
    Ok((state_of(r, Vec::new())?, c))
}

/// An LVM JSON report as the host's parser wants it: sizes in bytes
/// (LVM's default human units converted), and each LV row its VG's name
/// (a plain `lvm fullreport` names the VG only in its `vg` rows).
fn normalise_doc(text: &str) -> Result<String> {
    let mut doc: serde_json::Value =
        serde_json::from_str(text).context("LVM JSON report is malformed")?;
    let reports = doc
        .get_mut("report")
        .and_then(|r| r.as_array_mut())
        .context("LVM JSON report: \"report\" is not a list")?;
    for rep in reports {
        let Some(rep) = rep.as_object_mut() else {
            bail!("LVM JSON report: a report that is not an object");
        };
        let vg_name = rep
            .get("vg")
            .and_then(|v| v.as_array())
            .and_then(|v| v.first())
            .and_then(|v| v.get("vg_name"))
            .cloned();
        for (kind, rows) in rep.iter_mut() {
            let Some(rows) = rows.as_array_mut() else {
                bail!("LVM JSON report: {kind} is not a list");
            };
            for row in rows {
                let Some(row) = row.as_object_mut() else {
                    bail!("LVM JSON report: a {kind} row that is not an object");
                };
                if let (Some(n), "lv" | "pv") = (&vg_name, kind.as_str()) {
                    row.entry("vg_name").or_insert_with(|| n.clone());
                }
                for f in [
                    "lv_size",
                    "lv_metadata_size",
                    "chunk_size",
                    "vg_size",
                    "vg_free",
                    "vg_extent_size",
                    "pv_size",
                ] {
                    if let Some(serde_json::Value::String(v)) = row.get_mut(f) {
                        if !v.trim().is_empty() {
                            *v = lvm_bytes(v)
                                .with_context(|| format!("LVM field {f}"))?
                                .to_string();
                        }
                    }
                }
            }
        }
    }
    Ok(doc.to_string())
}

/// An LVM JSON report (`lvm fullreport`, `lvs`, `vgs`), through the
/// host's parser.
pub fn from_json(text: &str) -> Result<(LvmState, LvmCover)> {
    let text = normalise_doc(text)?;
    let lv = rows(&text, "lv")?;
    let seg = rows(&text, "seg")?;
    let vg = rows(&text, "vg")?;
    if lv.is_empty() && vg.is_empty() {
        bail!("LVM JSON report holds no LV and no VG");
    }
    let c = cover(&lv, &seg, !vg.is_empty());
    if vg.is_empty() && seg.is_empty() {
        return Ok((state_of(lv, vg)?, c));
    }
    Ok((LvmState::from_report(&text)?, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_lvs_text_with_monitor() {
        let t = vm_fixture!("pool-unmonitored--lvs-text.out");
        assert!(is_text(t));
        let (s, c) = from_text(t).unwrap();
        assert!(c.monitor && !c.vg && !c.profile);
        let p = s.lv("docker", "thinpool").unwrap();
        assert!(p.is_thin_pool() && p.active);
        assert_eq!(p.monitor, "not monitored");
        assert_eq!(p.data_percent, Some(0.0));
        assert_eq!(p.metadata_percent, Some(10.18));
        assert_eq!(p.size, lvm_bytes("1.89g").unwrap());
        let (s, _) = from_text(vm_fixture!("pool--lvs-text.out")).unwrap();
        assert_eq!(s.thin_pools().count(), 1);
    }

    #[test]
    fn real_json_reports() {
        let (s, c) = from_json(vm_fixture!("docker-devicemapper--fullreport.out")).unwrap();
        assert!(c.vg && c.monitor && c.profile);
        assert!(s.lv("docker", "thinpool").unwrap().is_monitored());
        let (s, c) = from_json(vm_fixture!("docker-devicemapper--lvs.out")).unwrap();
        assert!(!c.vg && c.monitor);
        assert_eq!(s.lv("docker", "thinpool").unwrap().size, 2034237440);
        let human =
            vm_fixture!("docker-devicemapper--lvs.out").replace("\"2034237440\"", "\"<1.90g\"");
        let (s, _) = from_json(&human).unwrap();
        assert_eq!(
            s.lv("docker", "thinpool").unwrap().size,
            lvm_bytes("1.90g").unwrap()
        );
    }

    #[test]
    fn cut_or_odd_tables_are_errors() {
        let t = vm_fixture!("pool--lvs-text.out");
        let head: String = t.lines().next().unwrap().to_string();
        assert!(from_text(&head).is_err());
        let bad = t.replace("twi-a-t---", "twi-a");
        let e = from_text(&bad).unwrap_err();
        assert!(format!("{e:#}").contains("lv_attr"), "{e:#}");
        assert!(from_json("{\"report\":[{}]}").is_err());
    }
}
