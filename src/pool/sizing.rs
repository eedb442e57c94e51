//! Sizing the pool: the VG a disk will give, the metadata LV's size
//! within LVM's limits, whether data and metadata fit, and whether the VG
//! keeps room for one autoextend step.

use anyhow::Result;

use crate::config::{MetadataSpec, Settings, MAX_METADATA, MIN_METADATA};
use crate::error::refused;
use crate::lvm::size::human;
use crate::lvm::LvmState;

/// LVM's default physical extent and first-PE offset, used to predict the
/// VG a blank disk will give.
pub const DEFAULT_EXTENT: u64 = 4 << 20;
pub const DEFAULT_PE_START: u64 = 1 << 20;

/// Extent count and size of the VG: the real one, or the one a blank disk
/// of `device_size` bytes will give.
pub fn vg_geometry(lvm: &LvmState, s: &Settings, device_size: u64) -> (u64, u64) {
    match lvm.vg(&s.vg) {
        Some(v) => (v.extent_count, v.extent_size),
        None => (
            device_size.saturating_sub(DEFAULT_PE_START) / DEFAULT_EXTENT,
            DEFAULT_EXTENT,
        ),
    }
}

/// Metadata LV size in bytes (whole extents), and a note when LVM's limits
/// forced a different size than asked.
pub fn metadata_size(s: &Settings, extents: u64, extent: u64) -> (u64, Option<String>) {
    let wanted = match s.metadata {
        MetadataSpec::Size(b) => return (b.div_ceil(extent) * extent, None),
        MetadataSpec::Percent(p) => extents * u64::from(p) / 100 * extent,
    };
    if wanted < MIN_METADATA {
        let b = MIN_METADATA.div_ceil(extent) * extent;
        let note = format!(
            "metadata: {}% of the VG is {}, below LVM's minimum; using {}",
            match s.metadata {
                MetadataSpec::Percent(p) => p,
                _ => 0,
            },
            human(wanted),
            human(b)
        );
        (b, Some(note))
    } else if wanted > MAX_METADATA {
        let b = MAX_METADATA / extent * extent;
        let note = format!(
            "metadata: {} would exceed LVM's maximum; using {}",
            human(wanted),
            human(b)
        );
        (b, Some(note))
    } else {
        (wanted, None)
    }
}

pub fn check_fits(s: &Settings, extents: u64, extent: u64, meta: u64) -> Result<()> {
    let data = extents * u64::from(s.data_percent) / 100;
    let meta_ext = meta / extent;
    // lvconvert and lvcreate --type thin-pool also allocate a spare
    // metadata LV (lvol0_pmspare) of the same size.
    if data == 0 || data + 2 * meta_ext > extents {
        return Err(refused(format!(
            "the VG is too small: {} extents of {} cannot hold {}% data plus {} metadata \
             and its spare; use a bigger disk or lower --data-percent",
            extents,
            human(extent),
            s.data_percent,
            human(meta)
        )));
    }
    Ok(())
}

/// A warning when the new pool leaves the VG less free space than one
/// autoextend step: dmeventd's lvextend would then fail when the pool
/// fills (the same check `dmctl doctor` makes as vg.free).
pub fn autoextend_room(s: &Settings, extents: u64, extent: u64, meta: u64) -> Option<String> {
    if s.autoextend_threshold >= 100 {
        return None;
    }
    let data = extents * u64::from(s.data_percent) / 100;
    let free = extents.saturating_sub(data + 2 * (meta / extent));
    let step = (data * u64::from(s.autoextend_percent)).div_ceil(100);
    (free < step).then(|| {
        format!(
            "VG {} will keep {} free, less than one autoextend step ({}): autoextend \
             will fail until the VG grows (`dmctl extend --add-device DEV`)",
            s.vg,
            human(free * extent),
            human(step * extent)
        )
    })
}
