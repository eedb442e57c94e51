//! Mounts: the fstab entry that mounts a thin LV at Docker's data root
//! (docker-overlay2), and reading /proc/self/mountinfo.
//!
//! Why fstab and not a hand-written `.mount` unit: on a systemd host
//! `systemd-fstab-generator` turns the fstab line into exactly such a unit
//! (`var-lib-docker.mount`, ordered before local-fs.target and so before
//! docker.service), while the same line also works on hosts without
//! systemd as PID 1 and with a plain `mount /var/lib/docker`. One place,
//! both worlds, and `findmnt --fstab` shows it.

use std::path::Path;

/// Mount options: project quotas for `overlay2.size`.
pub const MOUNT_OPTS: &str = "defaults,pquota";

/// fstab escapes spaces and tabs as octal.
fn unescape(s: &str) -> String {
    s.replace("\\040", " ").replace("\\011", "\t")
}

/// One fstab entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FstabEntry {
    pub source: String,
    pub target: String,
    pub fstype: String,
    pub options: String,
    /// Line number (1-based).
    pub line: usize,
}

/// The active entry for `mountpoint` (the last one wins, as for mount(8)).
pub fn fstab_entry(fstab: &str, mountpoint: &Path) -> Option<FstabEntry> {
    let want = mountpoint.to_string_lossy();
    let want = want.trim_end_matches('/');
    fstab
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                return None;
            }
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && unescape(f[1]).trim_end_matches('/') == want).then(|| FstabEntry {
                source: unescape(f[0]),
                target: unescape(f[1]),
                fstype: f[2].to_string(),
                options: f.get(3).unwrap_or(&"defaults").to_string(),
                line: i + 1,
            })
        })
        .last()
}

pub fn fstab_line(source: &str, mountpoint: &Path) -> String {
    format!(
        "{source} {} xfs {MOUNT_OPTS} 0 0",
        mountpoint.to_string_lossy().replace(' ', "\\040")
    )
}

/// The fstab with our entry for `mountpoint`: `Ok(None)` when it is
/// already there, an error when the mount point belongs to something else.
pub fn merge_fstab(
    existing: Option<&str>,
    source: &str,
    mountpoint: &Path,
) -> Result<Option<String>, String> {
    let text = existing.unwrap_or("");
    let ours = fstab_line(source, mountpoint);
    match fstab_entry(text, mountpoint) {
        Some(e) if e.source != source => Err(format!(
            "/etc/fstab line {} already mounts {} at {}; remove that line or choose \
             another --data-root",
            e.line,
            e.source,
            mountpoint.display()
        )),
        Some(e) if e.fstype == "xfs" && has_pquota(&e.options) => Ok(None),
        Some(e) => {
            // Our device with other options: replace that line.
            let lines: Vec<String> = text
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    if i + 1 == e.line {
                        ours.clone()
                    } else {
                        l.to_string()
                    }
                })
                .collect();
            Ok(Some(lines.join("\n") + "\n"))
        }
        None => {
            let mut t = text.to_string();
            if !t.is_empty() && !t.ends_with('\n') {
                t.push('\n');
            }
            t.push_str("# dmctl: Docker's data root on a thin LV (xfs, project quotas)\n");
            t.push_str(&ours);
            t.push('\n');
            Ok(Some(t))
        }
    }
}

/// xfs spells project quotas pquota, prjquota or pqnoenforce.
pub fn has_pquota(options: &str) -> bool {
    options
        .split(',')
        .any(|o| matches!(o, "pquota" | "prjquota" | "pqnoenforce"))
}

/// A line of /proc/self/mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    /// `maj:min` of the filesystem's device.
    pub devnum: String,
    pub target: String,
    pub fstype: String,
    pub source: String,
    /// Per-mount and superblock options together.
    pub options: String,
}

/// Every line of /proc/self/mountinfo, in order (field 3 maj:min, 5 the
/// mount point, 6 its options; after ` - `: type, source, superblock
/// options). Lines that do not have these fields are skipped.
pub fn parse_mountinfo(mountinfo: &str) -> Vec<MountEntry> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (pre, post) = line.split_once(" - ")?;
            let a: Vec<&str> = pre.split(' ').collect();
            let b: Vec<&str> = post.split(' ').collect();
            if a.len() < 6 || b.len() < 3 {
                return None;
            }
            Some(MountEntry {
                devnum: a[2].to_string(),
                target: unescape(a[4]),
                fstype: b[0].to_string(),
                source: unescape(b[1]),
                options: format!("{},{}", a[5], b[2]),
            })
        })
        .collect()
}

/// The mount at exactly `path` (the topmost one when stacked).
pub fn find_mount(mountinfo: &str, path: &Path) -> Option<MountEntry> {
    let want = path.to_string_lossy();
    let want = want.trim_end_matches('/');
    parse_mountinfo(mountinfo)
        .into_iter()
        .rev()
        .find(|m| m.target.trim_end_matches('/') == want || (want.is_empty() && m.target == "/"))
}

/// The fstab without dmctl's entry for `mountpoint` (and the comment line
/// dmctl wrote above it): `None` when there is no such entry of `source`.
pub fn remove_fstab(existing: &str, source: &str, mountpoint: &Path) -> Option<String> {
    let e = fstab_entry(existing, mountpoint).filter(|e| e.source == source)?;
    let lines: Vec<&str> = existing.lines().collect();
    let mut keep = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let n = i + 1;
        if n == e.line || (n + 1 == e.line && l.starts_with("# dmctl:")) {
            continue;
        }
        keep.push(*l);
    }
    let mut t = keep.join("\n");
    if !t.is_empty() {
        t.push('\n');
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FSTAB: &str = "# /etc/fstab: static file system information.\n\
        UUID=8c1e-44 / ext4 errors=remount-ro 0 1\n\
        /dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n";
    const SRC: &str = "/dev/mapper/docker-docker--data";

    #[test]
    fn fstab_appends_once_and_keeps_the_rest() {
        let dr = Path::new("/var/lib/docker");
        let t = merge_fstab(Some(FSTAB), SRC, dr).unwrap().unwrap();
        assert!(t.starts_with(FSTAB));
        assert!(t.ends_with(
            "/dev/mapper/docker-docker--data /var/lib/docker xfs defaults,pquota 0 0\n"
        ));
        assert_eq!(merge_fstab(Some(&t), SRC, dr).unwrap(), None);
        assert_eq!(
            fstab_entry(&t, Path::new("/var/lib/docker/")).unwrap().line,
            5
        );
        // No trailing newline, no file.
        let t2 = merge_fstab(Some("UUID=1 / ext4 defaults 0 1"), SRC, dr)
            .unwrap()
            .unwrap();
        assert!(t2.starts_with("UUID=1 / ext4 defaults 0 1\n# dmctl"));
        assert!(merge_fstab(None, SRC, dr).unwrap().is_some());
    }

    #[test]
    fn fstab_fixes_our_options_and_refuses_another_device() {
        let dr = Path::new("/var/lib/docker");
        let t = format!("{FSTAB}{SRC} /var/lib/docker xfs defaults 0 0\n");
        let fixed = merge_fstab(Some(&t), SRC, dr).unwrap().unwrap();
        assert_eq!(
            fixed,
            format!("{FSTAB}{SRC} /var/lib/docker xfs defaults,pquota 0 0\n")
        );
        let t = format!("{t}/dev/sdc1 /var/lib/docker ext4 defaults 0 0\n");
        let e = merge_fstab(Some(&t), SRC, dr).unwrap_err();
        assert!(e.contains("line 5") && e.contains("/dev/sdc1"), "{e}");
        // prjquota is the same option.
        let t = format!("{FSTAB}{SRC} /var/lib/docker xfs rw,prjquota 0 0\n");
        assert_eq!(merge_fstab(Some(&t), SRC, dr).unwrap(), None);
    }

    #[test]
    fn mountinfo_finds_the_topmost_mount() {
        // Real lines from the test VM.
        let mi = "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n\
            40 22 253:4 / /var/lib/docker rw,relatime shared:20 - xfs /dev/mapper/docker-docker--data rw,attr2,inode64,logbufs=8,logbsize=32k,prjquota\n\
            41 40 0:45 / /var/lib/docker/overlay2/x/merged rw,relatime - overlay overlay rw,lowerdir=a\n";
        let m = find_mount(mi, Path::new("/var/lib/docker")).unwrap();
        assert_eq!(m.devnum, "253:4");
        assert_eq!(m.fstype, "xfs");
        assert_eq!(m.source, SRC);
        assert!(has_pquota(&m.options));
        assert_eq!(find_mount(mi, Path::new("/var/lib")), None);
        assert_eq!(find_mount(mi, Path::new("/")).unwrap().devnum, "254:0");
    }

    #[test]
    fn fstab_removal_restores_the_file_before_setup() {
        let dr = Path::new("/var/lib/docker");
        let t = merge_fstab(Some(FSTAB), SRC, dr).unwrap().unwrap();
        assert_eq!(remove_fstab(&t, SRC, dr).as_deref(), Some(FSTAB));
        assert_eq!(remove_fstab(FSTAB, SRC, dr), None);
        // Another device at the mount point is not ours to remove.
        let other = format!("{FSTAB}/dev/sdc1 /var/lib/docker xfs defaults 0 0\n");
        assert_eq!(remove_fstab(&other, SRC, dr), None);
        let only = merge_fstab(None, SRC, dr).unwrap().unwrap();
        assert_eq!(remove_fstab(&only, SRC, dr).as_deref(), Some(""));
    }
}
