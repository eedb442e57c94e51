//! Every clap type of dmctl, in one place.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit status:
  0  success (whether or not anything changed)
  1  an external command or an I/O operation failed
  2  usage error
  3  refused: unsafe device, unexpected state or invalid input;
     nothing was changed
  4  busy: another dmctl run held the lock past --lock-timeout
  5  doctor: the worst finding is a warning
  6  doctor: at least one finding is critical";

#[derive(Parser, Debug)]
#[command(
    name = "dmctl",
    version,
    about = "Provision and operate LVM thin pools for container storage",
    after_help = EXIT_CODES,
    max_term_width = 80
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalOpts {
    /// Config file (TOML); flags win over its keys
    #[arg(long, global = true, value_name = "FILE", env = "DMCTL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Show what would run and be written; change nothing
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Output format on stdout
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Echo every external command
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Seconds to wait for another dmctl run to finish
    #[arg(long, global = true, value_name = "SECS", default_value_t = 120)]
    pub lock_timeout: u64,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// node_exporter textfile format (`dmctl status` only)
    Prometheus,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Take a blank disk to a monitored thin pool and daemon.json
    #[command(
        after_help = "Example:\n  dmctl setup /dev/sdb\n  dmctl setup /dev/sdb --vg docker-vg --pool thin-pool --dry-run"
    )]
    Setup(Box<SetupArgs>),
    /// Step 1: initialise DEVICE as an LVM physical volume
    #[command(after_help = "Example:\n  dmctl pvcreate /dev/sdb")]
    Pvcreate(DeviceArgs),
    /// Step 2: create the volume group on DEVICE
    #[command(after_help = "Example:\n  dmctl vgcreate /dev/sdb --vg docker")]
    Vgcreate(DeviceArgs),
    /// Step 3: create the data and metadata LVs
    #[command(after_help = "Example:\n  dmctl lvcreate --data-percent 95 --metadata-percent 1")]
    Lvcreate(LvcreateArgs),
    /// Step 4: convert the two LVs into a thin pool
    #[command(after_help = "Example:\n  dmctl lvconvert --chunk-size 512K")]
    Lvconvert(LvconvertArgs),
    /// Step 5: write the autoextend profile, attach it, monitor the pool
    #[command(
        after_help = "Example:\n  dmctl profile --autoextend-threshold 80 --autoextend-percent 20"
    )]
    Profile(ProfileArgs),
    /// Step 6: write or check /etc/docker/daemon.json
    #[command(
        name = "daemon-json",
        after_help = "Example:\n  dmctl daemon-json\n  dmctl daemon-json --check /etc/docker/daemon.json\n  \
dmctl daemon-json --target docker-overlay2"
    )]
    DaemonJson(DaemonJsonArgs),
    /// Step 6 (containerd): devmapper snapshotter in config.toml
    #[command(
        name = "containerd",
        after_help = "Example:\n  dmctl containerd\n  \
dmctl containerd --base-image-size 20GB --fs xfs --dry-run"
    )]
    ContainerdConfig(ContainerdArgs),
    /// Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root
    #[command(
        name = "data-lv",
        after_help = "Example:\n  dmctl data-lv --lv-size 50G\n  \
dmctl data-lv --lv-name data --data-root /srv/docker --dry-run"
    )]
    DataLv(DataLvArgs),
    /// Activate the pool and its thin LVs (at boot), mount the data root
    #[command(
        after_help = "Installed as a boot unit by `dmctl setup --install-unit`.

Example:
  dmctl activate
  dmctl activate --vg docker --pool thinpool --wait 60"
    )]
    Activate(ActivateArgs),
    /// Show the pool's usage, mode, monitoring and autoextend headroom
    #[command(
        after_help = "Pool: --pool, else daemon.json's dm.thinpooldev, else vg/pool \
from the config file, else the only thin pool.

Example:
  dmctl status
  dmctl status --pool docker/thinpool --format json
  dmctl status --format prometheus > /var/lib/node_exporter/dmctl.prom"
    )]
    Status(PoolArg),
    /// Check pool, LVM, kernel and Docker setup; print each fix
    #[command(
        after_help = "Exit status: 0 all ok, 5 worst finding is a warning, 6 critical.

Example:
  dmctl doctor
  dmctl doctor --format json
  dmctl doctor --collect /tmp/bundle     # tool outputs for a ticket
  dmctl doctor --from /tmp/bundle        # judge them anywhere, no root"
    )]
    Doctor(DoctorArgs),
    /// Grow the pool's data or metadata, or add a disk to its VG
    #[command(
        override_usage = "dmctl extend [OPTIONS] <--data SIZE | --data-percent PCT |\n       \
                          --metadata SIZE | --add-device DEV>...",
        after_help = "Example:
  dmctl extend --data +10G
  dmctl extend --data-percent 20 --metadata +256M
  dmctl extend --add-device /dev/sdc --grow --dry-run"
    )]
    Extend(ExtendArgs),
    /// Remove the pool, its VG and PV labels, daemon.json entries, profile
    #[command(
        after_help = "Refuses while the pool holds thin volumes or dockerd runs, unless \
--force.

Example:
  dmctl teardown --dry-run
  dmctl teardown --pool docker/thinpool"
    )]
    Teardown(TeardownArgs),
}

#[derive(Args, Debug, Clone)]
pub struct PoolArg {
    /// The thin pool as VG/LV [default: found by itself]
    #[arg(long = "pool", value_name = "VG/LV")]
    pub pool: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub pool: PoolArg,
    /// Judge pasted output instead of this host: a file, a directory or -
    /// (docker info, dmsetup status/table, lvs, lvm fullreport, daemon.json,
    /// config.toml, the LVM profile; recognised by content)
    #[arg(long, value_name = "PATH", conflicts_with = "collect")]
    pub from: Option<std::path::PathBuf>,
    /// Write the tool outputs and files doctor reads into DIR, for a ticket
    #[arg(long, value_name = "DIR")]
    pub collect: Option<std::path::PathBuf>,
}

#[derive(Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true)
    .args(["data", "data_percent", "metadata", "add_device"])))]
pub struct ExtendArgs {
    #[command(flatten)]
    pub pool: PoolArg,
    /// Grow data by SIZE (+10G) or to SIZE (50G); never shrinks
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub data: Option<String>,
    /// Grow data by PCT percent of its current size
    #[arg(long, value_name = "PCT", conflicts_with = "data")]
    pub data_percent: Option<u16>,
    /// Grow metadata by SIZE (+256M) or to SIZE (1G); never shrinks
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub metadata: Option<String>,
    /// Add this blank disk to the pool's VG (same checks as setup)
    #[arg(long, value_name = "DEV")]
    pub add_device: Option<PathBuf>,
    /// With --add-device: grow data by all of the new disk's space
    #[arg(long, requires = "add_device", conflicts_with_all = ["data", "data_percent"])]
    pub grow: bool,
    /// Wipe old filesystem signatures on --add-device (see setup)
    #[arg(long, requires = "add_device")]
    pub force: bool,
}

#[derive(Args, Debug, Clone)]
pub struct TeardownArgs {
    #[command(flatten)]
    pub pool: PoolArg,
    /// Also remove the pool's thin volumes; go on while dockerd runs
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug, Clone)]
pub struct SetupArgs {
    /// Whole disk to use, e.g. /dev/sdb or /dev/disk/by-id/...
    pub device: PathBuf,
    /// Wipe old filesystem signatures (never overrides mounted, held,
    /// in another VG, partitioned or read-only)
    #[arg(long)]
    pub force: bool,
    /// Also install and enable /etc/systemd/system/dmctl-activate.service,
    /// which activates the pool at boot before docker and containerd
    #[arg(long)]
    pub install_unit: bool,
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub size: SizeOpts,
    #[command(flatten)]
    pub chunk: ChunkOpt,
    #[command(flatten)]
    pub profile: ProfileOpts,
    #[command(flatten)]
    pub target: TargetOpt,
    #[command(flatten)]
    pub docker: DockerOpts,
    #[command(flatten)]
    pub fs: FsOpt,
    #[command(flatten)]
    pub containerd: ContainerdOpts,
    #[command(flatten)]
    pub data_lv: DataLvOpts,
    #[command(flatten)]
    pub data_root: DataRootOpts,
}

#[derive(Args, Debug, Clone)]
pub struct ActivateArgs {
    /// Seconds to wait for the pool's /dev/mapper node
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub wait: u64,
    #[command(flatten)]
    pub names: NameOpts,
    /// docker-overlay2: name of the thin LV [default: docker-data]
    #[arg(long, value_name = "NAME")]
    pub lv_name: Option<String>,
    /// docker-overlay2: where it is mounted [default: /var/lib/docker]
    #[arg(long, value_name = "DIR")]
    pub data_root: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// Whole disk to use
    pub device: PathBuf,
    /// Wipe old filesystem signatures (see `dmctl setup --help`)
    #[arg(long)]
    pub force: bool,
    /// Volume group name [default: docker]
    #[arg(long, value_name = "NAME")]
    pub vg: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct LvcreateArgs {
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub size: SizeOpts,
}

#[derive(Args, Debug, Clone)]
pub struct LvconvertArgs {
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub chunk: ChunkOpt,
}

#[derive(Args, Debug, Clone)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub profile: ProfileOpts,
}

#[derive(Args, Debug, Clone)]
pub struct DaemonJsonArgs {
    /// Only validate FILE (default: the daemon.json path); write nothing
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub check: Option<Option<PathBuf>>,
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub target: TargetOpt,
    #[command(flatten)]
    pub docker: DockerOpts,
    #[command(flatten)]
    pub fs: FsOpt,
    #[command(flatten)]
    pub data_root: DataRootOpts,
}

#[derive(Args, Debug, Clone)]
pub struct ContainerdArgs {
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub containerd: ContainerdOpts,
    #[command(flatten)]
    pub fs: FsOpt,
}

#[derive(Args, Debug, Clone)]
pub struct DataLvArgs {
    #[command(flatten)]
    pub names: NameOpts,
    #[command(flatten)]
    pub data_lv: DataLvOpts,
    #[command(flatten)]
    pub data_root: DataRootOpts,
}

// Option groups. Each subcommand flattens the groups it uses; each group
// fills its keys of [`PoolOpts`], the model the config file shares.

/// Copy the flags that were given into the config model.
pub trait IntoPoolOpts {
    fn fill(&self, o: &mut PoolOpts);
}

macro_rules! fill_fields {
    ($t:ty: $($f:ident),+) => {
        impl IntoPoolOpts for $t {
            fn fill(&self, o: &mut PoolOpts) {
                $(if self.$f.is_some() { o.$f = self.$f.clone(); })+
            }
        }
    };
}

#[derive(Args, Debug, Clone, Default)]
pub struct NameOpts {
    /// Volume group name [default: docker]
    #[arg(long, value_name = "NAME")]
    pub vg: Option<String>,
    /// Thin pool LV name [default: thinpool]
    #[arg(long, value_name = "NAME")]
    pub pool: Option<String>,
}
fill_fields!(NameOpts: vg, pool);

#[derive(Args, Debug, Clone, Default)]
pub struct SizeOpts {
    /// Pool data size in percent of the VG [default: 95]
    #[arg(long, value_name = "PCT")]
    pub data_percent: Option<u8>,
    /// Metadata size in percent of the VG, clamped to 2MiB..15.8GiB
    /// [default: 1]
    #[arg(long, value_name = "PCT", conflicts_with = "metadata_size")]
    pub metadata_percent: Option<u8>,
    /// Metadata size, e.g. 1G (2MiB..15.8GiB)
    #[arg(long, value_name = "SIZE")]
    pub metadata_size: Option<String>,
}
fill_fields!(SizeOpts: data_percent, metadata_percent, metadata_size);

#[derive(Args, Debug, Clone, Default)]
pub struct ChunkOpt {
    /// Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]
    #[arg(long, value_name = "SIZE")]
    pub chunk_size: Option<String>,
}
fill_fields!(ChunkOpt: chunk_size);

#[derive(Args, Debug, Clone, Default)]
pub struct ProfileOpts {
    /// Autoextend when data or metadata use reaches PCT (50..100;
    /// 100 = never) [default: 80]
    #[arg(long, value_name = "PCT")]
    pub autoextend_threshold: Option<u8>,
    /// Grow by PCT of the pool's size each time [default: 20]
    #[arg(long, value_name = "PCT")]
    pub autoextend_percent: Option<u8>,
    /// Directory of LVM profiles [default: /etc/lvm/profile]
    #[arg(long, value_name = "DIR")]
    pub profile_dir: Option<PathBuf>,
}
fill_fields!(ProfileOpts: autoextend_threshold, autoextend_percent, profile_dir);

#[derive(Args, Debug, Clone, Default)]
pub struct TargetOpt {
    /// What the pool is for [default: docker-devicemapper, unless
    /// dockerd >= 25 is installed]
    #[arg(long, value_enum)]
    pub target: Option<TargetKind>,
}
fill_fields!(TargetOpt: target);

#[derive(Args, Debug, Clone, Default)]
pub struct DockerOpts {
    /// Docker's daemon.json [default: /etc/docker/daemon.json]
    #[arg(long, value_name = "FILE")]
    pub daemon_json: Option<PathBuf>,
    /// dm.basesize for daemon.json, e.g. 20G (only when given)
    #[arg(long, value_name = "SIZE")]
    pub basesize: Option<String>,
}
fill_fields!(DockerOpts: daemon_json, basesize);

#[derive(Args, Debug, Clone, Default)]
pub struct FsOpt {
    /// dm.fs for daemon.json, fs_type for containerd (only when given)
    #[arg(long, value_enum)]
    pub fs: Option<Fs>,
}
fill_fields!(FsOpt: fs);

#[derive(Args, Debug, Clone, Default)]
pub struct ContainerdOpts {
    /// containerd's config [default: /etc/containerd/config.toml]
    #[arg(long, value_name = "FILE")]
    pub containerd_config: Option<PathBuf>,
    /// containerd devmapper root_path [default:
    /// /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]
    #[arg(long, value_name = "DIR")]
    pub root_path: Option<String>,
    /// containerd devmapper base_image_size [default: 10GB]
    #[arg(long, value_name = "SIZE")]
    pub base_image_size: Option<String>,
    /// containerd devmapper async_remove (only when given)
    #[arg(long, value_name = "BOOL")]
    pub async_remove: Option<bool>,
    /// containerd devmapper discard_blocks (only when given)
    #[arg(long, value_name = "BOOL")]
    pub discard_blocks: Option<bool>,
    /// containerd devmapper fs_options, e.g. "-m crc=1" (only when given)
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true)]
    pub fs_options: Option<String>,
    /// Make devmapper the CRI plugin's snapshotter too (teardown restores
    /// the one before)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub cri_snapshotter: Option<bool>,
}
fill_fields!(ContainerdOpts: containerd_config, root_path, base_image_size, async_remove, discard_blocks, fs_options, cri_snapshotter);

#[derive(Args, Debug, Clone, Default)]
pub struct DataLvOpts {
    /// docker-overlay2: name of the thin LV [default: docker-data]
    #[arg(long, value_name = "NAME")]
    pub lv_name: Option<String>,
    /// docker-overlay2: virtual size of the thin LV [default: 10G]
    #[arg(long, value_name = "SIZE")]
    pub lv_size: Option<String>,
}
fill_fields!(DataLvOpts: lv_name, lv_size);

#[derive(Args, Debug, Clone, Default)]
pub struct DataRootOpts {
    /// docker-overlay2: where it is mounted [default: /var/lib/docker]
    #[arg(long, value_name = "DIR")]
    pub data_root: Option<PathBuf>,
    /// docker-overlay2: overlay2.size per container, e.g. 10G (only when
    /// given; needs the pquota mount dmctl makes)
    #[arg(long, value_name = "SIZE")]
    pub overlay2_size: Option<String>,
}
fill_fields!(DataRootOpts: data_root, overlay2_size);

/// The flags of a subcommand as the config model.
pub fn pool_opts(groups: &[&dyn IntoPoolOpts]) -> PoolOpts {
    let mut o = PoolOpts::default();
    for g in groups {
        g.fill(&mut o);
    }
    o
}

impl SetupArgs {
    pub fn opts(&self) -> PoolOpts {
        pool_opts(&[
            &self.names,
            &self.size,
            &self.chunk,
            &self.profile,
            &self.target,
            &self.docker,
            &self.fs,
            &self.containerd,
            &self.data_lv,
            &self.data_root,
        ])
    }
}

/// Pool settings as the TOML config file has them (kebab-case keys); the
/// flags of each subcommand fill the same fields. A flag wins over the
/// file, the file over the default.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PoolOpts {
    pub vg: Option<String>,
    pub pool: Option<String>,
    pub data_percent: Option<u8>,
    pub metadata_percent: Option<u8>,
    pub metadata_size: Option<String>,
    pub chunk_size: Option<String>,
    pub autoextend_threshold: Option<u8>,
    pub autoextend_percent: Option<u8>,
    pub profile_dir: Option<PathBuf>,
    pub daemon_json: Option<PathBuf>,
    pub basesize: Option<String>,
    pub fs: Option<Fs>,
    pub target: Option<TargetKind>,
    pub containerd_config: Option<PathBuf>,
    pub root_path: Option<String>,
    pub base_image_size: Option<String>,
    pub async_remove: Option<bool>,
    pub discard_blocks: Option<bool>,
    pub fs_options: Option<String>,
    pub cri_snapshotter: Option<bool>,
    pub lv_name: Option<String>,
    pub lv_size: Option<String>,
    pub data_root: Option<PathBuf>,
    pub overlay2_size: Option<String>,
}

/// What the pool is wired to.
#[derive(ValueEnum, Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// Docker's devicemapper driver (Docker < 25)
    DockerDevicemapper,
    /// containerd's devmapper snapshotter
    ContainerdDevmapper,
    /// overlay2 on xfs in a thin LV of the pool
    DockerOverlay2,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::DockerDevicemapper => "docker-devicemapper",
            TargetKind::ContainerdDevmapper => "containerd-devmapper",
            TargetKind::DockerOverlay2 => "docker-overlay2",
        }
    }
}

#[derive(ValueEnum, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Fs {
    Ext4,
    Xfs,
}

impl Fs {
    pub fn as_str(self) -> &'static str {
        match self {
            Fs::Ext4 => "ext4",
            Fs::Xfs => "xfs",
        }
    }
}
