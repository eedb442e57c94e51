//! The kernel's device-mapper ioctl interface, read-only: the status of
//! one dm device (`DM_TABLE_STATUS`) without spawning `dmsetup`.
//!
//! Why a small `nix` ioctl and not the `devicemapper` crate (stratisd's):
//! that crate generates its bindings with bindgen at build time, which
//! needs libclang on every build machine (and in the cargo-zigbuild
//! portable build); dmctl needs one read-only call whose ABI has been
//! fixed since Linux 2.6 (`struct dm_ioctl` version 4, 312 bytes, checked
//! by a test). The result is the text `dmsetup status NAME` prints, so one
//! parser (`dm::parse_pool_status`) serves both and the VM suite compares
//! the two on a real pool.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::os::fd::AsRawFd;

const DM_NAME_LEN: usize = 128;
const DM_UUID_LEN: usize = 129;
const DM_MAX_TYPE_NAME: usize = 16;
const DM_IOCTL: u8 = 0xfd;
const DM_TABLE_STATUS_CMD: u8 = 12;
/// The kernel's reply did not fit: retry with a bigger buffer.
const DM_BUFFER_FULL_FLAG: u32 = 1 << 8;
/// The device-mapper control node.
pub const CONTROL: &str = "/dev/mapper/control";

/// `struct dm_ioctl` (linux/dm-ioctl.h), interface version 4.
#[repr(C)]
#[derive(Clone, Copy)]
struct DmIoctl {
    version: [u32; 3],
    data_size: u32,
    data_start: u32,
    target_count: u32,
    open_count: i32,
    flags: u32,
    event_nr: u32,
    padding: u32,
    dev: u64,
    name: [u8; DM_NAME_LEN],
    uuid: [u8; DM_UUID_LEN],
    data: [u8; 7],
}

/// `struct dm_target_spec`, followed by its NUL-terminated parameters.
#[repr(C)]
#[derive(Clone, Copy)]
struct DmTargetSpec {
    sector_start: u64,
    length: u64,
    status: i32,
    next: u32,
    target_type: [u8; DM_MAX_TYPE_NAME],
}

impl DmIoctl {
    fn zeroed() -> Self {
        DmIoctl {
            version: [0; 3],
            data_size: 0,
            data_start: 0,
            target_count: 0,
            open_count: 0,
            flags: 0,
            event_nr: 0,
            padding: 0,
            dev: 0,
            name: [0; DM_NAME_LEN],
            uuid: [0; DM_UUID_LEN],
            data: [0; 7],
        }
    }
}

nix::ioctl_readwrite!(dm_table_status, DM_IOCTL, DM_TABLE_STATUS_CMD, DmIoctl);

/// One target of a device's table, with its status parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStatus {
    pub start: u64,
    pub length: u64,
    pub target_type: String,
    pub params: String,
}

impl TargetStatus {
    /// The line `dmsetup status NAME` prints for this target.
    pub fn line(&self) -> String {
        format!(
            "{} {} {} {}",
            self.start, self.length, self.target_type, self.params
        )
    }
}

/// The status of device `name`'s targets; `None` when no such device.
pub fn status(name: &str) -> Result<Option<Vec<TargetStatus>>> {
    if name.is_empty() || name.len() >= DM_NAME_LEN {
        bail!("{name:?} is not a device-mapper name (1 to 127 bytes)");
    }
    let control = File::open(CONTROL).with_context(|| {
        format!("opening {CONTROL} (device-mapper; root is needed, `modprobe dm_mod`)")
    })?;
    let mut words = 16 * 1024 / 8;
    loop {
        // u64 words: the header and the target specs are 8-byte aligned.
        let mut buf = vec![0u64; words];
        let size = words * 8;
        let mut req = DmIoctl {
            version: [4, 0, 0],
            data_size: size as u32,
            data_start: std::mem::size_of::<DmIoctl>() as u32,
            ..DmIoctl::zeroed()
        };
        req.name[..name.len()].copy_from_slice(name.as_bytes());
        let hdr = buf.as_mut_ptr() as *mut DmIoctl;
        // SAFETY: buf is 8-byte aligned and larger than DmIoctl.
        unsafe { std::ptr::write(hdr, req) };
        // SAFETY: the kernel writes at most data_size bytes into buf.
        match unsafe { dm_table_status(control.as_raw_fd(), hdr) } {
            Ok(_) => {}
            Err(nix::errno::Errno::ENXIO) => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                    "DM_TABLE_STATUS ioctl for {name} on {CONTROL} (as `dmsetup status {name}`)"
                )
                })
            }
        }
        // SAFETY: the header was written above, then by the kernel.
        let h = unsafe { std::ptr::read(hdr) };
        if h.flags & DM_BUFFER_FULL_FLAG != 0 {
            if words >= 16 * 1024 * 1024 / 8 {
                bail!("the status of {name} does not fit in 16 MiB");
            }
            words *= 4;
            continue;
        }
        // SAFETY: reinterpreting the initialised u64 buffer as bytes.
        let bytes = unsafe { std::slice::from_raw_parts(buf.as_ptr() as *const u8, size) };
        return parse_reply(bytes, &h, name).map(Some);
    }
}

/// The targets in the kernel's reply: `target_count` specs from
/// `data_start`, each followed by its parameters; `next` is the offset of
/// the next spec from `data_start`.
fn parse_reply(buf: &[u8], h: &DmIoctl, name: &str) -> Result<Vec<TargetStatus>> {
    let start = h.data_start as usize;
    let end = (h.data_size as usize).min(buf.len());
    let spec_size = std::mem::size_of::<DmTargetSpec>();
    let mut out = Vec::new();
    let mut at = start;
    for i in 0..h.target_count {
        if at + spec_size > end {
            bail!("the kernel's status reply for {name} is truncated at target {i}");
        }
        // SAFETY: bounds checked above; read_unaligned needs no alignment.
        let spec: DmTargetSpec =
            unsafe { std::ptr::read_unaligned(buf[at..].as_ptr() as *const DmTargetSpec) };
        let params = &buf[at + spec_size..end];
        let params = &params[..params.iter().position(|b| *b == 0).unwrap_or(params.len())];
        let ttype = &spec.target_type;
        let ttype = &ttype[..ttype.iter().position(|b| *b == 0).unwrap_or(ttype.len())];
        out.push(TargetStatus {
            start: spec.sector_start,
            length: spec.length,
            target_type: String::from_utf8_lossy(ttype).into_owned(),
            params: String::from_utf8_lossy(params).into_owned(),
        });
        let next = start + spec.next as usize;
        if i + 1 < h.target_count && next <= at {
            bail!("the kernel's status reply for {name} has a bad next offset at target {i}");
        }
        at = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_sizes_match_linux_dm_ioctl_h() {
        assert_eq!(std::mem::size_of::<DmIoctl>(), 312);
        assert_eq!(std::mem::size_of::<DmTargetSpec>(), 40);
        // _IOWR(0xfd, 12, struct dm_ioctl) as libdevmapper computes it.
        assert_eq!(
            nix::request_code_readwrite!(DM_IOCTL, DM_TABLE_STATUS_CMD, 312),
            0xc138fd0c
        );
    }

    /// A reply laid out as the kernel lays it out (two targets).
    fn reply(targets: &[(u64, u64, &str, &str)]) -> (Vec<u8>, DmIoctl) {
        let hsize = std::mem::size_of::<DmIoctl>();
        let mut buf = vec![0u8; hsize];
        for (s, l, t, p) in targets {
            let at = buf.len();
            let mut spec = vec![0u8; 40];
            spec[..8].copy_from_slice(&s.to_ne_bytes());
            spec[8..16].copy_from_slice(&l.to_ne_bytes());
            spec[24..24 + t.len()].copy_from_slice(t.as_bytes());
            buf.extend_from_slice(&spec);
            buf.extend_from_slice(p.as_bytes());
            buf.push(0);
            while buf.len() % 8 != 0 {
                buf.push(0);
            }
            let next = (buf.len() - hsize) as u32;
            buf[at + 20..at + 24].copy_from_slice(&next.to_ne_bytes());
        }
        let h = DmIoctl {
            version: [4, 0, 0],
            data_size: buf.len() as u32,
            data_start: hsize as u32,
            target_count: targets.len() as u32,
            ..DmIoctl::zeroed()
        };
        (buf, h)
    }

    #[test]
    fn reply_becomes_dmsetup_lines() {
        let pool = "1 214/2048 200/800 - rw discard_passdown queue_if_no_space - 512 ";
        let (buf, h) = reply(&[(0, 819200, "thin-pool", pool), (819200, 8, "linear", "")]);
        let t = parse_reply(&buf, &h, "docker-thinpool-tpool").unwrap();
        assert_eq!(t.len(), 2);
        // byte for byte what `dmsetup status` printed in the VM
        // (tests/fixtures/vm/ops-02-thinlv-dmsetup-status.out)
        assert_eq!(
            t[0].line(),
            "0 819200 thin-pool 1 214/2048 200/800 - rw discard_passdown queue_if_no_space - 512 "
        );
        assert_eq!(t[1].line(), "819200 8 linear ");
    }

    #[test]
    fn truncated_reply_is_an_error() {
        let (buf, mut h) = reply(&[(0, 8, "linear", "")]);
        h.target_count = 2;
        let e = parse_reply(&buf, &h, "x").unwrap_err();
        assert!(e.to_string().contains("truncated at target 1"), "{e}");
    }
}
