//! Safety checks before dmctl writes to a disk. Facts are gathered first
//! (sysfs, /proc, `wipefs -n`), then [`check`] — a pure function — turns
//! them into one report of every problem found.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::dm;
use crate::engine::{self, Runner};
use crate::exec::Cmd;
use crate::lvm::LvmState;

/// One signature found by `wipefs -n -J`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Signature {
    #[serde(rename = "type")]
    pub kind: String,
    pub offset: String,
}

#[derive(Deserialize)]
struct WipefsDoc {
    signatures: Vec<Signature>,
}

/// Parse `wipefs -n -J DEV` output (empty output = no signatures).
pub fn parse_wipefs(out: &str) -> Result<Vec<Signature>> {
    if out.trim().is_empty() {
        return Ok(Vec::new());
    }
    let doc: WipefsDoc = serde_json::from_str(out).context("parsing wipefs JSON")?;
    Ok(doc.signatures)
}

/// A partition of the device, or a holder of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Child {
    /// Kernel name: `vdb1`, `dm-0`.
    pub name: String,
    /// device-mapper name of a dm holder, if any.
    pub dm_name: Option<String>,
}

/// What was found about a device path.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeviceFacts {
    pub given: PathBuf,
    /// Symlinks resolved.
    pub path: PathBuf,
    pub exists: bool,
    pub is_block: bool,
    /// Kernel name, e.g. `vdb`.
    pub name: String,
    pub size: u64,
    pub is_partition: bool,
    pub read_only: bool,
    pub partitions: Vec<String>,
    /// Holders of the device and of its partitions.
    pub holders: Vec<Child>,
    /// `(what, mount point)` for the device or a partition that is mounted.
    pub mounts: Vec<(String, String)>,
    /// The device or a partition is active swap.
    pub swap: Vec<String>,
    pub signatures: Vec<Signature>,
}

fn read_trim(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

fn dev_numbers(sysdir: &Path) -> Option<String> {
    read_trim(&sysdir.join("dev"))
}

/// The block devices under the LVM device `dm_name` (an active pool, a
/// thin LV): its slaves in sysfs, followed down through LVM's own dm
/// devices (uuid `LVM-...`) and stopping at the first device that is not
/// LVM's — the PVs. `/dev/NAME` for a disk or partition, `/dev/mapper/NAME`
/// for a dm device under a PV (multipath, LUKS). `None` when `dm_name` is
/// not an active dm device or has no slaves: the caller scans everything.
pub fn pvs_under(dm_name: &str) -> Option<Vec<PathBuf>> {
    use std::os::unix::fs::MetadataExt;
    let rdev = fs::metadata(Path::new("/dev/mapper").join(dm_name))
        .ok()?
        .rdev();
    let top = fs::canonicalize(format!(
        "/sys/dev/block/{}:{}",
        nix::sys::stat::major(rdev),
        nix::sys::stat::minor(rdev)
    ))
    .ok()?;
    let mut out = Vec::new();
    let mut todo = vec![top];
    let mut seen = 0;
    while let Some(dir) = todo.pop() {
        seen += 1;
        if seen > 256 {
            return None; // not a plausible LVM stack
        }
        let name = dir.file_name()?.to_string_lossy().into_owned();
        let uuid = read_trim(&dir.join("dm/uuid"));
        let lvm_own = uuid.as_deref().is_some_and(|u| u.starts_with("LVM-"));
        if lvm_own {
            let slaves: Vec<PathBuf> = fs::read_dir(dir.join("slaves"))
                .ok()?
                .flatten()
                .filter_map(|e| fs::canonicalize(e.path()).ok())
                .collect();
            if slaves.is_empty() {
                return None;
            }
            todo.extend(slaves);
        } else {
            let dev = match read_trim(&dir.join("dm/name")) {
                Some(n) => Path::new("/dev/mapper").join(n),
                None => Path::new("/dev").join(&name),
            };
            if !out.contains(&dev) {
                out.push(dev);
            }
        }
    }
    (!out.is_empty()).then(|| {
        out.sort();
        out
    })
}

fn holders_of(sysdir: &Path) -> Vec<Child> {
    let mut v = Vec::new();
    if let Ok(rd) = fs::read_dir(sysdir.join("holders")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let dm_name = read_trim(&Path::new("/sys/class/block").join(&name).join("dm/name"));
            v.push(Child { name, dm_name });
        }
    }
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// Gather facts. Runs `wipefs -n -J` (read-only) when the path is a
/// block device and `scan_signatures`.
pub fn gather(
    r: &dyn Runner,
    given: &Path,
    mountinfo: &str,
    scan_signatures: bool,
) -> Result<DeviceFacts> {
    let mut f = DeviceFacts {
        given: given.to_path_buf(),
        path: given.to_path_buf(),
        ..Default::default()
    };
    let Ok(meta) = fs::metadata(given) else {
        return Ok(f);
    };
    f.exists = true;
    f.path = fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
    f.is_block = meta.file_type().is_block_device();
    if !f.is_block {
        return Ok(f);
    }
    let rdev = meta.rdev();
    let (maj, min) = (nix::sys::stat::major(rdev), nix::sys::stat::minor(rdev));
    let sysdir = fs::canonicalize(format!("/sys/dev/block/{maj}:{min}"))
        .with_context(|| format!("finding {maj}:{min} in /sys/dev/block"))?;
    f.name = sysdir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    f.is_partition = sysdir.join("partition").exists();
    f.read_only = read_trim(&sysdir.join("ro")).as_deref() == Some("1");
    f.size = read_trim(&sysdir.join("size"))
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0)
        * 512;
    let mut devnums = vec![(f.name.clone(), dev_numbers(&sysdir).unwrap_or_default())];
    f.holders = holders_of(&sysdir);
    if let Ok(rd) = fs::read_dir(&sysdir) {
        let mut parts: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("partition").exists())
            .collect();
        parts.sort();
        for p in parts {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            devnums.push((name.clone(), dev_numbers(&p).unwrap_or_default()));
            f.holders.extend(holders_of(&p));
            f.partitions.push(name);
        }
    }
    f.mounts = mounts_of(mountinfo, &devnums);
    let swaps = fs::read_to_string("/proc/swaps").unwrap_or_default();
    let names: Vec<&str> = devnums.iter().map(|(n, _)| n.as_str()).collect();
    f.swap = swaps_of(&swaps, &names);
    if !scan_signatures {
        return Ok(f);
    }
    let out = engine::run(
        r,
        &Cmd::new("wipefs")
            .args(["-n", "-J"])
            .arg(f.path.to_string_lossy()),
    )?;
    f.signatures = parse_wipefs(&out.stdout)?;
    Ok(f)
}

/// Mount points whose source is one of `devnums` (`(name, "maj:min")`),
/// from /proc/self/mountinfo (field 3 is maj:min, field 5 the mount point).
pub fn mounts_of(mountinfo: &str, devnums: &[(String, String)]) -> Vec<(String, String)> {
    crate::mounts::parse_mountinfo(mountinfo)
        .into_iter()
        .filter_map(|m| {
            devnums
                .iter()
                .find(|(_, n)| !n.is_empty() && *n == m.devnum)
                .map(|(name, _)| (name.clone(), m.target))
        })
        .collect()
}

/// Names among `names` that /proc/swaps lists as active swap.
pub fn swaps_of(swaps: &str, names: &[&str]) -> Vec<String> {
    swaps
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|p| {
            let canon = fs::canonicalize(p).unwrap_or_else(|_| PathBuf::from(p));
            let base = canon.file_name()?.to_string_lossy().into_owned();
            names.contains(&base.as_str()).then_some(base)
        })
        .collect()
}

/// One reason not to touch the device, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
    /// `--force` permits this one (old signatures only).
    pub forceable: bool,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.problem, self.fix)
    }
}

fn p(problem: String, fix: String) -> Problem {
    Problem {
        problem,
        fix,
        forceable: false,
    }
}

const PARTITION_TABLES: &[&str] = &["gpt", "PMBR", "dos", "atari", "bsd", "sun", "sgi", "mac"];

/// All problems with using `f` as the PV of `vg`. `lvm` tells whether the
/// device is already a PV, and of which VG.
pub fn check(f: &DeviceFacts, lvm: &LvmState, vg: &str) -> Vec<Problem> {
    let dev = f.given.display().to_string();
    if !f.exists {
        return vec![p(
            format!("{dev} does not exist"),
            "check the name with `lsblk`".into(),
        )];
    }
    if !f.is_block {
        return vec![p(
            format!("{dev} is not a block device"),
            "give a whole disk such as /dev/sdb".into(),
        )];
    }
    let mut v = Vec::new();
    if f.is_partition {
        v.push(p(
            format!("{dev} is a partition"),
            "dmctl takes a whole disk: give the disk itself (see `lsblk`)".into(),
        ));
    }
    if f.read_only {
        v.push(p(
            format!("{dev} is read-only"),
            format!("make it writable (`blockdev --setrw {dev}`) or use another disk"),
        ));
    }
    for (what, mp) in &f.mounts {
        v.push(p(
            format!("/dev/{what} is mounted at {mp}"),
            format!("unmount it (`umount {mp}`) and remove it from /etc/fstab"),
        ));
    }
    for what in &f.swap {
        v.push(p(
            format!("/dev/{what} is in use as swap"),
            format!("`swapoff /dev/{what}` and remove it from /etc/fstab"),
        ));
    }
    let pv = lvm.pv_on(&f.path).or_else(|| lvm.pv_on(&f.given));
    let in_our_vg = pv.map(|p| p.vg_name == vg).unwrap_or(false);
    for h in &f.holders {
        let is_ours = in_our_vg && h.dm_name.as_deref().is_some_and(|n| dm::in_vg(n, vg));
        if !is_ours {
            let label = match &h.dm_name {
                Some(n) => format!("{} ({n})", h.name),
                None => h.name.clone(),
            };
            v.push(p(
                format!("{dev} is held by {label}"),
                "stop what uses it first (see `lsblk` and `dmsetup ls --tree`)".into(),
            ));
        }
    }
    if let Some(pv) = pv {
        if !pv.vg_name.is_empty() && pv.vg_name != vg {
            v.push(p(
                format!("{dev} is a PV of volume group {}", pv.vg_name),
                format!(
                    "use another disk, or free it from {} (`vgreduce`/`vgremove`, then `pvremove`)",
                    pv.vg_name
                ),
            ));
        }
    }
    if !f.partitions.is_empty() {
        v.push(p(
            format!("{dev} has partitions ({})", f.partitions.join(", ")),
            "dmctl will not remove partitions: if their data is not needed, remove them \
             yourself (`wipefs -a` on each, then on the disk)"
                .into(),
        ));
    }
    for s in &f.signatures {
        if PARTITION_TABLES.contains(&s.kind.as_str()) {
            if f.partitions.is_empty() {
                v.push(p(
                    format!("{dev} has a partition table ({})", s.kind),
                    format!("dmctl will not remove it: if the disk holds nothing you need, `wipefs -a {dev}`"),
                ));
            }
        } else if s.kind == "LVM2_member" && pv.is_some() {
            // The PV label LVM itself reports on; judged above.
        } else {
            v.push(Problem {
                problem: format!(
                    "{dev} has an existing {} signature at offset {}",
                    s.kind, s.offset
                ),
                fix: "if it holds nothing you need, re-run with --force to wipe old signatures"
                    .into(),
                forceable: true,
            });
        }
    }
    v
}

/// The signatures `--force` may wipe: every one [`check`] marks forceable.
pub fn needs_wipe(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.forceable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lvm::Pv;

    fn disk() -> DeviceFacts {
        DeviceFacts {
            given: "/dev/vdb".into(),
            path: "/dev/vdb".into(),
            exists: true,
            is_block: true,
            name: "vdb".into(),
            size: 2 << 30,
            ..Default::default()
        }
    }

    fn pv(vg: &str) -> LvmState {
        LvmState {
            pvs: vec![Pv {
                name: "/dev/vdb".into(),
                vg_name: vg.into(),
                size: 2 << 30,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn blank_disk_passes() {
        assert!(check(&disk(), &LvmState::default(), "docker").is_empty());
    }

    #[test]
    fn missing_and_not_block() {
        let f = DeviceFacts {
            given: "/dev/nope".into(),
            ..Default::default()
        };
        assert!(check(&f, &LvmState::default(), "docker")[0]
            .problem
            .contains("does not exist"));
        let f = DeviceFacts {
            exists: true,
            is_block: false,
            ..disk()
        };
        assert!(check(&f, &LvmState::default(), "docker")[0]
            .problem
            .contains("not a block device"));
    }

    #[test]
    fn every_problem_is_reported_and_only_signatures_are_forceable() {
        let f = DeviceFacts {
            read_only: true,
            mounts: vec![("vdb1".into(), "/srv".into())],
            swap: vec!["vdb2".into()],
            partitions: vec!["vdb1".into(), "vdb2".into()],
            holders: vec![Child {
                name: "md0".into(),
                dm_name: None,
            }],
            signatures: vec![
                Signature {
                    kind: "gpt".into(),
                    offset: "0x200".into(),
                },
                Signature {
                    kind: "ext4".into(),
                    offset: "0x438".into(),
                },
            ],
            ..disk()
        };
        let v = check(&f, &pv("other"), "docker");
        let all = v
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "read-only",
            "mounted at /srv",
            "swap",
            "held by md0",
            "PV of volume group other",
            "partitions (vdb1, vdb2)",
            "ext4 signature at offset 0x438",
        ] {
            assert!(all.contains(needle), "{needle} not in\n{all}");
        }
        let forceable: Vec<_> = v.iter().filter(|p| p.forceable).collect();
        assert_eq!(forceable.len(), 1);
        assert!(forceable[0].problem.contains("ext4"));
    }

    #[test]
    fn partition_table_without_partitions_is_not_forceable() {
        let f = DeviceFacts {
            signatures: vec![Signature {
                kind: "dos".into(),
                offset: "0x1fe".into(),
            }],
            ..disk()
        };
        let v = check(&f, &LvmState::default(), "docker");
        assert_eq!(v.len(), 1);
        assert!(v[0].problem.contains("partition table (dos)") && !v[0].forceable);
    }

    #[test]
    fn own_pv_and_own_holders_are_fine() {
        let f = DeviceFacts {
            signatures: vec![Signature {
                kind: "LVM2_member".into(),
                offset: "0x218".into(),
            }],
            holders: vec![Child {
                name: "dm-0".into(),
                dm_name: Some("docker--vg-thinpool_tmeta".into()),
            }],
            ..disk()
        };
        assert!(check(&f, &pv("docker-vg"), "docker-vg").is_empty());
        // An orphan PV (PV only, from an interrupted run) is fine too.
        let f2 = DeviceFacts {
            holders: vec![],
            ..f.clone()
        };
        assert!(check(&f2, &pv(""), "docker").is_empty());
        // The same holders are foreign when the disk is not in our VG.
        assert!(check(&f, &pv(""), "docker-vg")[0]
            .problem
            .contains("held by dm-0"));
        // A holder of another VG whose name shares our prefix is foreign.
        let f3 = DeviceFacts {
            holders: vec![Child {
                name: "dm-1".into(),
                dm_name: Some("dockerx-lv".into()),
            }],
            ..f2
        };
        assert!(!check(&f3, &pv("docker"), "docker").is_empty());
    }

    #[test]
    fn mountinfo_and_swaps() {
        let mi = "22 1 254:16 / /srv rw,relatime shared:1 - ext4 /dev/vdb rw\n\
                  23 1 254:0 / / rw - ext4 /dev/vda rw\n";
        let m = mounts_of(
            mi,
            &[
                ("vdb".into(), "254:16".into()),
                ("vdb1".into(), "254:17".into()),
            ],
        );
        assert_eq!(m, vec![("vdb".to_string(), "/srv".to_string())]);
        let sw = "Filename\tType\tSize\tUsed\tPriority\n/dev/vdc                                partition\t1048572\t0\t-2\n";
        assert_eq!(swaps_of(sw, &["vdc", "vdb"]), vec!["vdc".to_string()]);
        assert!(swaps_of(sw, &["vdb"]).is_empty());
    }

    #[test]
    fn wipefs_json() {
        let out = r#"{"signatures": [{"device":"vdb", "offset":"0x438", "type":"ext4", "uuid":"1b2c", "label":null}]}"#;
        assert_eq!(parse_wipefs(out).unwrap()[0].kind, "ext4");
        assert!(parse_wipefs("").unwrap().is_empty());
        assert!(parse_wipefs("{").is_err());
    }
}
