//! device-mapper names and `dmsetup` status lines.

use anyhow::{bail, Context, Result};
use serde::Serialize;

/// The dm name LVM gives `vg/lv`: each '-' inside a name is doubled, and
/// the two are joined with a single '-' (`docker-vg/thin-pool` →
/// `docker--vg-thin--pool`).
pub fn dm_name(vg: &str, lv: &str) -> String {
    format!("{}-{}", vg.replace('-', "--"), lv.replace('-', "--"))
}

/// True when dm device `name` belongs to VG `vg` (LVs never start with
/// '-', so `docker--x-lv` is VG `docker-x`, not VG `docker`).
pub fn in_vg(name: &str, vg: &str) -> bool {
    name.strip_prefix(&format!("{}-", vg.replace('-', "--")))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('-'))
}

/// The inverse of [`dm_name`]: `docker--vg-thin--pool` → (`docker-vg`,
/// `thin-pool`). The VG/LV separator is the only single '-'; LVM's own
/// suffixes (`-tpool`, `-real`) make a name that is not a plain LV, so
/// `None` is returned for them as for anything else ambiguous.
pub fn split_dm_name(name: &str) -> Option<(String, String)> {
    let b = name.as_bytes();
    let mut i = 0;
    let mut sep = None;
    while i < b.len() {
        if b[i] == b'-' {
            if b.get(i + 1) == Some(&b'-') {
                i += 2;
                continue;
            }
            if sep.is_some() {
                return None;
            }
            sep = Some(i);
        }
        i += 1;
    }
    let s = sep?;
    let (vg, lv) = (&name[..s], &name[s + 1..]);
    if vg.is_empty() || lv.is_empty() {
        return None;
    }
    Some((vg.replace("--", "-"), lv.replace("--", "-")))
}

/// `vg/lv` for a `/dev/mapper/<dm name>` path (or a bare dm name).
pub fn lv_of_mapper_path(path: &str) -> Option<(String, String)> {
    split_dm_name(path.strip_prefix("/dev/mapper/").unwrap_or(path))
}

/// From the output of `dmsetup status` (all devices), the thin-pool line
/// of the pool whose dm name is `dm`: `<dm>-tpool` when the pool holds
/// thin LVs (LVM then stacks a linear `<dm>` on top), else `<dm>`. `None`
/// when neither device exists (the pool is inactive).
pub fn pool_status_line<'a>(status_all: &'a str, dm: &str) -> Option<&'a str> {
    let line_of = |name: &str| {
        let prefix = format!("{name}: ");
        status_all.lines().find(|l| l.starts_with(&prefix))
    };
    line_of(&format!("{dm}-tpool")).or_else(|| line_of(dm))
}

/// `/dev/mapper/<dm name>`.
pub fn mapper_path(vg: &str, lv: &str) -> String {
    format!("/dev/mapper/{}", dm_name(vg, lv))
}

/// Kernel thin-pool metadata blocks are 4 KiB.
pub const METADATA_BLOCK: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    Rw,
    Ro,
    OutOfDataSpace,
}

/// A parsed `thin-pool` status line (Documentation/admin-guide/
/// device-mapper/thin-provisioning.rst).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PoolStatus {
    /// The target reported `Fail`.
    Failed,
    Active(PoolCounters),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolCounters {
    pub transaction_id: u64,
    pub used_metadata_blocks: u64,
    pub total_metadata_blocks: u64,
    pub used_data_blocks: u64,
    pub total_data_blocks: u64,
    /// `-` or a block number.
    pub held_metadata_root: Option<u64>,
    pub mode: PoolMode,
    pub discard_passdown: bool,
    /// true: `error_if_no_space`; false: `queue_if_no_space`.
    pub error_if_no_space: bool,
    pub needs_check: bool,
    pub metadata_low_watermark: Option<u64>,
}

fn ratio(tok: &str, what: &str) -> Result<(u64, u64)> {
    let (a, b) = tok
        .split_once('/')
        .with_context(|| format!("thin-pool status: {what} {tok:?} is not used/total"))?;
    let a = a
        .parse()
        .with_context(|| format!("thin-pool status: {what} used {a:?} is not a number"))?;
    let b = b
        .parse()
        .with_context(|| format!("thin-pool status: {what} total {b:?} is not a number"))?;
    Ok((a, b))
}

/// Parse one status line of a thin-pool target, with or without the
/// `name:` prefix that `dmsetup status` prints for all devices.
pub fn parse_pool_status(line: &str) -> Result<PoolStatus> {
    let body = match line.split_once(": ") {
        Some((name, rest)) if !name.contains(' ') => rest,
        _ => line,
    };
    let t: Vec<&str> = body.split_whitespace().collect();
    if t.len() < 3 || t[2] != "thin-pool" {
        bail!("not a thin-pool status line: {:?}", line.trim_end());
    }
    let f = &t[3..];
    if f.first() == Some(&"Fail") {
        return Ok(PoolStatus::Failed);
    }
    if f.len() < 7 {
        bail!(
            "thin-pool status has {} fields, expected at least 7: {:?}",
            f.len(),
            line.trim_end()
        );
    }
    let transaction_id = f[0].parse().with_context(|| {
        format!(
            "thin-pool status: transaction id {:?} is not a number",
            f[0]
        )
    })?;
    let (um, tm) = ratio(f[1], "metadata blocks")?;
    let (ud, td) = ratio(f[2], "data blocks")?;
    let held_metadata_root = match f[3] {
        "-" => None,
        n => Some(n.parse().with_context(|| {
            format!("thin-pool status: held metadata root {n:?} is neither - nor a number")
        })?),
    };
    let mode = match f[4] {
        "rw" => PoolMode::Rw,
        "ro" => PoolMode::Ro,
        "out_of_data_space" => PoolMode::OutOfDataSpace,
        m => bail!("thin-pool status: unknown mode {m:?}"),
    };
    let discard_passdown = match f[5] {
        "discard_passdown" => true,
        "no_discard_passdown" | "ignore_discard" => false,
        d => bail!("thin-pool status: unknown discard mode {d:?}"),
    };
    let error_if_no_space = match f[6] {
        "error_if_no_space" => true,
        "queue_if_no_space" => false,
        p => bail!("thin-pool status: unknown no-space policy {p:?}"),
    };
    let needs_check = match f.get(7) {
        None | Some(&"-") => false,
        Some(&"needs_check") => true,
        Some(x) => bail!("thin-pool status: unknown needs_check field {x:?}"),
    };
    let metadata_low_watermark = match f.get(8) {
        None => None,
        Some(w) => Some(w.parse().with_context(|| {
            format!("thin-pool status: metadata low watermark {w:?} is not a number")
        })?),
    };
    Ok(PoolStatus::Active(PoolCounters {
        transaction_id,
        used_metadata_blocks: um,
        total_metadata_blocks: tm,
        used_data_blocks: ud,
        total_data_blocks: td,
        held_metadata_root,
        mode,
        discard_passdown,
        error_if_no_space,
        needs_check,
        metadata_low_watermark,
    }))
}

/// The data block size (bytes) from a thin-pool table line:
/// `0 LEN thin-pool META DATA BLOCK_SECTORS LOW_WATER N [features]`.
pub fn pool_block_size(table_line: &str) -> Result<u64> {
    let body = match table_line.split_once(": ") {
        Some((name, rest)) if !name.contains(' ') => rest,
        _ => table_line,
    };
    let t: Vec<&str> = body.split_whitespace().collect();
    if t.len() < 6 || t[2] != "thin-pool" {
        bail!("not a thin-pool table line: {:?}", table_line.trim_end());
    }
    let sectors: u64 = t[5]
        .parse()
        .with_context(|| format!("thin-pool table: block size {:?} is not a number", t[5]))?;
    sectors
        .checked_mul(512)
        .with_context(|| format!("thin-pool table: block size {sectors} sectors is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS_ALL: &str = include_str!("../tests/fixtures/shared/09-dmsetup-status.out");
    const STATUS_POOL: &str = include_str!("../tests/fixtures/shared/10d-dmsetup-status-pool.out");
    const STATUS_TPOOL: &str = include_str!("../tests/fixtures/shared/17-dmsetup-status-after.out");
    const TABLE: &str = include_str!("../tests/fixtures/shared/10-dmsetup-table.out");

    #[test]
    fn names_double_dashes() {
        assert_eq!(dm_name("docker", "thinpool"), "docker-thinpool");
        assert_eq!(dm_name("docker-vg", "thin-pool"), "docker--vg-thin--pool");
        assert_eq!(mapper_path("a-b", "c"), "/dev/mapper/a--b-c");
        assert!(in_vg("docker-thinpool_tdata", "docker"));
        assert!(in_vg("docker--vg-thin--pool-tpool", "docker-vg"));
        assert!(!in_vg("docker--vg-thinpool", "docker"));
        assert!(!in_vg("dockerx-lv", "docker"));
    }

    #[test]
    fn splits_dm_names_back() {
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(split_dm_name("docker-thinpool"), pair("docker", "thinpool"));
        assert_eq!(
            split_dm_name("docker--vg-thin--pool"),
            pair("docker-vg", "thin-pool")
        );
        assert_eq!(lv_of_mapper_path("/dev/mapper/a--b-c"), pair("a-b", "c"));
        for (vg, lv) in [("a-b-c", "d--e"), ("x", "y-"), ("v.1", "p_2")] {
            assert_eq!(split_dm_name(&dm_name(vg, lv)), pair(vg, lv));
        }
        assert_eq!(split_dm_name("docker-thinpool-tpool"), None);
        assert_eq!(split_dm_name("nodash"), None);
        assert_eq!(split_dm_name("-x"), None);
    }

    #[test]
    fn picks_tpool_line_when_present() {
        let l = pool_status_line(STATUS_TPOOL, "docker-thinpool").unwrap();
        assert!(l.starts_with("docker-thinpool-tpool: "));
        let l = pool_status_line(STATUS_ALL, "docker-thinpool").unwrap();
        assert!(l.starts_with("docker-thinpool: "));
        assert_eq!(
            pool_status_line("No devices found\n", "docker-thinpool"),
            None
        );
        assert_eq!(pool_status_line(STATUS_ALL, "docker-thin"), None);
    }

    #[test]
    fn parses_real_fresh_pool_line() {
        let line = STATUS_ALL.lines().next().unwrap();
        let PoolStatus::Active(c) = parse_pool_status(line).unwrap() else {
            panic!("not active")
        };
        assert_eq!(c.transaction_id, 0);
        assert_eq!(
            (c.used_metadata_blocks, c.total_metadata_blocks),
            (521, 5120)
        );
        assert_eq!((c.used_data_blocks, c.total_data_blocks), (0, 3880));
        assert_eq!(c.held_metadata_root, None);
        assert_eq!(c.mode, PoolMode::Rw);
        assert!(c.discard_passdown && !c.error_if_no_space && !c.needs_check);
        assert_eq!(c.metadata_low_watermark, Some(1024));
        assert_eq!(
            parse_pool_status(STATUS_POOL.trim_end()).unwrap(),
            parse_pool_status(line).unwrap()
        );
    }

    #[test]
    fn parses_tpool_layout_after_thin_lv() {
        let line = STATUS_TPOOL
            .lines()
            .find(|l| l.starts_with("docker-thinpool-tpool:"))
            .unwrap();
        let PoolStatus::Active(c) = parse_pool_status(line).unwrap() else {
            panic!()
        };
        assert_eq!(c.transaction_id, 1);
        assert_eq!(c.used_data_blocks, 200);
        // The pool's own name is a linear device in that layout.
        let lin = STATUS_TPOOL
            .lines()
            .find(|l| l.starts_with("docker-thinpool:"))
            .unwrap();
        assert!(parse_pool_status(lin)
            .unwrap_err()
            .to_string()
            .contains("not a thin-pool"));
    }

    #[test]
    fn names_each_rejected_field() {
        let bad = |s: &str| parse_pool_status(s).unwrap_err().to_string();
        assert!(
            bad("0 8 thin-pool x 1/2 0/3 - rw discard_passdown queue_if_no_space - 1")
                .contains("transaction id")
        );
        assert!(
            bad("0 8 thin-pool 0 12 0/3 - rw discard_passdown queue_if_no_space - 1")
                .contains("metadata blocks")
        );
        assert!(
            bad("0 8 thin-pool 0 1/2 0/x - rw discard_passdown queue_if_no_space - 1")
                .contains("data blocks total")
        );
        assert!(
            bad("0 8 thin-pool 0 1/2 0/3 - rx discard_passdown queue_if_no_space - 1")
                .contains("mode")
        );
        assert!(
            bad("0 8 thin-pool 0 1/2 0/3 - rw discard queue_if_no_space - 1").contains("discard")
        );
        assert!(
            bad("0 8 thin-pool 0 1/2 0/3 - rw discard_passdown wait - 1")
                .contains("no-space policy")
        );
        assert!(
            bad("0 8 thin-pool 0 1/2 0/3 - rw discard_passdown queue_if_no_space bad 1")
                .contains("needs_check")
        );
        assert!(bad("0 8 thin-pool 0 1/2 0/3 - rw").contains("at least 7"));
    }

    #[test]
    fn parses_failed_readonly_and_needs_check() {
        assert_eq!(
            parse_pool_status("0 8 thin-pool Fail").unwrap(),
            PoolStatus::Failed
        );
        let PoolStatus::Active(c) = parse_pool_status(
            "0 8 thin-pool 3 10/20 30/30 - out_of_data_space no_discard_passdown error_if_no_space needs_check 5",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.mode, PoolMode::OutOfDataSpace);
        assert!(c.needs_check && c.error_if_no_space && !c.discard_passdown);
    }

    #[test]
    fn block_size_from_real_table() {
        let line = TABLE.lines().next().unwrap();
        assert_eq!(pool_block_size(line).unwrap(), 512 * 1024);
    }

    #[test]
    fn block_size_out_of_range_is_an_error() {
        // found by fuzz/fuzz_targets/dm_status.rs: sectors * 512 overflowed
        let line = "docker-thinpool: 0 819200 thin-pool 252:0 252:1 36028797018963968 0 1 skip_block_zeroing";
        assert!(pool_block_size(line)
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        let ok = "docker-thinpool: 0 819200 thin-pool 252:0 252:1 1024 0 1 skip_block_zeroing";
        assert_eq!(pool_block_size(ok).unwrap(), 512 << 10);
    }
}
