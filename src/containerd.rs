//! Editing containerd's `config.toml` for the devmapper snapshotter.
//!
//! The edit is format-preserving (`toml_edit`): other sections, other
//! plugins, comments and key order stay as they are; only the keys dmctl
//! owns are set, and a key whose value is already right is not touched.
//! Every config version is merged in place, with its own table names:
//! - version 1 (no `version` line; containerd 1.x): `[plugins.devmapper]`,
//!   CRI at `plugins.cri.containerd.snapshotter`;
//! - version 2 (containerd 1.4 .. 1.7; 2.x migrates it in memory):
//!   `[plugins."io.containerd.snapshotter.v1.devmapper"]`, CRI at
//!   `plugins."io.containerd.grpc.v1.cri".containerd.snapshotter`;
//! - version 3 (containerd 2.x): the same snapshotter table, CRI at
//!   `plugins.'io.containerd.cri.v1.images'.snapshotter`.
//!
//! On containerd 2.x the transfer service unpacks pulls only into the
//! snapshotters its `unpack_config` lists (default: overlayfs alone), so
//! dmctl adds a devmapper entry there (and the overlayfs one the default
//! had, since a listed `unpack_config` replaces the default).
//! Only keys the installed containerd knows are written: `discard_blocks`,
//! `fs_type` and `fs_options` exist from 1.6 and are refused before.

use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table, TableLike};

use crate::docker::dmopts::parse_docker_size;

pub const DEFAULT_CONFIG: &str = "/etc/containerd/config.toml";
pub const PLUGIN: &str = "io.containerd.snapshotter.v1.devmapper";
/// The snapshotter's table name in a version 1 file.
const PLUGIN_V1: &str = "devmapper";
const TRANSFER: &str = "io.containerd.transfer.v1.local";
/// Marks what dmctl added beside its own devmapper section, so teardown
/// can undo exactly that.
const MARK: &str = "dmctl:";
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
    /// Make devmapper the CRI plugin's snapshotter.
    pub cri_snapshotter: bool,
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

/// The options `containerd` `(major, minor)` does not know: `discard_blocks`,
/// `fs_type` and `fs_options` came with 1.6 (1.4's snapshotter ignores
/// them). Empty when the version is unknown.
pub fn unknown_keys(w: &DevmapperWant, containerd: Option<(u32, u32)>) -> Vec<&'static str> {
    let Some(v) = containerd else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    if v < (1, 6) {
        if w.discard_blocks.is_some() {
            keys.push("discard_blocks (--discard-blocks)");
        }
        if w.fs_type.is_some() {
            keys.push("fs_type (--fs)");
        }
        if w.fs_options.is_some() {
            keys.push("fs_options (--fs-options)");
        }
    }
    keys
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

fn parse(text: &str) -> Result<DocumentMut, String> {
    text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "is not valid TOML ({}); fix it or move it away",
            e.to_string().trim().replace('\n', " ")
        )
    })
}

/// The layout of a config version: the snapshotter's table and the path
/// of the CRI snapshotter key, below `plugins`.
struct Layout {
    devmapper: &'static str,
    cri: &'static [&'static str],
}

fn layout(version: i64) -> Layout {
    match version {
        1 => Layout {
            devmapper: PLUGIN_V1,
            cri: &["cri", "containerd"],
        },
        2 => Layout {
            devmapper: PLUGIN,
            cri: &["io.containerd.grpc.v1.cri", "containerd"],
        },
        _ => Layout {
            devmapper: PLUGIN,
            cri: &["io.containerd.cri.v1.images"],
        },
    }
}

/// Merge the devmapper section into `existing` (None: no file); a new file
/// is a `version = 2` config. No containerd version known.
pub fn merge_devmapper(existing: Option<&str>, w: &DevmapperWant) -> Result<Edited, String> {
    merge_for(existing, w, None)
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

/// The host's platform as containerd names it, e.g. `linux/amd64`.
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        a => a,
    };
    format!("linux/{arch}")
}

/// [`merge_devmapper`] for the installed containerd `(major, minor)`
/// (None: not installed or unreadable): a new file gets that version's
/// format, keys it does not know are refused, and on 2.x (or a version 3
/// file) the transfer service's `unpack_config` lists devmapper.
pub fn merge_for(
    existing: Option<&str>,
    w: &DevmapperWant,
    containerd: Option<(u32, u32)>,
) -> Result<Edited, String> {
    let problems = validate(w);
    if !problems.is_empty() {
        return Err(format!(
            "invalid devmapper settings: {}",
            problems.join("; ")
        ));
    }
    let unknown = unknown_keys(w, containerd);
    if let Some((ma, mi)) = containerd.filter(|_| !unknown.is_empty()) {
        return Err(format!(
            "containerd {ma}.{mi} does not know {} (containerd 1.6 added them) and would \
             ignore them: drop those options, or upgrade containerd first",
            unknown.join(", ")
        ));
    }
    let text = existing.unwrap_or("");
    let mut doc = parse(text)?;
    let mut changed = existing.is_none();
    let version = match version_of(&doc)? {
        Some(v @ 1..=3) => v,
        None if only_comments(text) => {
            // New or comment-only file: start a config of the version this
            // containerd reads natively.
            let v = config_version_for(containerd.map(|c| c.0));
            let mut d = DocumentMut::new();
            d.insert("version", value(v));
            let mut s = d.to_string();
            if !text.trim().is_empty() {
                s = format!("{}\n{s}", text.trim_end());
            }
            doc = s.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
            changed = true;
            v
        }
        None => 1,
        Some(v) => {
            return Err(format!(
                "has config version {v}; dmctl edits versions 1 to 3 (containerd 1.x to \
                 2.x). Add the [plugins.\"{PLUGIN}\"] section by hand"
            ))
        }
    };
    let two = containerd.map_or(version == 3, |c| c.0 >= 2);
    if version == 1 && two {
        return Err(
            "is a version 1 config (no `version` line), which containerd 2.x only migrates \
             in memory: run `containerd config migrate` and install its output, then re-run"
                .into(),
        );
    }
    let l = layout(version);
    let plugins = child(doc.as_table_mut(), "plugins", true)?;
    if plugins.get(l.devmapper).is_none() {
        plugins.insert(l.devmapper, Item::Table(Table::new()));
        changed = true;
    }
    let sect = plugins
        .get_mut(l.devmapper)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("plugins.\"{}\" is not a table", l.devmapper))?;
    if let Some(found) = sect.get("pool_name").and_then(Item::as_str) {
        if !found.is_empty() && found != w.pool_name {
            return Err(format!(
                "already points the devmapper snapshotter at another pool (pool_name = {found:?}); \
                 change or remove that line first"
            ));
        }
    }
    // A section that was there before (e.g. `containerd config default`'s,
    // with empty values): note what each key was, for teardown.
    let mark = !sect.is_empty() && !changed_section(sect);
    let mut set = |k: &str, v: toml_edit::Value| -> Result<(), String> {
        changed |= set_marked(sect, k, v, mark)?;
        Ok(())
    };
    set("pool_name", w.pool_name.as_str().into())?;
    set("root_path", w.root_path.as_str().into())?;
    set("base_image_size", w.base_image_size.as_str().into())?;
    if let Some(f) = &w.fs_type {
        set("fs_type", f.as_str().into())?;
    }
    if let Some(o) = &w.fs_options {
        set("fs_options", o.as_str().into())?;
    }
    for (k, b) in [
        ("async_remove", w.async_remove),
        ("discard_blocks", w.discard_blocks),
    ] {
        if let Some(b) = b {
            set(k, b.into())?;
        }
    }
    if w.cri_snapshotter {
        // containerd 2.x's 2→3 migration drops a v2 file's
        // grpc.v1.cri.containerd.snapshotter (seen in 2.1.9): there the
        // key goes where 2.x reads it, which a v2 file passes through.
        let cri = if two { layout(3).cri } else { l.cri };
        changed |= set_cri(plugins, cri)?;
    }
    if two {
        changed |= add_unpack(plugins)?;
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

/// The table `key` of `t`, made (implicit: no header of its own unless it
/// gets keys) when missing.
fn child<'a>(
    t: &'a mut dyn TableLike,
    key: &str,
    create: bool,
) -> Result<&'a mut dyn TableLike, String> {
    if create && t.get(key).is_none() {
        let mut n = Table::new();
        n.set_implicit(true);
        t.insert(key, Item::Table(n));
    }
    t.get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("`{key}` is missing or not a table"))
}

/// True when dmctl already holds keys of this section (a mark, or its
/// pool_name): a re-run must not mark its own values as "was".
fn changed_section(t: &dyn TableLike) -> bool {
    t.iter().any(|(k, _)| marked_was(t, k).is_some())
        || t.get("pool_name")
            .and_then(Item::as_str)
            .is_some_and(|p| !p.is_empty())
}

/// The value noted after a key dmctl set (`# dmctl: was X`), if any.
fn marked_was(t: &dyn TableLike, key: &str) -> Option<String> {
    let Some(Item::Value(v)) = t.get(key) else {
        return None;
    };
    let suffix = v.decor().suffix().and_then(|s| s.as_str())?;
    let rest = suffix.split_once(&format!("{MARK} was "))?.1;
    Some(rest.split(';').next().unwrap_or("").trim().to_string())
}

/// Set `key` to `new` unless it already has that value. With `mark`, the
/// value as written before (its quotes) or `unset` is noted in a comment
/// after the new one, once, so teardown puts it back. True when changed.
fn set_marked(
    t: &mut dyn TableLike,
    key: &str,
    new: toml_edit::Value,
    mark: bool,
) -> Result<bool, String> {
    let cur = t.get(key).and_then(Item::as_value);
    if let Some(c) = cur {
        let same = match (c.as_str(), new.as_str(), c.as_bool(), new.as_bool()) {
            (Some(a), Some(b), ..) => a == b,
            (_, _, Some(a), Some(b)) => a == b,
            _ => false,
        };
        if same {
            return Ok(false);
        }
    } else if t.get(key).is_some() {
        return Err(format!("`{key}` is not a value"));
    }
    let was = match (marked_was(t, key), cur) {
        (Some(w), _) => Some(w),
        (None, _) if !mark => None,
        (None, Some(c)) => Some(c.clone().decorated("", "").to_string()),
        (None, None) => Some("unset".into()),
    };
    let mut v = new;
    if let Some(w) = was {
        v.decor_mut()
            .set_suffix(format!("  # {MARK} was {w}; teardown restores it"));
    }
    match t.get_mut(key) {
        Some(i) => *i = Item::Value(v),
        None => {
            t.insert(key, Item::Value(v));
        }
    }
    Ok(true)
}

/// Undo [`set_marked`] on `key`: the noted value back, or the key gone
/// when it was unset. True when it held a mark.
fn restore_marked(t: &mut dyn TableLike, key: &str) -> bool {
    let Some(was) = marked_was(t, key) else {
        return false;
    };
    if was == "unset" {
        t.remove(key);
    } else if let Ok(d) = format!("x = {was}").parse::<DocumentMut>() {
        if let (Some(old), Some(i)) = (d.get("x").and_then(Item::as_value), t.get_mut(key)) {
            *i = Item::Value(old.clone().decorated(" ", ""));
        }
    }
    true
}

/// The table at `path` below `t`, if there.
fn table_at<'a>(t: &'a mut dyn TableLike, path: &[&str]) -> Option<&'a mut dyn TableLike> {
    let mut t = t;
    for k in path {
        t = t.get_mut(k).and_then(Item::as_table_like_mut)?;
    }
    Some(t)
}

/// Set the CRI snapshotter to devmapper, noting what was there. True when
/// changed.
fn set_cri(plugins: &mut dyn TableLike, path: &[&str]) -> Result<bool, String> {
    let mut t = plugins;
    for k in path {
        t = child(t, k, true)?;
    }
    if t.get("snapshotter").is_some_and(|i| !i.is_str()) {
        return Err("the CRI `snapshotter` is not a string".into());
    }
    set_marked(t, "snapshotter", "devmapper".into(), true)
}

/// An `unpack_config` entry dmctl adds.
fn unpack_entry(snapshotter: &str) -> Table {
    let mut t = Table::new();
    t.insert("platform", value(host_platform()));
    t.insert("snapshotter", value(snapshotter));
    t.decor_mut().set_prefix(format!(
        "\n# {MARK} pulls with --snapshotter {snapshotter} unpack there; teardown removes it\n"
    ));
    t
}

/// List devmapper in the transfer service's `unpack_config`; when the
/// file had no list, also the overlayfs entry the default had. True when
/// changed.
fn add_unpack(plugins: &mut dyn TableLike) -> Result<bool, String> {
    let transfer = child(plugins, TRANSFER, true)?;
    let had = transfer.contains_key("unpack_config");
    if !had {
        transfer.insert("unpack_config", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let list = transfer
        .get_mut("unpack_config")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or("the transfer service's `unpack_config` is not a list of tables")?;
    let snap = |t: &Table| {
        t.get("snapshotter")
            .and_then(Item::as_str)
            .map(str::to_string)
    };
    if list.iter().any(|t| snap(t).as_deref() == Some("devmapper")) {
        return Ok(false);
    }
    if !had {
        list.push(unpack_entry("overlayfs"));
    }
    list.push(unpack_entry("devmapper"));
    Ok(true)
}

/// Undo [`add_unpack`]: drop the devmapper entry and the entries dmctl
/// marked. True when changed.
fn remove_unpack(plugins: &mut dyn TableLike) -> bool {
    let Some(transfer) = plugins.get_mut(TRANSFER).and_then(Item::as_table_like_mut) else {
        return false;
    };
    let Some(list) = transfer
        .get_mut("unpack_config")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return false;
    };
    let before = list.len();
    list.retain(|t| {
        let marked = t
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains(MARK));
        let dm = t.get("snapshotter").and_then(Item::as_str) == Some("devmapper");
        !(dm || marked)
    });
    let changed = list.len() != before;
    if list.is_empty() {
        transfer.remove("unpack_config");
    }
    if transfer.is_empty() {
        plugins.remove(TRANSFER);
    }
    changed
}

/// Remove dmctl's devmapper section (the one naming `pool_name`) for
/// teardown, with the CRI snapshotter and `unpack_config` entries dmctl
/// set; every other table, key and comment is kept. `Ok(None)`: no section
/// of this pool. The text is empty when nothing but the `version` line
/// dmctl started the file with is left.
pub fn remove_devmapper(existing: &str, pool_name: &str) -> Result<Option<String>, String> {
    let mut doc = parse(existing)?;
    let f = facts(existing)?;
    if f.pool_name.as_deref() != Some(pool_name) {
        return Ok(None);
    }
    let l = layout(f.version.unwrap_or(1));
    let Some(plugins) = doc.get_mut("plugins").and_then(Item::as_table_like_mut) else {
        return Ok(None);
    };
    let owned = [
        "pool_name",
        "root_path",
        "base_image_size",
        "fs_type",
        "fs_options",
        "async_remove",
        "discard_blocks",
    ];
    match plugins
        .get_mut(l.devmapper)
        .and_then(Item::as_table_like_mut)
    {
        // A section that was there before dmctl: its keys back as they were.
        Some(sect) if owned.iter().any(|k| marked_was(sect, k).is_some()) => {
            for k in owned {
                restore_marked(sect, k);
            }
        }
        _ => {
            plugins.remove(l.devmapper);
        }
    }
    for cri in [l.cri, layout(3).cri] {
        if let Some(t) = table_at(plugins, cri) {
            restore_marked(t, "snapshotter");
        }
        prune_empty(plugins, cri);
    }
    remove_unpack(plugins);
    if plugins.is_empty() {
        doc.as_table_mut().remove("plugins");
    }
    let out = doc.to_string();
    let rest = parse(&out)?;
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

/// Drop the tables along `path` that are left empty and implicit (those
/// dmctl made for the CRI key), deepest first.
fn prune_empty(plugins: &mut dyn TableLike, path: &[&str]) {
    fn go(t: &mut dyn TableLike, path: &[&str]) {
        let Some((k, rest)) = path.split_first() else {
            return;
        };
        let Some(c) = t.get_mut(k).and_then(Item::as_table_like_mut) else {
            return;
        };
        go(c, rest);
        let empty = c.is_empty();
        let implicit = t
            .get(k)
            .and_then(Item::as_table)
            .is_some_and(Table::is_implicit);
        if empty && (implicit || rest.is_empty()) {
            t.remove(k);
        }
    }
    go(plugins, path);
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
    /// The CRI plugin's snapshotter: 2.x's `cri.v1.images` one if set
    /// (in any file version), else where this version's layout places it.
    pub cri_snapshotter: Option<String>,
}

pub fn facts(text: &str) -> Result<Facts, String> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    let version = version_of(&doc)?;
    let l = layout(version.unwrap_or(1));
    let plugins = doc.get("plugins").and_then(Item::as_table_like);
    let sect = plugins
        .and_then(|p| p.get(l.devmapper))
        .and_then(Item::as_table_like);
    let get = |k: &str| {
        sect.and_then(|s| s.get(k))
            .and_then(Item::as_str)
            .map(str::to_string)
    };
    let at = |path: &[&str]| {
        let mut t = plugins;
        for k in path {
            t = t.and_then(|t| t.get(k)).and_then(Item::as_table_like);
        }
        t.filter(|t| t.contains_key("snapshotter"))
    };
    let cri = at(layout(3).cri).or_else(|| at(l.cri));
    Ok(Facts {
        version,
        pool_name: get("pool_name"),
        root_path: get("root_path"),
        cri_snapshotter: cri
            .and_then(|t| t.get("snapshotter"))
            .and_then(Item::as_str)
            .map(str::to_string),
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
            cri_snapshotter: false,
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
        // A version 1 file is refused on containerd 2.x only.
        let v1 = "[plugins.cri]\n  sandbox_image = \"pause\"\n";
        assert!(merge_for(Some(v1), &want(), Some((2, 1)))
            .unwrap_err()
            .contains("containerd config migrate"));
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
            cri_snapshotter: false,
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
        let new3 = merge_for(None, &want(), Some((2, 1))).unwrap().text;
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

    /// Comments, other plugins and their order: every line of `orig` but
    /// the keys dmctl sets is still in `new`, in order.
    fn kept_in_order(orig: &str, new: &str) {
        let ours = ["snapshotter", "pool_name", "root_path", "base_image_size"];
        let mut lines = new.lines();
        for l in orig.lines() {
            let k = l.split('=').next().unwrap_or("").trim();
            if ours.contains(&k) || l.trim().is_empty() {
                continue;
            }
            assert!(lines.any(|m| m == l), "{l:?} lost or moved in:\n{new}");
        }
    }

    fn fixture(name: &str) -> String {
        let p = format!(
            "{}/tests/fixtures/containerd/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    /// The suites' containerd versions (tests/fixtures/containerd/README.md).
    const SUITES: [(&str, (u32, u32)); 4] = [
        ("bullseye", (1, 4)),
        ("bookworm", (1, 6)),
        ("trixie", (1, 7)),
        ("forky", (2, 1)),
    ];

    /// Merge with the CRI snapshotter, check what each version must get,
    /// re-merge (no change) and remove (the file back byte for byte).
    fn round_trip(orig: &str, c: (u32, u32), cri_was: Option<&str>) -> String {
        let w = DevmapperWant {
            cri_snapshotter: true,
            ..want()
        };
        let e = merge_for(Some(orig), &w, Some(c)).unwrap();
        assert!(e.changed);
        let f = facts(&e.text).unwrap();
        assert_eq!(f.pool_name.as_deref(), Some("docker-thinpool"));
        assert_eq!(
            f.cri_snapshotter.as_deref(),
            Some("devmapper"),
            "{}",
            e.text
        );
        assert_eq!(facts(orig).unwrap().cri_snapshotter.as_deref(), cri_was);
        kept_in_order(orig, &e.text);
        // unpack_config entries: on 2.x only (1.7's default lists one
        // of its own, left alone).
        let has_unpack = e
            .text
            .contains("# dmctl: pulls with --snapshotter devmapper");
        assert_eq!(has_unpack, c.0 >= 2, "{}", e.text);
        if c.0 >= 2 {
            assert!(e.text.contains(&format!(
                "platform = \"{}\"\nsnapshotter = \"devmapper\"",
                host_platform()
            )));
            assert!(e.text.contains("snapshotter = \"overlayfs\""));
        }
        let again = merge_for(Some(&e.text), &w, Some(c)).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, e.text);
        assert_eq!(
            remove_devmapper(&e.text, "docker-thinpool")
                .unwrap()
                .as_deref(),
            Some(orig),
            "teardown of:\n{}",
            e.text
        );
        e.text
    }

    #[test]
    fn debian_config_of_each_suite_round_trips() {
        let orig = fixture("debian-config.toml");
        for (suite, c) in SUITES {
            let t = round_trip(&orig, c, None);
            // Version 2 file: CRI at grpc.v1.cri.containerd for 1.x; 2.x's
            // migration drops that key, so there it goes to cri.v1.images.
            let v1x =
                "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\nsnapshotter = \"devmapper\"";
            let v2x = "[plugins.\"io.containerd.cri.v1.images\"]\nsnapshotter = \"devmapper\"";
            assert_eq!(t.contains(v1x), c.0 < 2, "{suite}: {t}");
            assert_eq!(t.contains(v2x), c.0 >= 2, "{suite}: {t}");
        }
    }

    #[test]
    fn containerd_config_default_of_each_suite_round_trips() {
        for (suite, c) in SUITES {
            let orig = fixture(&format!("config-default-{suite}.toml"));
            let t = round_trip(&orig, c, Some("overlayfs"));
            if c.0 >= 2 {
                assert!(
                    t.contains(
                        "[plugins.'io.containerd.cri.v1.images']\n    snapshotter = \"devmapper\""
                    ),
                    "{t}"
                );
                assert!(
                    t.contains("snapshotter = \"devmapper\"  # dmctl: was 'overlayfs'"),
                    "{t}"
                );
            } else {
                assert!(
                    t.contains("snapshotter = \"devmapper\"  # dmctl: was \"overlayfs\""),
                    "{suite}: {t}"
                );
            }
        }
    }

    #[test]
    fn version_1_file_is_merged_with_its_short_plugin_names() {
        let v1 = "# hand-written for containerd 1.4\n[plugins.cri]\n  sandbox_image = \"pause\"\n[plugins.opt]\n  path = \"/opt/containerd\"\n";
        let w = DevmapperWant {
            cri_snapshotter: true,
            ..want()
        };
        let e = merge_for(Some(v1), &w, Some((1, 4))).unwrap();
        kept_in_order(v1, &e.text);
        assert!(e
            .text
            .contains("[plugins.devmapper]\npool_name = \"docker-thinpool\""));
        assert!(e
            .text
            .contains("[plugins.cri.containerd]\nsnapshotter = \"devmapper\""));
        assert!(!e.text.contains("plugins.\"io.containerd"), "{}", e.text);
        assert_eq!(facts(&e.text).unwrap().version, None);
        assert_eq!(
            facts(&e.text).unwrap().pool_name.as_deref(),
            Some("docker-thinpool")
        );
        assert!(!merge_for(Some(&e.text), &w, Some((1, 4))).unwrap().changed);
        assert_eq!(
            remove_devmapper(&e.text, "docker-thinpool")
                .unwrap()
                .as_deref(),
            Some(v1)
        );
    }

    #[test]
    fn keys_containerd_1_4_does_not_know_are_refused() {
        let mut w = want();
        w.discard_blocks = Some(true);
        w.fs_type = Some("xfs".into());
        w.fs_options = Some("-m crc=1".into());
        let e = merge_for(None, &w, Some((1, 4))).unwrap_err();
        for k in [
            "containerd 1.4",
            "discard_blocks",
            "fs_type",
            "fs_options",
            "1.6",
        ] {
            assert!(e.contains(k), "{k}: {e}");
        }
        assert_eq!(unknown_keys(&w, Some((1, 4))).len(), 3);
        let only_async = DevmapperWant {
            async_remove: Some(true),
            ..want()
        };
        let e = merge_for(None, &only_async, Some((1, 4))).unwrap();
        assert!(e.text.contains("async_remove = true"));
        for ok in [Some((1, 6)), Some((2, 1)), None] {
            let e = merge_for(None, &w, ok).unwrap();
            assert!(e.text.contains("discard_blocks = true"), "{ok:?}");
            assert!(e.text.contains("fs_type = \"xfs\""), "{ok:?}");
        }
    }

    #[test]
    fn unpack_config_the_user_had_is_kept_and_only_devmapper_added() {
        let v3 = "version = 3\n[plugins.'io.containerd.transfer.v1.local']\n  max_concurrent_downloads = 5\n  [[plugins.'io.containerd.transfer.v1.local'.unpack_config]]\n    platform = 'linux/amd64'\n    snapshotter = 'overlayfs'\n";
        let e = merge_for(Some(v3), &want(), Some((2, 1))).unwrap();
        assert_eq!(e.text.matches("snapshotter = 'overlayfs'").count(), 1);
        assert_eq!(e.text.matches("snapshotter = \"overlayfs\"").count(), 0);
        assert_eq!(e.text.matches("snapshotter = \"devmapper\"").count(), 1);
        assert!(
            !merge_for(Some(&e.text), &want(), Some((2, 1)))
                .unwrap()
                .changed
        );
        assert_eq!(
            remove_devmapper(&e.text, "docker-thinpool")
                .unwrap()
                .as_deref(),
            Some(v3)
        );
        // 1.x has no unpack_config to set (1.7 pulls locally).
        let text = "version = 2\n";
        assert!(!merge_for(Some(text), &want(), Some((1, 7)))
            .unwrap()
            .text
            .contains("unpack_config"));
    }
}
