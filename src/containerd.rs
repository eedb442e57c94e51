//! Editing containerd's `config.toml` for the devmapper snapshotter.
//!
//! The edit is format-preserving (`toml_edit`): other sections, other
//! plugins, comments and key order stay as they are; only the keys dmctl
//! owns in `[plugins."io.containerd.snapshotter.v1.devmapper"]` are set,
//! and a key whose value is already right is not touched. Only config
//! `version = 2` (containerd 1.5 .. 1.7; containerd 2.x reads it too) is
//! edited: version 1 names plugins differently and version 3 moved other
//! sections, so both are refused with a message.

use toml_edit::{value, DocumentMut, Item, Table};

use crate::docker::dmopts::parse_docker_size;

pub const DEFAULT_CONFIG: &str = "/etc/containerd/config.toml";
pub const PLUGIN: &str = "io.containerd.snapshotter.v1.devmapper";
pub const DEFAULT_ROOT_PATH: &str = "/var/lib/containerd/io.containerd.snapshotter.v1.devmapper";
pub const DEFAULT_BASE_IMAGE_SIZE: &str = "10GB";

/// What dmctl wants in the devmapper section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevmapperWant {
    /// The pool's dm name, e.g. `docker-thinpool`.
    pub pool_name: String,
    pub root_path: String,
    pub base_image_size: String,
    pub async_remove: Option<bool>,
    pub discard_blocks: Option<bool>,
    /// `ext4` or `xfs`.
    pub fs_type: Option<String>,
    pub fs_options: Option<String>,
}

/// The result of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub text: String,
    /// False when every owned key already had the wanted value.
    pub changed: bool,
}

/// Check the wanted values by the snapshotter's own rules (containerd
/// `snapshots/devmapper/config.go` Validate: pool_name, root_path and
/// base_image_size are required; sizes parse with go-units; fs_type is
/// ext4 or xfs).
pub fn validate(w: &DevmapperWant) -> Vec<String> {
    let mut v = Vec::new();
    if w.pool_name.is_empty() {
        v.push("pool_name must not be empty".to_string());
    }
    if !w.root_path.starts_with('/') {
        v.push(format!(
            "root_path must be an absolute path, got {:?}",
            w.root_path
        ));
    }
    match parse_docker_size(&w.base_image_size) {
        Ok(0) => v.push("base_image_size must be above 0".into()),
        Ok(_) => {}
        Err(e) => v.push(format!("base_image_size: {e}")),
    }
    if let Some(f) = &w.fs_type {
        if f != "ext4" && f != "xfs" {
            v.push(format!("fs_type must be ext4 or xfs, got {f:?}"));
        }
    }
    v
}

/// The config version of a parsed file: `None` when the key is absent.
fn version_of(doc: &DocumentMut) -> Result<Option<i64>, String> {
    match doc.get("version") {
        None => Ok(None),
        Some(i) => i
            .as_integer()
            .map(Some)
            .ok_or_else(|| format!("`version` must be an integer, got {}", i.to_string().trim())),
    }
}

/// True when the text holds nothing but comments and blank lines.
fn only_comments(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// Merge the devmapper section into `existing` (None: no file); a new file
/// is a `version = 2` config.
pub fn merge_devmapper(existing: Option<&str>, w: &DevmapperWant) -> Result<Edited, String> {
    merge_devmapper_as(existing, w, 2)
}

/// The config version to start a new file with for containerd `major`:
/// 3 for containerd 2.x (it migrates older files in memory, with a notice,
/// and its 2→3 migration drops per-runtime snapshotters), else 2.
pub fn config_version_for(containerd_major: Option<u32>) -> i64 {
    match containerd_major {
        Some(m) if m >= 2 => 3,
        _ => 2,
    }
}

/// [`merge_devmapper`], starting a new file at config `version` (2 or 3).
/// Existing version 2 and version 3 files are edited in place: the
/// snapshotter's table, `plugins."io.containerd.snapshotter.v1.devmapper"`,
/// has the same path in both.
pub fn merge_devmapper_as(
    existing: Option<&str>,
    w: &DevmapperWant,
    version: i64,
) -> Result<Edited, String> {
    let problems = validate(w);
    if !problems.is_empty() {
        return Err(format!(
            "invalid devmapper settings: {}",
            problems.join("; ")
        ));
    }
    let text = existing.unwrap_or("");
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "is not valid TOML ({}); fix it or move it away",
            e.to_string().trim().replace('\n', " ")
        )
    })?;
    let mut changed = existing.is_none();
    match version_of(&doc)? {
        Some(2 | 3) => {}
        None if only_comments(text) => {
            // New or comment-only file: start a config of `version`.
            let mut d = DocumentMut::new();
            d.insert("version", value(version));
            let mut s = d.to_string();
            if !text.trim().is_empty() {
                s = format!("{}\n{s}", text.trim_end());
            }
            doc = s.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
            changed = true;
        }
        None | Some(1) => {
            return Err(
                "is a version 1 config (no `version = 2` line): containerd names plugins \
                 differently there; dmctl edits version 2 only. Convert it (add `version = 2` \
                 and use full plugin IDs such as \"io.containerd.grpc.v1.cri\"; \
                 `containerd config default` shows the layout), then re-run"
                    .into(),
            )
        }
        Some(v) => {
            return Err(format!(
                "has config version {v}; dmctl edits versions 2 and 3 (containerd 1.5 to \
                 2.x). Add the \
                 [plugins.\"{PLUGIN}\"] section by hand"
            ))
        }
    }
    let root = doc.as_table_mut();
    if !root.contains_key("plugins") {
        let mut t = Table::new();
        t.set_implicit(true);
        root.insert("plugins", Item::Table(t));
    }
    let plugins = root["plugins"]
        .as_table_like_mut()
        .ok_or("`plugins` is not a table")?;
    if plugins.get(PLUGIN).is_none() {
        plugins.insert(PLUGIN, Item::Table(Table::new()));
        changed = true;
    }
    let sect = plugins
        .get_mut(PLUGIN)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("plugins.\"{PLUGIN}\" is not a table"))?;
    if let Some(found) = sect.get("pool_name").and_then(Item::as_str) {
        if !found.is_empty() && found != w.pool_name {
            return Err(format!(
                "already points the devmapper snapshotter at another pool (pool_name = {found:?}); \
                 change or remove that line first"
            ));
        }
    }
    let mut set_str = |k: &str, v: &str| {
        if sect.get(k).and_then(Item::as_str) != Some(v) {
            sect.insert(k, value(v));
            changed = true;
        }
    };
    set_str("pool_name", &w.pool_name);
    set_str("root_path", &w.root_path);
    set_str("base_image_size", &w.base_image_size);
    if let Some(f) = &w.fs_type {
        set_str("fs_type", f);
    }
    if let Some(o) = &w.fs_options {
        set_str("fs_options", o);
    }
    for (k, b) in [
        ("async_remove", w.async_remove),
        ("discard_blocks", w.discard_blocks),
    ] {
        if let Some(b) = b {
            if sect.get(k).and_then(Item::as_bool) != Some(b) {
                sect.insert(k, value(b));
                changed = true;
            }
        }
    }
    let out = doc.to_string();
    // The result must read back with our values.
    let back = facts(&out)?;
    if back.pool_name.as_deref() != Some(w.pool_name.as_str()) {
        return Err("the edited file does not read back; not written".into());
    }
    Ok(Edited {
        text: if changed { out } else { text.to_string() },
        changed,
    })
}

/// Remove dmctl's devmapper section (the one naming `pool_name`) for
/// teardown; every other table, key and comment is kept. `Ok(None)`: no
/// section of this pool. The text is empty when nothing but the
/// `version = 2` line dmctl started the file with is left.
pub fn remove_devmapper(existing: &str, pool_name: &str) -> Result<Option<String>, String> {
    let mut doc: DocumentMut = existing.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "is not valid TOML ({}); fix it or move it away",
            e.to_string().trim().replace('\n', " ")
        )
    })?;
    if facts(existing)?.pool_name.as_deref() != Some(pool_name) {
        return Ok(None);
    }
    let Some(plugins) = doc.get_mut("plugins").and_then(Item::as_table_like_mut) else {
        return Ok(None);
    };
    plugins.remove(PLUGIN);
    let plugins_empty = plugins.is_empty();
    if plugins_empty {
        doc.as_table_mut().remove("plugins");
    }
    let out = doc.to_string();
    let rest: DocumentMut = out
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let only_version = rest.iter().all(|(k, _)| k == "version")
        && only_comments(
            &out.lines()
                .filter(|l| !l.trim_start().starts_with("version"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    Ok(Some(if only_version && !out.contains('#') {
        String::new()
    } else {
        out
    }))
}

/// `(major, minor)` from `containerd --version`: the first word after the
/// module path that reads `[v]MAJOR.MINOR...` (`1.6.20~ds1`, `v2.1.9`).
pub fn parse_version(out: &str) -> Option<(u32, u32)> {
    out.split_whitespace().skip(1).find_map(|word| {
        let w = word.strip_prefix('v').unwrap_or(word);
        let mut it = w.split(|c: char| !c.is_ascii_digit());
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        w.contains('.').then_some((major, minor))
    })
}

/// What a config.toml says about the devmapper snapshotter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub version: Option<i64>,
    pub pool_name: Option<String>,
    pub root_path: Option<String>,
}

pub fn facts(text: &str) -> Result<Facts, String> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let sect = doc
        .get("plugins")
        .and_then(Item::as_table_like)
        .and_then(|p| p.get(PLUGIN))
        .and_then(Item::as_table_like);
    let get = |k: &str| {
        sect.and_then(|s| s.get(k))
            .and_then(Item::as_str)
            .map(str::to_string)
    };
    Ok(Facts {
        version: version_of(&doc)?,
        pool_name: get("pool_name"),
        root_path: get("root_path"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want() -> DevmapperWant {
        DevmapperWant {
            pool_name: "docker-thinpool".into(),
            root_path: DEFAULT_ROOT_PATH.into(),
            base_image_size: DEFAULT_BASE_IMAGE_SIZE.into(),
            async_remove: None,
            discard_blocks: None,
            fs_type: None,
            fs_options: None,
        }
    }

    /// A realistic containerd 1.6 config (trimmed `containerd config
    /// default` with an operator's comments).
    const REAL: &str = r#"# Managed by ops: do not remove the CRI section.
version = 2

root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"  # the socket

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.6"
    # keep overlayfs for CRI until the migration
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"

  [plugins."io.containerd.snapshotter.v1.overlayfs"]
    root_path = ""
"#;

    #[test]
    fn missing_file_gets_a_version_2_config() {
        let e = merge_devmapper(None, &want()).unwrap();
        assert!(e.changed);
        assert_eq!(
            e.text,
            "version = 2\n\n[plugins.\"io.containerd.snapshotter.v1.devmapper\"]\n\
             pool_name = \"docker-thinpool\"\n\
             root_path = \"/var/lib/containerd/io.containerd.snapshotter.v1.devmapper\"\n\
             base_image_size = \"10GB\"\n"
        );
        let f = facts(&e.text).unwrap();
        assert_eq!(f.version, Some(2));
        assert_eq!(f.pool_name.as_deref(), Some("docker-thinpool"));
        // Re-merging the result changes nothing, byte for byte.
        let again = merge_devmapper(Some(&e.text), &want()).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, e.text);
    }

    #[test]
    fn real_file_keeps_sections_comments_and_other_plugins() {
        let e = merge_devmapper(Some(REAL), &want()).unwrap();
        assert!(e.changed);
        // Everything that was there is still there, in order, unchanged.
        assert!(e.text.starts_with(REAL.trim_end()), "{}", e.text);
        assert!(e
            .text
            .contains("# keep overlayfs for CRI until the migration"));
        assert!(e
            .text
            .contains("address = \"/run/containerd/containerd.sock\"  # the socket"));
        assert!(e.text.contains(
            "[plugins.\"io.containerd.snapshotter.v1.devmapper\"]\npool_name = \"docker-thinpool\""
        ));
        let again = merge_devmapper(Some(&e.text), &want()).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, e.text);
    }

    #[test]
    fn existing_section_only_changed_keys_are_touched() {
        let text = "version = 2\n[plugins]\n  [plugins.\"io.containerd.snapshotter.v1.devmapper\"]\n    \
                    # our pool\n    pool_name = \"docker-thinpool\"   # by dmctl\n    \
                    root_path = \"/srv/dm\"\n    base_image_size = \"8GB\"\n    async_remove = false\n";
        let mut w = want();
        w.root_path = "/srv/dm".into();
        w.async_remove = Some(true);
        w.fs_type = Some("xfs".into());
        w.fs_options = Some("-m crc=1".into());
        w.discard_blocks = Some(true);
        let e = merge_devmapper(Some(text), &w).unwrap();
        assert!(e.changed);
        assert!(e
            .text
            .contains("# our pool\n    pool_name = \"docker-thinpool\"   # by dmctl"));
        assert!(e.text.contains("root_path = \"/srv/dm\""));
        assert!(e.text.contains("base_image_size = \"10GB\""), "{}", e.text);
        assert!(e.text.contains("async_remove = true"));
        assert!(e.text.contains("discard_blocks = true"));
        assert!(e.text.contains("fs_type = \"xfs\""));
        assert!(e.text.contains("fs_options = \"-m crc=1\""));
        assert!(!merge_devmapper(Some(&e.text), &w).unwrap().changed);
        // Unset optional keys leave the file's values alone.
        assert!(
            !merge_devmapper(
                Some(&e.text),
                &DevmapperWant {
                    root_path: "/srv/dm".into(),
                    ..want()
                }
            )
            .unwrap()
            .changed
        );
    }

    #[test]
    fn refuses_other_versions_other_pool_and_bad_input() {
        let v1 = "[plugins.cri]\n  sandbox_image = \"pause\"\n";
        assert!(merge_devmapper(Some(v1), &want())
            .unwrap_err()
            .contains("version 1"));
        let v4 = "version = 4\n";
        assert!(merge_devmapper(Some(v4), &want())
            .unwrap_err()
            .contains("version 4"));
        let other = "version = 2\n[plugins.\"io.containerd.snapshotter.v1.devmapper\"]\npool_name = \"other-pool\"\n";
        assert!(merge_devmapper(Some(other), &want())
            .unwrap_err()
            .contains("other-pool"));
        assert!(merge_devmapper(Some("version = [\n"), &want())
            .unwrap_err()
            .contains("not valid TOML"));
        let mut w = want();
        w.base_image_size = "ten".into();
        w.root_path = "relative".into();
        w.fs_type = Some("btrfs".into());
        let e = merge_devmapper(None, &w).unwrap_err();
        for n in ["base_image_size", "root_path", "btrfs"] {
            assert!(e.contains(n), "{n}: {e}");
        }
    }

    #[test]
    fn comment_only_file_keeps_its_comments() {
        let e = merge_devmapper(Some("# containerd config\n\n"), &want()).unwrap();
        assert!(
            e.text.starts_with("# containerd config\nversion = 2\n"),
            "{}",
            e.text
        );
        assert_eq!(facts(&e.text).unwrap().version, Some(2));
    }

    #[test]
    fn removal_keeps_everything_else_and_empties_a_file_dmctl_made() {
        let w = DevmapperWant {
            pool_name: "docker-thinpool".into(),
            root_path: DEFAULT_ROOT_PATH.into(),
            base_image_size: "10GB".into(),
            async_remove: None,
            discard_blocks: None,
            fs_type: None,
            fs_options: None,
        };
        let made = merge_devmapper(None, &w).unwrap().text;
        assert_eq!(
            remove_devmapper(&made, "docker-thinpool")
                .unwrap()
                .as_deref(),
            Some("")
        );
        assert_eq!(remove_devmapper(&made, "other-pool").unwrap(), None);
        let user = "version = 2\n# mine\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"pause:3.6\"\n";
        let merged = merge_devmapper(Some(user), &w).unwrap().text;
        let back = remove_devmapper(&merged, "docker-thinpool")
            .unwrap()
            .unwrap();
        assert_eq!(back, user);
    }

    #[test]
    fn version_3_files_are_merged_and_new_files_follow_containerd() {
        // What a containerd 2.x host has: version 3, single-quoted plugin
        // IDs, the CRI plugin split in two.
        let v3 = "version = 3\n\n[plugins]\n  [plugins.'io.containerd.cri.v1.images']\n    snapshotter = 'overlayfs'\n  # keep me\n  [plugins.'io.containerd.cri.v1.runtime']\n    enable_selinux = false\n";
        let e = merge_devmapper(Some(v3), &want()).unwrap();
        assert!(e.changed);
        assert!(e.text.starts_with(v3.trim_end()), "{}", e.text);
        assert!(e.text.contains("# keep me"));
        assert_eq!(facts(&e.text).unwrap().version, Some(3));
        assert_eq!(
            facts(&e.text).unwrap().pool_name.as_deref(),
            Some("docker-thinpool")
        );
        assert!(!merge_devmapper(Some(&e.text), &want()).unwrap().changed);
        assert_eq!(
            remove_devmapper(&e.text, "docker-thinpool")
                .unwrap()
                .unwrap(),
            v3
        );
        // New files: version 3 for containerd 2.x, 2 before.
        assert_eq!(config_version_for(Some(2)), 3);
        assert_eq!(config_version_for(Some(1)), 2);
        assert_eq!(config_version_for(None), 2);
        let new3 = merge_devmapper_as(None, &want(), 3).unwrap().text;
        assert!(new3.starts_with("version = 3\n"), "{new3}");
        assert_eq!(
            remove_devmapper(&new3, "docker-thinpool")
                .unwrap()
                .as_deref(),
            Some("")
        );
    }

    #[test]
    fn containerd_versions_from_real_output() {
        assert_eq!(
            parse_version("containerd containerd.io 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n"),
            Some((1, 6))
        );
        assert_eq!(
            parse_version("containerd github.com/containerd/containerd/v2 2.1.9 \n"),
            Some((2, 1))
        );
        assert_eq!(
            parse_version(
                "containerd github.com/containerd/containerd 1.4.13~ds1 1.4.13~ds1-1~deb11u4\n"
            ),
            Some((1, 4))
        );
        assert_eq!(
            parse_version("containerd github.com/containerd/containerd/v2 v2.1.9 4ac6c20c\n"),
            Some((2, 1))
        );
        assert_eq!(parse_version("garbage"), None);
    }
}
