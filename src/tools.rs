//! Finding the external tools dmctl drives.
//!
//! Like stratisd, dmctl looks in PATH and then in the fixed sbin
//! directories, because cron, cloud-init and Ansible often run with a PATH
//! that lacks /usr/sbin.

use std::path::{Path, PathBuf};

/// Searched after PATH.
pub const SBIN_DIRS: &[&str] = &["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/// The lvm2 commands dmctl runs (each one rescans every block device).
pub const LVM_TOOLS: &[&str] = &[
    "lvm",
    "pvcreate",
    "pvremove",
    "pvs",
    "vgcreate",
    "vgextend",
    "vgremove",
    "vgs",
    "vgchange",
    "lvcreate",
    "lvconvert",
    "lvchange",
    "lvextend",
    "lvremove",
    "lvs",
];

/// Tools that setup needs before it writes anything.
pub const SETUP_TOOLS: &[&str] = &[
    "lvm",
    "pvcreate",
    "vgcreate",
    "lvcreate",
    "lvconvert",
    "lvchange",
    "lvs",
    "dmsetup",
    "thin_check",
    "wipefs",
];

/// The full path of `name`, from PATH then [`SBIN_DIRS`].
pub fn find(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let p = Path::new(name);
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path)
        .chain(SBIN_DIRS.iter().map(PathBuf::from))
        .collect::<Vec<_>>();
    let joined = std::env::join_paths(dirs).ok()?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in(name, Some(joined), cwd).ok()
}

/// The Debian/Fedora package that ships a tool, for "install X" hints.
pub fn package_of(tool: &str) -> &'static str {
    match tool {
        "dmsetup" => "dmsetup (device-mapper)",
        "thin_check" | "thin_repair" | "thin_dump" => {
            "thin-provisioning-tools (device-mapper-persistent-data)"
        }
        "dmeventd" => "dmeventd (lvm2)",
        "wipefs" | "blkid" => "util-linux",
        "modprobe" => "kmod",
        "dockerd" | "docker" => "docker.io (or docker-ce)",
        "containerd" | "ctr" => "containerd",
        "mkfs.xfs" => "xfsprogs",
        "mkfs.ext4" => "e2fsprogs",
        t if LVM_TOOLS.contains(&t) => "lvm2",
        _ => "the package that provides it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_reports_missing() {
        assert!(find("sh").is_some());
        assert!(find("no-such-tool-dmctl").is_none());
        assert_eq!(package_of("lvconvert"), "lvm2");
    }
}
