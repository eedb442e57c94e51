//! Every lvm2 command dmctl runs to build, change or remove a pool, one
//! builder each (the step subcommands and setup share them).

use std::path::Path;

use crate::config::{MetadataSpec, Settings};
use crate::exec::Cmd;
use crate::lvm::size::lvm_arg;

pub fn chunk_arg(s: &Settings) -> String {
    format!("{}K", s.chunk_size / 1024)
}

/// `--config` for lvm commands when the profile lives outside LVM's default
/// profile directory.
pub fn profile_dir_args(s: &Settings) -> Vec<String> {
    if s.profile_dir == Path::new("/etc/lvm/profile") {
        Vec::new()
    } else {
        vec![
            "--config".into(),
            format!("config/profile_dir=\"{}\"", s.profile_dir.display()),
        ]
    }
}

pub fn wipefs(dev: &Path) -> Cmd {
    Cmd::mutating("wipefs").arg("-a").arg(dev.to_string_lossy())
}
pub fn pvcreate(dev: &Path) -> Cmd {
    Cmd::mutating("pvcreate").arg(dev.to_string_lossy())
}
pub fn vgcreate(s: &Settings, dev: &Path) -> Cmd {
    Cmd::mutating("vgcreate")
        .arg(&s.vg)
        .arg(dev.to_string_lossy())
}
pub fn lvcreate_data(s: &Settings) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(["-y", "--wipesignatures", "y", "-n", &s.pool, &s.vg, "-l"])
        .arg(format!("{}%VG", s.data_percent))
}
/// Classic `-l N%VG` when the percentage stands, exact bytes otherwise.
pub fn lvcreate_meta(s: &Settings, bytes: u64, clamped: bool) -> Cmd {
    let c = Cmd::mutating("lvcreate").args(["-y", "--wipesignatures", "y", "-n"]);
    let c = c.arg(s.meta_lv()).arg(&s.vg);
    match (&s.metadata, clamped) {
        (MetadataSpec::Percent(p), false) => c.arg("-l").arg(format!("{p}%VG")),
        _ => c.arg("-L").arg(lvm_arg(bytes)),
    }
}
pub fn lvconvert(s: &Settings) -> Cmd {
    Cmd::mutating("lvconvert")
        .args(["-y", "--zero", "n", "-c"])
        .arg(chunk_arg(s))
        .arg("--thinpool")
        .arg(s.pool_path())
        .arg("--poolmetadata")
        .arg(format!("{}/{}", s.vg, s.meta_lv()))
}
/// Data, metadata, pool and profile link in one lvm process.
pub fn lvcreate_pool(s: &Settings, meta: u64) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(profile_dir_args(s))
        .args(["-y", "--type", "thin-pool", "-n", &s.pool, "-l"])
        .arg(format!("{}%VG", s.data_percent))
        .arg("--poolmetadatasize")
        .arg(lvm_arg(meta))
        .arg("--chunksize")
        .arg(chunk_arg(s))
        // lvm2 rejects --wipesignatures with --type thin-pool ("Option
        // --wipesignatures is unsupported with thin pools"); it clears the
        // new metadata LV itself.
        .args(["--zero", "n", "--metadataprofile"])
        .arg(s.profile_name())
        .arg(&s.vg)
}
pub fn attach_profile(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange")
        .args(profile_dir_args(s))
        .arg("--metadataprofile")
        .arg(s.profile_name())
        .arg(s.pool_path())
}
pub fn monitor(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange")
        .args(["--monitor", "y"])
        .arg(s.pool_path())
}
pub fn deactivate(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange").arg("-an").arg(s.pool_path())
}
/// Remove dm devices LVM left active on their own (a killed lvcreate's
/// pool parts), by their dm names.
pub fn remove_dm(names: Vec<String>) -> Cmd {
    Cmd::mutating("dmsetup").arg("remove").args(names)
}
pub fn activate(s: &Settings) -> Cmd {
    Cmd::mutating("lvchange").arg("-ay").arg(s.pool_path())
}

/// Activate LVs (the pool and its inactive thin LVs) in one process.
pub fn activate_lvs(s: &Settings, more: Vec<String>) -> Cmd {
    Cmd::mutating("lvchange")
        .arg("-ay")
        .arg(s.pool_path())
        .args(more)
}
/// Activate one LV, e.g. docker-overlay2's data LV.
pub fn activate_lv(path: &str) -> Cmd {
    Cmd::mutating("lvchange").arg("-ay").arg(path)
}
/// A thin LV of the pool (docker-overlay2's data LV).
pub fn lvcreate_thin(s: &Settings) -> Cmd {
    Cmd::mutating("lvcreate")
        .args(["-y", "-V"])
        .arg(match s.lv_size {
            b if b % (1 << 30) == 0 => format!("{}g", b >> 30),
            b if b % (1 << 20) == 0 => format!("{}m", b >> 20),
            b => lvm_arg(b),
        })
        .arg("-T")
        .arg(s.pool_path())
        .arg("-n")
        .arg(&s.lv_name)
}
pub fn lvremove(path: &str) -> Cmd {
    Cmd::mutating("lvremove").arg("-y").arg(path)
}
/// Remove several LVs (`vg/lv` each) in one lvm process.
pub fn lvremove_all(paths: &[String]) -> Cmd {
    Cmd::mutating("lvremove")
        .arg("-y")
        .args(paths.iter().cloned())
}
pub fn vgremove(vg: &str) -> Cmd {
    Cmd::mutating("vgremove").arg("-y").arg(vg)
}
pub fn pvremove(pvs: Vec<String>) -> Cmd {
    Cmd::mutating("pvremove").arg("-y").args(pvs)
}
