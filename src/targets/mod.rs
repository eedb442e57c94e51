//! What a pool feeds. Each target is one module behind one trait: the
//! tools it needs, the checks it makes before any write, the steps it adds
//! after the pool, what `activate` does for it at boot, what it reports to
//! status, and what teardown removes. Adding a target = one new file here +
//! one line in [`ALL`] + one variant of [`TargetKind`] (the CLI's name).

pub mod containerd_devmapper;
pub mod docker_devicemapper;
pub mod docker_overlay2;
#[cfg(test)]
mod tests;

use anyhow::Result;
use serde::Serialize;

pub use crate::cli::TargetKind;
use crate::config::Settings;
use crate::device::Problem;
use crate::docker::version::{self as dversion, DmSupport};
use crate::engine::Plan;
use crate::error::refused;
use crate::facts::Facts;

/// How a host is wired to a pool by one target (status, doctor).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wiring {
    pub target: &'static str,
    /// The file that wires the runtime to the pool.
    pub config: String,
    /// One line: what is in place.
    pub detail: String,
    /// What is wrong with it, if anything (doctor warns), and the fix.
    pub problem: Option<String>,
    pub fix: Vec<String>,
}

pub trait Target: Sync {
    fn kind(&self) -> TargetKind;

    /// Programs its steps run, on top of the pool's.
    fn tools(&self) -> &'static [&'static str] {
        &[]
    }

    /// Checks before any write; each problem refuses the run.
    fn preflight(&self, _f: &Facts, _s: &Settings) -> Result<Vec<Problem>> {
        Ok(Vec::new())
    }

    /// The steps after the pool that wire it to the runtime.
    /// `pool_exists`: false while setup still has to create the pool.
    fn plan(&self, p: &mut Plan, f: &Facts, s: &Settings, pool_exists: bool) -> Result<()>;

    /// Arguments of `dmctl activate` in the boot unit, beyond vg and pool.
    fn unit_args(&self, _s: &Settings) -> Vec<String> {
        Vec::new()
    }

    /// Steps `dmctl activate` adds after the pool is active (e.g. a mount).
    fn activate(&self, _p: &mut Plan, _f: &Facts, _s: &Settings) -> Result<()> {
        Ok(())
    }

    /// How this host is wired to `vg/pool` by this target, if it is.
    fn wiring(&self, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<Option<Wiring>>;

    /// Steps that undo [`Target::plan`] for `vg/pool` (teardown, before the
    /// pool is removed); only what this target made.
    fn teardown(&self, p: &mut Plan, f: &Facts, s: &Settings, vg: &str, pool: &str) -> Result<()>;
}

/// Every target, in the order teardown undoes them.
pub static ALL: &[&dyn Target] = &[
    &docker_overlay2::DockerOverlay2,
    &containerd_devmapper::ContainerdDevmapper,
    &docker_devicemapper::DockerDevicemapper,
];

/// The one dispatch from a name to its target.
pub fn get(kind: TargetKind) -> &'static dyn Target {
    *ALL.iter()
        .find(|t| t.kind() == kind)
        .expect("every TargetKind is in ALL")
}

/// The target: the one given, else docker-devicemapper unless dockerd is
/// 25 or newer (devicemapper is gone there: refuse and name the others).
pub fn resolve(explicit: Option<TargetKind>, f: &Facts) -> Result<(TargetKind, Vec<String>)> {
    let mut warnings = Vec::new();
    // Only the devicemapper target depends on dockerd's version.
    let asks = matches!(explicit, None | Some(TargetKind::DockerDevicemapper));
    let dockerd = if asks { f.dockerd() } else { None };
    let support = dockerd.map(|v| (v, dversion::devicemapper_support(v)));
    if f.dockerd_installed() && dockerd.is_none() && explicit.is_none() {
        warnings.push("could not read dockerd's version; assuming docker-devicemapper".into());
    }
    match (explicit, support) {
        (None, Some((v, DmSupport::Removed))) => Err(refused(format!(
            "dockerd {v} is installed and has no devicemapper storage driver (removed in Docker \
             25.0), so dmctl will not write a devicemapper daemon.json. Choose what the pool is \
             for: --target docker-overlay2 (overlay2 on xfs in a thin LV of the pool) or \
             --target containerd-devmapper (containerd's devmapper snapshotter)"
        ))),
        (Some(TargetKind::DockerDevicemapper), Some((v, DmSupport::Removed))) => {
            Err(refused(format!(
                "--target docker-devicemapper: dockerd {v} has no devicemapper storage driver \
                 (removed in Docker 25.0); a devicemapper daemon.json would keep it from \
                 starting. Use --target docker-overlay2 or --target containerd-devmapper"
            )))
        }
        (
            None | Some(TargetKind::DockerDevicemapper),
            Some((v, DmSupport::RequiresExplicitDriver)),
        ) => {
            warnings.push(format!(
                "dockerd {v} deprecates devicemapper: it only starts with the explicit \
                 storage-driver dmctl writes; plan a move (--target docker-overlay2) before \
                 Docker 25"
            ));
            Ok((TargetKind::DockerDevicemapper, warnings))
        }
        (t, _) => Ok((t.unwrap_or(TargetKind::DockerDevicemapper), warnings)),
    }
}

/// The runtimes whose version planning for `target` may ask (resolve's
/// Docker rule, containerd's config format): probed ahead, in the
/// background, while LVM is probed.
pub fn version_probes(target: Option<TargetKind>) -> &'static [&'static str] {
    match target {
        None | Some(TargetKind::DockerDevicemapper) => &["dockerd"],
        Some(TargetKind::ContainerdDevmapper) => &["containerd"],
        Some(TargetKind::DockerOverlay2) => &[],
    }
}

/// Every target wired to `vg/pool` on this host.
pub fn wirings(f: &Facts, s: &Settings, vg: &str, pool: &str) -> Vec<Wiring> {
    ALL.iter()
        .filter_map(|t| t.wiring(f, s, vg, pool).ok().flatten())
        .collect()
}

/// A warning when a devmapper-style runtime shares a pool with LVM thin
/// volumes (both allocate thin device ids).
pub fn shared_pool_warning(p: &mut Plan, f: &Facts, s: &Settings, kind: TargetKind) -> Result<()> {
    let thin: Vec<String> = f
        .lvm()?
        .thin_volumes(&s.vg, &s.pool)
        .filter(|l| l.name != s.lv_name)
        .map(|l| l.name.clone())
        .collect();
    if !thin.is_empty() {
        p.warnings.push(format!(
            "{} holds LVM thin volumes ({}); {} allocates thin device ids on its own \
             and may collide with LVM's: keep this pool for one user",
            s.pool_path(),
            thin.join(", "),
            kind.as_str()
        ));
    }
    Ok(())
}
