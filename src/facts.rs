//! What dmctl knows about the host: one probe model shared by every
//! command. Each fact is gathered the first time something asks for it and
//! kept for the rest of the run, so no probe is written (or run) twice and
//! a command pays only for what it asks.
//!
//! Tests preset facts with the `set_*` methods and a [`FakeRunner`] with no
//! answers: any fact they did not preset fails the test loudly.
//!
//! [`FakeRunner`]: crate::engine::FakeRunner

use anyhow::{Context, Result};
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::device::{self, DeviceFacts};
use crate::docker::version::{self as dversion, DockerVersion};
use crate::engine::{self, Runner};
use crate::exec::Cmd;
use crate::lvm::{self, LvmState};
use crate::mounts::{self, MountEntry};
use crate::{fsutil, tools};

/// Facts, gathered lazily through one runner.
pub struct Facts<'r> {
    r: &'r dyn Runner,
    lvm: OnceCell<LvmState>,
    /// Read LVM from these devices only, when that is the whole truth.
    lvm_devices: RefCell<Option<Vec<PathBuf>>>,
    /// Never restrict LVM's view (a command about a disk outside the pool).
    every_device: std::cell::Cell<bool>,
    dm_status: OnceCell<String>,
    thin_target: OnceCell<bool>,
    thin_loaded: OnceCell<bool>,
    dockerd: OnceCell<Option<DockerVersion>>,
    dockerd_installed: OnceCell<bool>,
    containerd: OnceCell<Option<(u32, u32)>>,
    /// `--version` probes started ahead of need ([`Facts::prefetch_versions`]).
    pending: RefCell<BTreeMap<&'static str, crate::engine::Started>>,
    /// Where `--version` answers are remembered across runs, if anywhere.
    version_cache: Option<PathBuf>,
    mountinfo: OnceCell<String>,
    systemd: OnceCell<bool>,
    device: OnceCell<DeviceFacts>,
    files: RefCell<BTreeMap<PathBuf, Option<String>>>,
    enabled: RefCell<BTreeMap<String, bool>>,
    devnums: RefCell<BTreeMap<PathBuf, Option<String>>>,
    dirs: RefCell<BTreeMap<PathBuf, Option<Vec<String>>>>,
    fs_types: RefCell<BTreeMap<PathBuf, Option<String>>>,
    exe: OnceCell<String>,
    /// Offline (`doctor --from`): only presets; nothing is read from this
    /// machine.
    offline: std::cell::Cell<bool>,
}

impl<'r> Facts<'r> {
    pub fn new(r: &'r dyn Runner) -> Self {
        Facts {
            r,
            lvm: OnceCell::new(),
            lvm_devices: RefCell::new(None),
            every_device: std::cell::Cell::new(false),
            dm_status: OnceCell::new(),
            thin_target: OnceCell::new(),
            thin_loaded: OnceCell::new(),
            dockerd: OnceCell::new(),
            dockerd_installed: OnceCell::new(),
            containerd: OnceCell::new(),
            pending: RefCell::new(BTreeMap::new()),
            version_cache: None,
            mountinfo: OnceCell::new(),
            systemd: OnceCell::new(),
            device: OnceCell::new(),
            files: RefCell::new(BTreeMap::new()),
            enabled: RefCell::new(BTreeMap::new()),
            devnums: RefCell::new(BTreeMap::new()),
            dirs: RefCell::new(BTreeMap::new()),
            fs_types: RefCell::new(BTreeMap::new()),
            exe: OnceCell::new(),
            offline: std::cell::Cell::new(false),
        }
    }

    /// Every PV, VG, LV and segment: one `lvm fullreport`. After
    /// [`Facts::lvm_only_under`], of the PVs under one pool when that
    /// view holds every PV of their VGs (otherwise a second, full probe).
    pub fn lvm(&self) -> Result<&LvmState> {
        if let Some(l) = self.lvm.get() {
            return Ok(l);
        }
        let restricted = self
            .lvm_devices
            .borrow()
            .as_deref()
            .and_then(|d| lvm::probe_on(self.r, d));
        let l = match restricted {
            Some(l) => l,
            None => lvm::probe(self.r)?,
        };
        Ok(self.lvm.get_or_init(|| l))
    }

    /// LVM is read from every device: the command judges a disk outside
    /// the pool (`extend --add-device`: is it another VG's PV?).
    pub fn scan_every_device(&self) {
        self.every_device.set(true);
        *self.lvm_devices.borrow_mut() = None;
    }

    /// Let [`Facts::lvm`] read only the PVs under the active dm device
    /// `dm_name` (and `also`): on a host with many disks each lvm process
    /// would otherwise read every one. Does nothing when the device is not
    /// active, when LVM was probed already, or when `also` is not among
    /// those PVs (`also`: the disk setup was given, which must be one).
    pub fn lvm_only_under(&self, dm_name: &str, also: Option<&Path>) {
        if self.lvm.get().is_some() || self.every_device.get() {
            return;
        }
        let Some(devs) = device::pvs_under(dm_name) else {
            return;
        };
        if let Some(a) = also {
            let a = std::fs::canonicalize(a).unwrap_or_else(|_| a.to_path_buf());
            let canon = |d: &PathBuf| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
            if !devs.iter().any(|d| canon(d) == a) {
                return;
            }
        }
        *self.lvm_devices.borrow_mut() = Some(devs);
    }

    /// The status line of the thin-pool target of the pool whose dm name
    /// is `dm`, as `dmsetup status` prints it for all devices (`NAME: 0 LEN
    /// thin-pool ...`). Read from the kernel's device-mapper ioctl for that
    /// device alone (no `dmsetup` process; listing every device would race
    /// with runtimes that create and remove their own thin devices). The
    /// target is on `<dm>-tpool` once the pool holds LVM thin LVs, else on
    /// `<dm>`; a missing device is the error `dmsetup` gives.
    pub fn dm_status(&self, dm: &str) -> Result<&str> {
        if let Some(s) = self.dm_status.get() {
            return Ok(s);
        }
        let query = |name: &str| -> Result<Option<String>> {
            Ok(crate::dm_ioctl::status(name)?.map(|targets| {
                targets
                    .iter()
                    .map(|t| format!("{name}: {}\n", t.line()))
                    .collect()
            }))
        };
        let tpool = format!("{dm}-tpool");
        let text = match query(&tpool)? {
            Some(t) if crate::dm::pool_status_line(&t, dm).is_some() => t,
            _ => query(dm)?.ok_or_else(|| {
                anyhow::anyhow!(
                    "device-mapper has no device {dm} (`dmsetup status {dm}`: Device does not \
                     exist): the pool is not active"
                )
            })?,
        };
        Ok(self.dm_status.get_or_init(|| text))
    }

    /// device-mapper has a device of this name (the kernel's ioctl; false
    /// when device-mapper cannot be asked, e.g. without root).
    pub fn dm_exists(&self, name: &str) -> bool {
        if self.offline.get() {
            return false;
        }
        matches!(crate::dm_ioctl::status(name), Ok(Some(_)))
    }

    /// The kernel can make thin pools: `dmsetup targets` lists thin-pool,
    /// or the dm_thin_pool module is there for lvm to load.
    pub fn thin_target(&self) -> Result<bool> {
        if let Some(t) = self.thin_target.get() {
            return Ok(*t);
        }
        let t = thin_module_available() || self.thin_target_loaded()?;
        Ok(*self.thin_target.get_or_init(|| t))
    }

    /// `dmsetup targets` lists thin-pool (the module is loaded).
    pub fn thin_target_loaded(&self) -> Result<bool> {
        if let Some(t) = self.thin_loaded.get() {
            return Ok(*t);
        }
        let out = engine::run(self.r, &Cmd::new("dmsetup").arg("targets"))
            .context("device-mapper is not usable (`modprobe dm_mod`)")?;
        let t = out
            .stdout
            .lines()
            .any(|l| l.split_whitespace().next() == Some("thin-pool"));
        Ok(*self.thin_loaded.get_or_init(|| t))
    }

    /// dockerd is installed (found in PATH or the sbin dirs).
    pub fn dockerd_installed(&self) -> bool {
        *self
            .dockerd_installed
            .get_or_init(|| tools::find("dockerd").is_some())
    }

    /// dockerd's version (`dockerd --version`), when installed and readable.
    pub fn dockerd(&self) -> Option<&DockerVersion> {
        self.dockerd
            .get_or_init(|| {
                if !self.dockerd_installed() {
                    return None;
                }
                dversion::parse_dockerd_version(&self.tool_version("dockerd")?)
            })
            .as_ref()
    }

    /// containerd's `(major, minor)` version (`containerd --version`), when
    /// installed and readable.
    pub fn containerd(&self) -> Option<(u32, u32)> {
        *self.containerd.get_or_init(|| {
            tools::find("containerd")?;
            crate::containerd::parse_version(&self.tool_version("containerd")?)
        })
    }

    /// Remember `--version` answers in `path` (dmctl's runs as root use
    /// [`VERSION_CACHE`]), keyed by the binary's identity.
    pub fn use_version_cache(&mut self, path: &Path) {
        self.version_cache = Some(path.to_path_buf());
    }

    /// Start `PROGRAM --version` in the background for each of `programs`
    /// that is installed and not remembered, so the answer is ready when a
    /// planner asks (it runs while LVM is probed).
    pub fn prefetch_versions(&self, programs: &[&'static str]) {
        for &p in programs {
            let Some(path) = tools::find(p) else { continue };
            if self.pending.borrow().contains_key(p) || self.cached_version(&path).is_some() {
                continue;
            }
            if let Ok(started) = self.r.start(&Cmd::new(p).arg("--version")) {
                self.pending.borrow_mut().insert(p, started);
            }
        }
    }

    /// The stdout of `PROGRAM --version`: remembered for this very binary,
    /// started earlier, or run now. `None` when it fails.
    fn tool_version(&self, program: &'static str) -> Option<String> {
        let path = tools::find(program)?;
        if let Some(v) = self.cached_version(&path) {
            return Some(v);
        }
        let pending = self.pending.borrow_mut().remove(program);
        let out = match pending {
            Some(started) => started.wait(),
            None => self.r.exec(&Cmd::new(program).arg("--version")),
        }
        .ok()?;
        if out.status != 0 {
            return None;
        }
        self.remember_version(&path, &out.stdout);
        Some(out.stdout)
    }

    fn cached_version(&self, binary: &Path) -> Option<String> {
        let cache = self.version_cache.as_ref()?;
        let text = std::fs::read_to_string(cache).ok()?;
        let map: BTreeMap<String, String> = serde_json::from_str(&text).ok()?;
        map.get(&binary_identity(binary)?).cloned()
    }

    /// Best effort: a cache that cannot be written costs a probe next time.
    fn remember_version(&self, binary: &Path, stdout: &str) {
        let (Some(cache), Some(key)) = (self.version_cache.as_ref(), binary_identity(binary))
        else {
            return;
        };
        let mut map: BTreeMap<String, String> = std::fs::read_to_string(cache)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        // Entries of replaced binaries of the same path are dropped.
        let prefix = format!("{}|", binary.display());
        map.retain(|k, _| !k.starts_with(&prefix));
        map.insert(key, stdout.to_string());
        let _ = write_cache(cache, &map);
    }

    /// A file's text; `None` when it does not exist.
    pub fn file(&self, path: &Path) -> Result<Option<String>> {
        if let Some(t) = self.files.borrow().get(path) {
            return Ok(t.clone());
        }
        if self.offline.get() {
            return Ok(None);
        }
        let t = fsutil::read_optional(path)?;
        self.files
            .borrow_mut()
            .insert(path.to_path_buf(), t.clone());
        Ok(t)
    }

    /// /proc/self/mountinfo.
    pub fn mountinfo(&self) -> Result<&str> {
        if let Some(m) = self.mountinfo.get() {
            return Ok(m);
        }
        if self.offline.get() {
            return Ok(self.mountinfo.get_or_init(String::new));
        }
        let m = std::fs::read_to_string("/proc/self/mountinfo")
            .context("reading /proc/self/mountinfo")?;
        Ok(self.mountinfo.get_or_init(|| m))
    }

    /// The mount whose mount point is `path`, if any.
    pub fn mount_at(&self, path: &Path) -> Result<Option<MountEntry>> {
        Ok(mounts::find_mount(self.mountinfo()?, path))
    }

    /// systemd is PID 1 (`/run/systemd/system` exists).
    pub fn systemd(&self) -> bool {
        *self
            .systemd
            .get_or_init(|| !self.offline.get() && Path::new("/run/systemd/system").is_dir())
    }

    /// `systemctl is-enabled UNIT` says enabled; `None` when systemd is
    /// not PID 1.
    pub fn unit_enabled(&self, unit: &str) -> Result<Option<bool>> {
        if !self.systemd() || tools::find("systemctl").is_none() {
            return Ok(None);
        }
        if let Some(e) = self.enabled.borrow().get(unit) {
            return Ok(Some(*e));
        }
        let o = self
            .r
            .exec(&Cmd::new("systemctl").args(["is-enabled", unit]))?;
        let e = o.status == 0 && o.stdout.trim() == "enabled";
        self.enabled.borrow_mut().insert(unit.to_string(), e);
        Ok(Some(e))
    }

    /// The device named on the command line (one per run). Its signatures
    /// are scanned (`wipefs`) unless LVM reports it as a PV of `our_vg`:
    /// dmctl checked it before making that PV, and a signature written
    /// over it since would have destroyed the PV label LVM reads.
    pub fn device(&self, given: &Path, our_vg: Option<&str>) -> Result<&DeviceFacts> {
        if let Some(d) = self.device.get() {
            return Ok(d);
        }
        let ours = match our_vg {
            Some(vg) => self.lvm()?.pv_on(given).is_some_and(|pv| pv.vg_name == vg),
            None => false,
        };
        let d = device::gather(self.r, given, self.mountinfo().unwrap_or(""), !ours)?;
        Ok(self.device.get_or_init(|| d))
    }

    /// The filesystem type on a block device (`blkid`), if any.
    pub fn fs_type(&self, dev: &Path) -> Result<Option<String>> {
        if let Some(t) = self.fs_types.borrow().get(dev) {
            return Ok(t.clone());
        }
        // blkid exits 2 when it finds no signature.
        let o = self.r.exec(
            &Cmd::new("blkid")
                .args(["-p", "-o", "value", "-s", "TYPE"])
                .arg(dev.to_string_lossy()),
        )?;
        let t = o.stdout.trim();
        let t = (o.status == 0 && !t.is_empty()).then(|| t.to_string());
        self.fs_types
            .borrow_mut()
            .insert(dev.to_path_buf(), t.clone());
        Ok(t)
    }

    /// `maj:min` of a block device node, if it is one.
    pub fn devnum(&self, path: &Path) -> Option<String> {
        if let Some(d) = self.devnums.borrow().get(path) {
            return d.clone();
        }
        let d = devnum(path).filter(|_| !self.offline.get());
        self.devnums
            .borrow_mut()
            .insert(path.to_path_buf(), d.clone());
        d
    }

    /// Entries of a directory (`lost+found` left out); `None`: no such dir.
    pub fn dir_entries(&self, dir: &Path) -> Result<Option<Vec<String>>> {
        if let Some(d) = self.dirs.borrow().get(dir) {
            return Ok(d.clone());
        }
        if self.offline.get() {
            return Ok(None);
        }
        let d = dir_entries(dir)?;
        self.dirs.borrow_mut().insert(dir.to_path_buf(), d.clone());
        Ok(d)
    }

    /// dmctl's own path, for the boot unit's ExecStart.
    pub fn exe(&self) -> String {
        self.exe
            .get_or_init(|| {
                std::env::current_exe()
                    .ok()
                    .and_then(|p| p.canonicalize().ok())
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "/usr/local/bin/dmctl".into())
            })
            .clone()
    }

    // Presets, for tests and for facts a caller already holds.

    pub fn set_lvm(&self, l: LvmState) -> &Self {
        let _ = self.lvm.set(l);
        self
    }
    /// The pool's status text, as [`Facts::dm_status`] returns it.
    pub fn set_dm_status(&self, text: &str) -> &Self {
        let _ = self.dm_status.set(text.to_string());
        self
    }
    /// Offline: a fact that was not preset is unknown (files absent, no
    /// mounts, no systemd) instead of read from
    /// this machine; probes still go to the runner, which refuses them.
    pub fn set_offline(&self) -> &Self {
        self.offline.set(true);
        self
    }
    pub fn set_file(&self, path: &Path, text: Option<&str>) -> &Self {
        self.files
            .borrow_mut()
            .insert(path.to_path_buf(), text.map(str::to_string));
        self
    }
    pub fn set_dockerd(&self, v: Option<DockerVersion>, installed: bool) -> &Self {
        let _ = self.dockerd_installed.set(installed);
        let _ = self.dockerd.set(v);
        self
    }
    pub fn set_containerd(&self, v: Option<(u32, u32)>) -> &Self {
        let _ = self.containerd.set(v);
        self
    }
    pub fn set_mountinfo(&self, m: &str) -> &Self {
        let _ = self.mountinfo.set(m.to_string());
        self
    }
    pub fn set_systemd(&self, on: bool) -> &Self {
        let _ = self.systemd.set(on);
        self
    }
    pub fn set_unit_enabled(&self, unit: &str, e: bool) -> &Self {
        self.enabled.borrow_mut().insert(unit.to_string(), e);
        self
    }
    pub fn set_fs_type(&self, dev: &Path, t: Option<&str>) -> &Self {
        self.fs_types
            .borrow_mut()
            .insert(dev.to_path_buf(), t.map(str::to_string));
        self
    }
    pub fn set_devnum(&self, path: &Path, d: Option<&str>) -> &Self {
        self.devnums
            .borrow_mut()
            .insert(path.to_path_buf(), d.map(str::to_string));
        self
    }
    pub fn set_dir_entries(&self, dir: &Path, e: Option<Vec<String>>) -> &Self {
        self.dirs.borrow_mut().insert(dir.to_path_buf(), e);
        self
    }
    pub fn set_exe(&self, exe: &str) -> &Self {
        let _ = self.exe.set(exe.to_string());
        self
    }
    pub fn set_device(&self, d: DeviceFacts) -> &Self {
        let _ = self.device.set(d);
        self
    }
}

/// Where dmctl remembers runtime versions: tmpfs, so it is gone after a
/// reboot; an entry is valid only for the binary file it was read from.
pub const VERSION_CACHE: &str = "/run/dmctl/versions.json";

/// A binary's identity: path, device, inode, size, mtime and ctime (an
/// upgrade changes at least one of them).
fn binary_identity(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let real = std::fs::canonicalize(path).ok()?;
    let m = std::fs::metadata(&real).ok()?;
    Some(format!(
        "{}|{}:{}|{}|{}.{}|{}.{}",
        path.display(),
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    ))
}

/// Write the version cache: a temp file beside it, then rename (a cache on
/// tmpfs: no fsync, and a lost write only costs a probe).
fn write_cache(path: &Path, map: &BTreeMap<String, String>) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = path.parent().unwrap_or(Path::new("/"));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)?;
    let tmp = dir.join(format!(".versions.{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_string_pretty(map).unwrap_or_default())?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `maj:min` of a device node.
fn devnum(path: &Path) -> Option<String> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let m = std::fs::metadata(path).ok()?;
    m.file_type().is_block_device().then(|| {
        let rdev = m.rdev();
        format!(
            "{}:{}",
            nix::sys::stat::major(rdev),
            nix::sys::stat::minor(rdev)
        )
    })
}

/// Entries of a directory (`lost+found` left out); `None`: no such dir.
fn dir_entries(dir: &Path) -> Result<Option<Vec<String>>> {
    match std::fs::read_dir(dir) {
        Ok(rd) => Ok(Some(
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "lost+found")
                .collect(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

/// udevd is running when its control socket exists.
pub fn udev_running() -> bool {
    Path::new("/run/udev/control").exists()
}

/// Whether the running kernel has a dm_thin_pool module (or built in).
pub fn thin_module_available() -> bool {
    if Path::new("/sys/module/dm_thin_pool").exists() {
        return true;
    }
    let Ok(rel) = std::fs::read_to_string("/proc/sys/kernel/osrelease") else {
        return false;
    };
    let base = Path::new("/lib/modules").join(rel.trim());
    ["modules.dep", "modules.builtin"].iter().any(|f| {
        std::fs::read_to_string(base.join(f))
            .map(|t| t.contains("dm-thin-pool.ko"))
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::FakeRunner;
    use crate::exec::Output;

    #[test]
    fn each_fact_is_probed_once() {
        let f = FakeRunner::new();
        f.on(
            &["lvm", "fullreport"],
            Output::ok(include_str!("../tests/fixtures/vm/blank--fullreport.out")),
        )
        .on(
            &["blkid", "-p", "-o", "value", "-s", "TYPE", "/dev/vdb"],
            Output::ok("xfs\n"),
        );
        let facts = Facts::new(&f);
        facts.lvm().unwrap();
        facts.lvm().unwrap();
        let dev = Path::new("/dev/vdb");
        assert_eq!(facts.fs_type(dev).unwrap().as_deref(), Some("xfs"));
        assert_eq!(facts.fs_type(dev).unwrap().as_deref(), Some("xfs"));
        assert_eq!(f.programs(), ["lvm", "blkid"]);
    }

    #[test]
    fn version_cache_holds_only_for_the_same_binary() {
        let d = tempfile::tempdir().unwrap();
        let bin = d.path().join("dockerd");
        std::fs::write(&bin, "binary v1").unwrap();
        let f = FakeRunner::new();
        let mut facts = Facts::new(&f);
        // no cache configured: nothing is remembered
        facts.remember_version(&bin, "Docker version 20.10.24\n");
        assert_eq!(facts.cached_version(&bin), None);
        facts.use_version_cache(&d.path().join("run/versions.json"));
        facts.remember_version(&bin, "Docker version 20.10.24\n");
        assert_eq!(
            facts.cached_version(&bin).as_deref(),
            Some("Docker version 20.10.24\n")
        );
        // an upgrade replaces the file: another identity, the entry is stale
        std::fs::write(&bin, "binary version 2").unwrap();
        assert_eq!(facts.cached_version(&bin), None);
        facts.remember_version(&bin, "Docker version 26.1.5\n");
        let text = std::fs::read_to_string(d.path().join("run/versions.json")).unwrap();
        assert!(
            !text.contains("20.10.24"),
            "the old entry is dropped: {text}"
        );
        assert!(f.history().is_empty());
    }

    #[test]
    fn presets_run_nothing() {
        let f = FakeRunner::new();
        let facts = Facts::new(&f);
        facts
            .set_lvm(LvmState::default())
            .set_file(Path::new("/etc/x"), Some("y"));
        assert!(facts.lvm().unwrap().vgs.is_empty());
        assert_eq!(
            facts.file(Path::new("/etc/x")).unwrap().as_deref(),
            Some("y")
        );
        assert!(f.history().is_empty());
    }
}
