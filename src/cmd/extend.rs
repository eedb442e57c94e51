//! `dmctl extend`: grow the pool's data or metadata, or add a disk to its
//! VG. Never shrinks. The planner ([`plan`]) is pure over the probe and the
//! new disk's facts.

use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;

use crate::cli::{ExtendArgs, Format, GlobalOpts};
use crate::config::MAX_METADATA;
use crate::device::{self, DeviceFacts};
use crate::engine::{Action, Plan, StepReport};
use crate::error::{exit, refused};
use crate::exec::Cmd;
use crate::facts::Facts;
use crate::lvm::size::{human, lvm_arg, parse_size, round_up};
use crate::lvm::{self, LvmState};
use crate::pool::{lvmcmd, sizing};
use crate::status;

/// A size request: `+SIZE` grows by, `SIZE` grows to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeReq {
    By(u64),
    To(u64),
}

pub fn parse_req(flag: &str, s: &str) -> Result<SizeReq> {
    let t = s.trim();
    if t.starts_with('-') {
        return Err(refused(format!(
            "--{flag} {s}: dmctl never shrinks a thin pool (LVM cannot shrink one either)"
        )));
    }
    let (by, rest) = match t.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let b = parse_size(rest).map_err(|e| refused(format!("--{flag}: {e}")))?;
    if b == 0 {
        return Err(refused(format!("--{flag} {s}: nothing to add")));
    }
    Ok(if by { SizeReq::By(b) } else { SizeReq::To(b) })
}

/// What to grow.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub data: Option<SizeReq>,
    pub data_percent: Option<u16>,
    pub metadata: Option<SizeReq>,
    pub add_device: Option<PathBuf>,
    pub grow: bool,
    pub force: bool,
}

/// Sizes shown before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizes {
    pub data_bytes: u64,
    pub metadata_bytes: u64,
    pub vg_free_bytes: u64,
    pub devices: Vec<String>,
}

pub fn sizes(lvm: &LvmState, vg: &str, pool: &str) -> Option<Sizes> {
    let lv = lvm.lv(vg, pool)?;
    Some(Sizes {
        data_bytes: lv.size,
        metadata_bytes: lv.metadata_size.unwrap_or(0),
        vg_free_bytes: lvm.vg(vg).map(|v| v.free).unwrap_or(0),
        devices: lvm.pvs_of(vg).map(|p| p.name.clone()).collect(),
    })
}

/// How much `req` adds to `current` (0: already that size). Refuses a
/// smaller target.
fn growth(what: &str, req: SizeReq, current: u64, extent: u64) -> Result<u64> {
    // whole extents; a size within one extent of 2^64 bytes has no such multiple
    let whole = |b: u64| {
        b.checked_next_multiple_of(extent)
            .ok_or_else(|| refused(format!("{what}: {b} bytes is more than any VG can hold")))
    };
    match req {
        SizeReq::By(b) => whole(b),
        SizeReq::To(t) => {
            let t = whole(t)?;
            if t < current {
                Err(refused(format!(
                    "{what} is {} already; {} would shrink it, which dmctl never does \
                     (write +SIZE to grow by SIZE)",
                    human(current),
                    human(t)
                )))
            } else {
                Ok(t - current)
            }
        }
    }
}

/// `vgextend`, `lvextend` and `lvextend --poolmetadatasize` as needed.
/// `dev` holds the facts of `--add-device` when given.
pub fn plan(
    lvm: &LvmState,
    vg: &str,
    pool: &str,
    req: &Request,
    dev: Option<&DeviceFacts>,
) -> Result<Plan> {
    let path = format!("{vg}/{pool}");
    let lv = lvm
        .lv(vg, pool)
        .filter(|l| l.is_thin_pool())
        .ok_or_else(|| refused(format!("{path} is not a thin pool")))?;
    let v = lvm
        .vg(vg)
        .ok_or_else(|| refused(format!("VG {vg} not found")))?;
    lvm::report::check_complete(lvm, vg).map_err(|e| refused(format!("{e:#}")))?;
    let extent = v.extent_size.max(1);
    let mut p = Plan::default();
    let mut available = v.free;
    let mut new_pv = None;
    if let Some(f) = dev {
        let problems = device::check(f, lvm, vg);
        let blocking: Vec<_> = problems
            .iter()
            .filter(|x| !(req.force && x.forceable))
            .collect();
        if !blocking.is_empty() {
            let lines: Vec<String> = blocking.iter().map(|x| format!("  - {x}")).collect();
            return Err(refused(format!(
                "refusing to add {} to VG {vg}; nothing was changed:\n{}",
                f.given.display(),
                lines.join("\n")
            )));
        }
        let pv = lvm.pv_on(&f.path).or_else(|| lvm.pv_on(&f.given));
        if pv.is_some_and(|x| x.vg_name == vg) {
            p.already("vgextend");
        } else {
            if req.force && device::needs_wipe(&problems) {
                p.todo("wipefs", Action::Run(lvmcmd::wipefs(&f.path)));
            }
            p.todo(
                "vgextend",
                Action::Run(
                    Cmd::mutating("vgextend")
                        .arg(vg)
                        .arg(f.path.to_string_lossy()),
                ),
            );
            // LVM keeps the first MiB for its label and metadata.
            let usable = f.size.saturating_sub(sizing::DEFAULT_PE_START) / extent * extent;
            available += usable;
            new_pv = Some(f.path.clone());
        }
    }
    let mut data = 0;
    if let Some(r) = req.data {
        data = growth(&format!("{path} data"), r, lv.size, extent)?;
    }
    if let Some(pct) = req.data_percent {
        if pct == 0 {
            return Err(refused("--data-percent must be at least 1"));
        }
        data = round_up((lv.size as u128 * pct as u128).div_ceil(100) as u64, extent);
    }
    let cur_meta = lv.metadata_size.unwrap_or(0);
    let mut meta = 0;
    if let Some(r) = req.metadata {
        meta = growth(&format!("{path} metadata"), r, cur_meta, extent)?;
        if cur_meta.saturating_add(meta) > MAX_METADATA {
            return Err(refused(format!(
                "{path} metadata would be {}, over LVM's limit {}",
                human(cur_meta.saturating_add(meta)),
                human(MAX_METADATA)
            )));
        }
    }
    if data.saturating_add(meta) > available {
        return Err(refused(format!(
            "VG {vg} has {} free{}, but {} is asked for: add a disk with --add-device DEV",
            human(available),
            if new_pv.is_some() {
                " with the new disk"
            } else {
                ""
            },
            human(data.saturating_add(meta))
        )));
    }
    if req.grow {
        match &new_pv {
            Some(d) => p.todo(
                "lvextend-data",
                Action::Run(
                    Cmd::mutating("lvextend")
                        .args(["-l", "+100%PVS"])
                        .arg(&path)
                        .arg(d.to_string_lossy()),
                ),
            ),
            None => p.already("lvextend-data"),
        }
    } else if req.data.is_some() || req.data_percent.is_some() {
        if data == 0 {
            p.already("lvextend-data");
        } else {
            p.todo(
                "lvextend-data",
                Action::Run(
                    Cmd::mutating("lvextend")
                        .arg("-L")
                        .arg(format!("+{}", lvm_arg(data)))
                        .arg(&path),
                ),
            );
        }
    }
    if req.metadata.is_some() {
        if meta == 0 {
            p.already("lvextend-metadata");
        } else {
            p.todo(
                "lvextend-metadata",
                Action::Run(
                    Cmd::mutating("lvextend")
                        .arg("--poolmetadatasize")
                        .arg(format!("+{}", lvm_arg(meta)))
                        .arg(&path),
                ),
            );
            p.warnings.push(format!(
                "LVM also grows the pool's metadata spare to {} when it is smaller",
                human(cur_meta + meta)
            ));
        }
    }
    Ok(p)
}

#[derive(Serialize)]
struct ExtendReport {
    changed: bool,
    dry_run: bool,
    pool: String,
    steps: Vec<StepReport>,
    before: Option<Sizes>,
    after: Option<Sizes>,
    warnings: Vec<String>,
}

fn sizes_line(s: &Sizes) -> String {
    format!(
        "data {}, metadata {}, VG free {}, devices {}",
        human(s.data_bytes),
        human(s.metadata_bytes),
        human(s.vg_free_bytes),
        s.devices.join(" ")
    )
}

pub fn run(g: &GlobalOpts, a: &ExtendArgs) -> Result<i32> {
    let req = Request {
        data: a
            .data
            .as_deref()
            .map(|s| parse_req("data", s))
            .transpose()?,
        data_percent: a.data_percent,
        metadata: a
            .metadata
            .as_deref()
            .map(|s| parse_req("metadata", s))
            .transpose()?,
        add_device: a.add_device.clone(),
        grow: a.grow,
        force: a.force,
    };
    crate::cmd::require_root("extend")?;
    let ui = crate::cmd::ui(g);
    let _lock = crate::cmd::lock(g, &ui)?;
    let (r, _) = crate::cmd::runner(&ui);
    let mut need = vec!["lvm", "lvextend"];
    if req.add_device.is_some() {
        need.extend(["vgextend", "wipefs"]);
    }
    crate::cmd::require_tools(&need)?;
    let f = Facts::new(&r);
    if req.add_device.is_some() {
        // Whether the new disk is another VG's PV needs every device read.
        f.scan_every_device();
    }
    let (_, h) = status::hints(g, &f, a.pool.pool.as_deref(), "extend")?;
    let (vg, pool, _) = status::locate(f.lvm()?, &h)?.expect("any=true");
    let dev = match &req.add_device {
        Some(d) => Some(f.device(d, None)?),
        None => None,
    };
    let pl = plan(f.lvm()?, &vg, &pool, &req, dev)?;
    let before = sizes(f.lvm()?, &vg, &pool);
    if let Some(b) = &before {
        ui.info(&format!("{vg}/{pool} before: {}", sizes_line(b)));
    }
    let out = crate::cmd::execute(g, &ui, &r, &pl, "extend", Vec::new())?;
    let after = if out.changed && !g.dry_run {
        let st = lvm::probe(&r)?;
        let s = sizes(&st, &vg, &pool);
        if let Some(s) = &s {
            ui.info(&format!("{vg}/{pool} after:  {}", sizes_line(s)));
        }
        s
    } else {
        before.clone()
    };
    if g.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&ExtendReport {
                changed: out.changed,
                dry_run: g.dry_run,
                pool: format!("{vg}/{pool}"),
                steps: out.steps,
                before,
                after,
                warnings: out.warnings,
            })?
        );
    } else if !out.changed {
        ui.info("dmctl extend: nothing to do");
    }
    Ok(exit::OK)
}

/// Unit-test helper: the commands of a plan.
#[cfg(test)]
fn commands(p: &Plan) -> Vec<String> {
    p.steps
        .iter()
        .filter_map(|s| match &s.action {
            Some(Action::Run(c)) => Some(c.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Signature;
    use crate::error::exit_code;
    use crate::status::tests::{fx, state};
    use std::path::Path;

    fn st() -> LvmState {
        // Real: data 400 MiB, metadata 8 MiB, VG free 1628 MiB (407 x 4 MiB).
        state(fx!("02-thinlv-fullreport.out"))
    }

    fn disk(path: &str) -> DeviceFacts {
        DeviceFacts {
            given: path.into(),
            path: path.into(),
            exists: true,
            is_block: true,
            name: Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into(),
            size: 1 << 30,
            ..Default::default()
        }
    }

    fn req() -> Request {
        Request::default()
    }

    #[test]
    fn size_requests() {
        assert_eq!(parse_req("data", "+10G").unwrap(), SizeReq::By(10 << 30));
        assert_eq!(parse_req("data", "10G").unwrap(), SizeReq::To(10 << 30));
        let e = parse_req("data", "-1G").unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("never shrinks"));
        assert!(parse_req("data", "+10").is_err());
        assert!(parse_req("data", "+0M").is_err());
    }

    #[test]
    fn data_and_metadata_commands() {
        let p = plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                data: Some(SizeReq::By(100 << 20)),
                metadata: Some(SizeReq::By(3 << 20)),
                ..req()
            },
            None,
        )
        .unwrap();
        assert_eq!(
            commands(&p),
            [
                "lvextend -L +104857600b docker/thinpool",
                // 3 MiB rounds up to one 4 MiB extent.
                "lvextend --poolmetadatasize +4194304b docker/thinpool",
            ]
        );
        let p = plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                data_percent: Some(20),
                ..req()
            },
            None,
        )
        .unwrap();
        assert_eq!(commands(&p), ["lvextend -L +83886080b docker/thinpool"]);
    }

    #[test]
    fn absolute_sizes_never_shrink() {
        let to = |data: u64| {
            plan(
                &st(),
                "docker",
                "thinpool",
                &Request {
                    data: Some(SizeReq::To(data)),
                    ..req()
                },
                None,
            )
        };
        assert_eq!(
            commands(&to(500 << 20).unwrap()),
            ["lvextend -L +104857600b docker/thinpool"]
        );
        let same = to(400 << 20).unwrap();
        assert!(!same.changes());
        let e = to(100 << 20).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("shrink"), "{e}");
    }

    #[test]
    fn sizes_near_2_pow_64_are_refused_not_wrapped() {
        // found by fuzz/fuzz_targets/sizes.rs: rounding up to whole extents
        // overflowed (a panic in debug builds, 0 bytes in release builds)
        for (data, metadata) in [
            (Some(SizeReq::By(u64::MAX)), None),
            (Some(SizeReq::To(u64::MAX)), None),
            (None, Some(SizeReq::By(u64::MAX - (4 << 20)))),
            (
                Some(SizeReq::By(u64::MAX - (4 << 20))),
                Some(SizeReq::By(1 << 20)),
            ),
        ] {
            let e = plan(
                &st(),
                "docker",
                "thinpool",
                &Request {
                    data,
                    metadata,
                    ..req()
                },
                None,
            )
            .unwrap_err();
            assert_eq!(exit_code(&e), exit::REFUSED, "{e}");
        }
        let req = parse_req("data", "+18446744073709551615B").unwrap();
        assert_eq!(req, SizeReq::By(u64::MAX));
    }

    #[test]
    fn not_enough_vg_space_is_refused() {
        let e = plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                data: Some(SizeReq::By(10 << 30)),
                ..req()
            },
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("--add-device"), "{e}");
        // A new 10 GiB disk makes room.
        let mut d = disk("/dev/vdc");
        d.size = 11 << 30;
        let p = plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                data: Some(SizeReq::By(10 << 30)),
                add_device: Some("/dev/vdc".into()),
                ..req()
            },
            Some(&d),
        )
        .unwrap();
        assert_eq!(
            commands(&p),
            [
                "vgextend docker /dev/vdc",
                "lvextend -L +10737418240b docker/thinpool"
            ]
        );
    }

    #[test]
    fn add_device_checks_and_grow() {
        let d = disk("/dev/vdc");
        let grow = Request {
            add_device: Some("/dev/vdc".into()),
            grow: true,
            ..req()
        };
        let p = plan(&st(), "docker", "thinpool", &grow, Some(&d)).unwrap();
        assert_eq!(
            commands(&p),
            [
                "vgextend docker /dev/vdc",
                "lvextend -l +100%PVS docker/thinpool /dev/vdc"
            ]
        );
        // Already in the VG (real: /dev/vdb is docker's PV): nothing to do.
        let p = plan(&st(), "docker", "thinpool", &grow, Some(&disk("/dev/vdb"))).unwrap();
        assert!(!p.changes());
        // An ext4 signature: refused, unless --force (then wiped first).
        let mut sig = d.clone();
        sig.signatures = vec![Signature {
            kind: "ext4".into(),
            offset: "0x438".into(),
        }];
        let e = plan(&st(), "docker", "thinpool", &grow, Some(&sig)).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("ext4"));
        let p = plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                force: true,
                ..grow.clone()
            },
            Some(&sig),
        )
        .unwrap();
        assert_eq!(commands(&p)[0], "wipefs -a /dev/vdc");
        // Mounted: never, even with --force.
        let mut m = d.clone();
        m.mounts = vec![("vdc".into(), "/srv".into())];
        assert!(plan(
            &st(),
            "docker",
            "thinpool",
            &Request {
                force: true,
                ..grow
            },
            Some(&m)
        )
        .is_err());
    }

    #[test]
    fn not_a_pool() {
        let e = plan(&st(), "docker", "vol1", &req(), None).unwrap_err();
        assert!(e.to_string().contains("not a thin pool"));
    }

    #[test]
    fn before_after_sizes_from_real_autoextend() {
        let b = sizes(
            &state(fx!("02-thinlv-fullreport.out")),
            "docker",
            "thinpool",
        )
        .unwrap();
        let a = sizes(
            &state(fx!("06-after-fill-fullreport.out")),
            "docker",
            "thinpool",
        )
        .unwrap();
        assert_eq!((b.data_bytes, a.data_bytes), (419430400, 503316480));
        assert_eq!(a.devices, ["/dev/vdb"]);
    }
}
