#!/bin/bash
# vm-args: --disk 1G --timeout 600
# vm-suites: bullseye bookworm trixie forky
# vm-bin: portable
# Per-suite smoke test of the test bed: the guest's Debian release
# boots, lvm2 makes a thin pool on a blank disk, the kernel's dm-thin target reports it
# (`dmsetup status`), dmeventd monitors it; the versions of the kernel, lvm2,
# thin-provisioning-tools, docker, containerd, runc and systemd are reported (and saved
# to $VM_OUT/versions.txt). Then the portable binary (its "# vm-bin: portable" line makes
# tests/vm/suite pass target/portable/dmctl, glibc >= 2.17, on every suite): no GLIBC
# symbol version above 2.17, `dmctl --version`, and a small setup/status/teardown
# (containerd-devmapper: the one target every suite's runtimes take).
# tests/vm/suite runs it once per suite of the vm-suites line; by hand:
#   packaging/build --no-deb
#   tests/vm/run --suite trixie --disk 1G --bin target/portable/dmctl tests/vm/scenarios/02-suites.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

ver() { "$@" 2>&1 | head -n1 || true; }
{
    echo "suite: ${VM_SUITE:-?} ($(cat /etc/debian_version))"
    echo "kernel: $(uname -r)"
    echo "lvm2: $(lvm version | awk '/LVM version/ { print $3 }')"
    echo "device-mapper (driver): $(dmsetup version | awk '/Driver version/ { print $3 }')"
    echo "thin-provisioning-tools: $(ver thin_check -V)"
    echo "docker: $(ver dockerd --version)"
    echo "containerd: $(ver containerd --version)"
    echo "runc: $(ver runc --version)"
    echo "systemd: $(ver /lib/systemd/systemd --version)"
    echo "usrmerged: $([[ -L /lib ]] && echo yes || echo no)"
    if command -v dmctl >/dev/null; then echo "dmctl: $(ver dmctl --version)"; fi
} | tee "$VM_OUT/versions.txt"

assert_eq "${VM_SUITE:-}" "$(sed -n 's/^suite=//p' /etc/dmctl-vm/image)" "image is of suite ${VM_SUITE:-?}"
assert_contains "$(uname -r)" "$(sed -n 's/^kernel_release=//p' /etc/dmctl-vm/image)" "kernel of that suite"

dev=/dev/vdb
assert_rc 0 pvcreate "$dev"
assert_rc 0 vgcreate smoke "$dev"
assert_rc 0 lvcreate --type thin-pool -n pool -l 80%VG --chunksize 512K --zero n smoke
assert_rc 0 lvcreate --type thin -n thin1 -V 2G --thinpool pool smoke
assert_rc 0 dmsetup status smoke-pool-tpool
assert_contains "$LAST_OUT" " thin-pool " "dmsetup status: thin-pool target"
echo "dmsetup status smoke-pool-tpool: $LAST_OUT"
assert_rc 0 dmsetup status smoke-thin1
assert_contains "$LAST_OUT" " thin " "dmsetup status: thin target"
assert_eq monitored "$(lvs --noheadings -o seg_monitor smoke/pool | tr -d ' ')" "pool monitored by dmeventd"
assert_rc 0 mkfs.xfs -q /dev/smoke/thin1
assert_rc 0 mount /dev/smoke/thin1 /mnt
echo data >/mnt/file
assert_rc 0 umount /mnt
assert_rc 0 lvremove -y smoke/thin1
reset_disk "$dev"
assert_eq "" "$(blkid -p "$dev" 2>/dev/null || true)" "disk blank again"

# The portable dmctl on this suite (the highest GLIBC_x.y its file names is what the
# dynamic loader checks; the guests have no readelf).
exe=/usr/local/bin/dmctl
need=$(python3 -c 'import re,sys; v=re.findall(rb"GLIBC_([0-9]+)[.]([0-9]+)", open(sys.argv[1], "rb").read()); print("%d.%d" % max((int(a), int(b)) for a, b in v))' "$exe")
echo "dmctl needs GLIBC_$need; guest: $(ldd --version | head -n1)"
assert_eq 2.17 "$(printf '%s\n2.17\n' "$need" | sort -V | tail -n1)" "dmctl needs no glibc above 2.17 (GLIBC_$need)"
assert_rc 0 dmctl --version
assert_contains "$LAST_OUT" "dmctl " "dmctl --version runs"
cfg=/etc/containerd/config.toml
cfg_before=$(sha256sum "$cfg" 2>/dev/null || echo none)
assert_rc 0 dmctl setup "$dev" --target containerd-devmapper
assert_eq monitored "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "dmctl setup: pool monitored"
assert_contains "$(cat "$cfg")" 'pool_name = "docker-thinpool"' "dmctl setup: containerd's devmapper config"
assert_rc 0 dmctl status --format json
assert_contains "$LAST_OUT" '"active": true' "dmctl status: pool active"
assert_rc 0 dmctl teardown
assert_eq "" "$(lvs --noheadings docker 2>/dev/null || true)" "dmctl teardown: no pool left"
assert_eq "$cfg_before" "$(sha256sum "$cfg" 2>/dev/null || echo none)" "dmctl teardown: containerd's config as before"
reset_disk "$dev"
summary
