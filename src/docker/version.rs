//! Parsing `dockerd --version` and deciding whether the devicemapper driver is available.
//!
//! Support levels come from moby's `daemon/graphdriver/driver.go`: in v23.0 and v24.0
//! devicemapper is "deprecated": it is skipped by automatic driver selection and a prior
//! devicemapper state without an explicit `storage-driver` makes dockerd refuse to start,
//! but it still works when configured explicitly. In v25.0 `checkRemoved` rejects
//! "aufs", "devicemapper" and "overlay" outright.

use std::fmt;

/// A dockerd version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerVersion {
    /// Major version, e.g. 20 for "20.10.24".
    pub major: u32,
    /// Minor version, e.g. 10 for "20.10.24".
    pub minor: u32,
    /// Patch version; 0 when the version string has only two components.
    pub patch: u32,
    /// The version word as printed, e.g. "20.10.24+dfsg1".
    pub raw: String,
}

impl fmt::Display for DockerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Parse `dockerd --version` output, e.g. "Docker version 20.10.24+dfsg1, build 297e128", "Docker version 25.0.3, build f417435", "Docker version 27.3.1-1, build ...", "Docker version 1.13.1, build 7d71120/1.13.1". None when unparseable.
///
/// The first line containing "Docker version " (case-insensitive) is used, so podman's
/// "podman version 4.9.3" is not mistaken for Docker. Leading zeros as in "17.03.2-ce"
/// are accepted.
pub fn parse_dockerd_version(out: &str) -> Option<DockerVersion> {
    const MARK: &str = "docker version ";
    out.lines().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let at = lower.find(MARK)?;
        let rest = line[at + MARK.len()..].trim_start();
        let word = rest
            .split(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or("");
        let word = word.strip_prefix(['v', 'V']).unwrap_or(word);
        parse_numbers(word).map(|(major, minor, patch)| DockerVersion {
            major,
            minor,
            patch,
            raw: word.to_string(),
        })
    })
}

/// "20.10.24+dfsg1" → (20, 10, 24); needs at least "MAJOR.MINOR"; the patch component
/// is the leading digits of the third part.
fn parse_numbers(word: &str) -> Option<(u32, u32, u32)> {
    let mut parts = word.splitn(3, '.');
    let num = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let major = num(parts.next()?)?;
    let minor_part = parts.next()?;
    // "20.10-rc1" style: minor may carry a suffix only when there is no patch
    let minor_digits: String = minor_part
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let minor = num(&minor_digits)?;
    let patch = match parts.next() {
        None => 0,
        Some(p) => {
            if minor_digits.len() != minor_part.len() {
                return None;
            }
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            num(&digits)?
        }
    };
    Some((major, minor, patch))
}

/// How a dockerd version treats the devicemapper storage driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmSupport {
    /// Before 23.0: supported (deprecated since 18.09, but selectable).
    Supported,
    /// 23.x and 24.x: deprecated; works only with an explicit `"storage-driver": "devicemapper"`.
    RequiresExplicitDriver,
    /// 25.0 and later: removed; dockerd refuses to start with it.
    Removed,
}

impl fmt::Display for DmSupport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DmSupport::Supported => "devicemapper is supported",
            DmSupport::RequiresExplicitDriver => {
                "devicemapper is deprecated and only used with an explicit \"storage-driver\": \"devicemapper\""
            }
            DmSupport::Removed => {
                "devicemapper was removed in Docker 25.0; use overlay2 or Docker 24.x or older"
            }
        })
    }
}

/// What `v` does with devicemapper.
pub fn devicemapper_support(v: &DockerVersion) -> DmSupport {
    match v.major {
        0..=22 => DmSupport::Supported,
        23 | 24 => DmSupport::RequiresExplicitDriver,
        _ => DmSupport::Removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (u32, u32, u32, String) {
        let v = parse_dockerd_version(s).unwrap_or_else(|| panic!("no parse: {s:?}"));
        (v.major, v.minor, v.patch, v.raw)
    }

    #[test]
    fn parses_real_outputs() {
        assert_eq!(
            p("Docker version 20.10.24+dfsg1, build 297e128\n"),
            (20, 10, 24, "20.10.24+dfsg1".into())
        );
        assert_eq!(
            p("Docker version 25.0.3, build f417435"),
            (25, 0, 3, "25.0.3".into())
        );
        assert_eq!(
            p("Docker version 27.3.1-1, build ce12230"),
            (27, 3, 1, "27.3.1-1".into())
        );
        assert_eq!(
            p("Docker version 1.13.1, build 7d71120/1.13.1"),
            (1, 13, 1, "1.13.1".into())
        );
        assert_eq!(
            p("Docker version 17.03.2-ce, build f5ec1e2"),
            (17, 3, 2, "17.03.2-ce".into())
        );
        assert_eq!(
            p("Docker version 20.10, build x"),
            (20, 10, 0, "20.10".into())
        );
        assert_eq!(
            p("warning: something\nDocker version 24.0.7, build afdd53b"),
            (24, 0, 7, "24.0.7".into())
        );
        assert_eq!(p("docker version v26.1.0"), (26, 1, 0, "26.1.0".into()));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "podman version 4.9.3",
            "Docker version",
            "Docker version , build x",
            "Docker version 20, build x",
            "Docker version x.y.z",
            "Docker version 20.10a.1",
            "Docker version 99999999999.1.1",
            "bash: dockerd: command not found",
        ] {
            assert_eq!(parse_dockerd_version(s), None, "{s:?}");
        }
    }

    #[test]
    fn support_levels() {
        let v = |s: &str| devicemapper_support(&parse_dockerd_version(s).unwrap());
        assert_eq!(v("Docker version 1.13.1, build x"), DmSupport::Supported);
        assert_eq!(v("Docker version 20.10.24+dfsg1"), DmSupport::Supported);
        assert_eq!(v("Docker version 22.06.0"), DmSupport::Supported);
        assert_eq!(
            v("Docker version 23.0.0"),
            DmSupport::RequiresExplicitDriver
        );
        assert_eq!(
            v("Docker version 24.0.9"),
            DmSupport::RequiresExplicitDriver
        );
        assert_eq!(v("Docker version 25.0.0"), DmSupport::Removed);
        assert_eq!(v("Docker version 27.3.1-1"), DmSupport::Removed);
        assert!(DmSupport::Removed.to_string().contains("25.0"));
    }
}
