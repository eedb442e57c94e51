#!/bin/bash
# vm-args: --disk 2G --disk 2G
# Issue 5 on a real kernel: --target containerd-devmapper (containerd 1.6 runs
# a container on the pool, config.toml keeps its other sections and comments),
# --target docker-overlay2 (dockerd 20.10 on overlay2 / xfs in a thin LV,
# usage grows), re-runs change nothing, --dry-run changes nothing, and after a
# simulated reboot `dmctl activate` brings the pool back and the runtime starts.
# Then teardown of each: every artifact gone (fstab line and mount, data LV,
# daemon.json it created, containerd section, boot unit, profile), config
# files as before setup, the disks blank (wipefs -n), a second run a no-op.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# The first 64 MiB (PV label, VG metadata, the start of any LV): hashing the
# whole 2 GiB disk takes minutes under TCG.
dsum() { head -c 67108864 "$1" | sha256sum | cut -d' ' -f1; }
fsum() { if [[ -e $1 ]]; then sha256sum <"$1" | cut -d' ' -f1; else echo none; fi; }

# Log every lvm2 invocation to count the mutating ones.
SHIM=/tmp/lvm-shim
LVM_LOG=/tmp/lvm-calls.log
mkdir -p "$SHIM"
for t in lvm lvcreate lvchange lvconvert vgcreate pvcreate lvs; do
    real=$(command -v "$t")
    printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$t" "$LVM_LOG" "$real" >"$SHIM/$t"
    chmod +x "$SHIM/$t"
done
dm() { # OUT ARGS...: dmctl through the shim, JSON into OUT
    local out=$1
    shift
    : >"$LVM_LOG"
    PATH="$SHIM:$PATH" dmctl "$@" --format json >"$out"
}
mutating_calls() { grep -cvE '^(lvm fullreport|lvs) ' "$LVM_LOG" || true; }

modprobe dm_thin_pool
rm -f /etc/docker/daemon.json
mkdir -p /etc/containerd
CFG=/etc/containerd/config.toml
cat >"$CFG" <<'EOF'
# Site containerd config: keep this comment.
version = 2
root = "/var/lib/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"  # the socket

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    # CRI stays on overlayfs for now
    sandbox_image = "registry.k8s.io/pause:3.6"
EOF
cp "$CFG" /tmp/config.toml.orig

cp /etc/fstab /tmp/fstab.orig

step "1. containerd-devmapper --dry-run changes nothing"
dev_before=$(dsum /dev/vdb)
assert_rc 0 dmctl setup /dev/vdb --target containerd-devmapper --dry-run
echo "$LAST_OUT"
assert_contains "$LAST_OUT" "vgcreate docker /dev/vdb" "dry-run: vgcreate"
assert_contains "$LAST_OUT" "lvcreate -y --type thin-pool" "dry-run: lvcreate thin-pool"
assert_contains "$LAST_OUT" "--- /etc/containerd/config.toml" "dry-run: config.toml diff header"
assert_contains "$LAST_OUT" '+pool_name = "docker-thinpool"' "dry-run: diff adds pool_name"
assert_eq "$dev_before" "$(dsum /dev/vdb)" "dry-run: /dev/vdb unchanged"
assert_eq "$(fsum /tmp/config.toml.orig)" "$(fsum "$CFG")" "dry-run: config.toml unchanged"
assert_eq "" "$(pvs --noheadings /dev/vdb 2>/dev/null)" "dry-run: no PV"

step "2. containerd-devmapper setup (+ --install-unit)"
assert_rc 0 dm /tmp/c1.json setup /dev/vdb --target containerd-devmapper --install-unit
cat /tmp/c1.json
echo "$LAST_ERR"
assert_eq "True" "$(jget /tmp/c1.json 'd["changed"]')" "first run: changed=true"
assert_eq "containerd-devmapper" "$(jget /tmp/c1.json 'd["target"]')" "JSON target"
assert_eq "twi" "$(lvs --noheadings -o lv_attr docker/thinpool | tr -d ' ' | cut -c1-3)" "lvs: thin pool"
assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "pool monitored"
cfg=$(cat "$CFG")
echo "$cfg"
assert_contains "$cfg" "# Site containerd config: keep this comment." "config.toml: top comment kept"
assert_contains "$cfg" "# CRI stays on overlayfs for now" "config.toml: CRI comment kept"
assert_contains "$cfg" 'sandbox_image = "registry.k8s.io/pause:3.6"' "config.toml: CRI plugin kept"
assert_contains "$cfg" 'address = "/run/containerd/containerd.sock"  # the socket' "config.toml: grpc kept"
assert_contains "$cfg" '[plugins."io.containerd.snapshotter.v1.devmapper"]' "config.toml: devmapper section"
assert_contains "$cfg" 'pool_name = "docker-thinpool"' "config.toml: pool_name"
assert_eq "$(fsum /tmp/config.toml.orig)" "$(fsum "$CFG.dmctl-bak")" "config.toml backup is the original"
unit=$(cat /etc/systemd/system/dmctl-activate.service)
assert_contains "$unit" "ExecStart=/usr/local/bin/dmctl activate --vg docker --pool thinpool" "unit: ExecStart"
assert_contains "$unit" "Before=local-fs-pre.target docker.service containerd.service" "unit: Before="
assert_contains "$LAST_ERR" "systemd is not PID 1" "no systemd: says the unit is not enabled"

step "3. re-run changes nothing"
cfg_sum=$(fsum "$CFG")
assert_rc 0 dm /tmp/c2.json setup /dev/vdb --target containerd-devmapper --install-unit
assert_eq "False" "$(jget /tmp/c2.json 'd["changed"]')" "re-run: changed=false"
assert_eq "0" "$(mutating_calls)" "re-run: no mutating lvm command"
assert_eq "$cfg_sum" "$(fsum "$CFG")" "re-run: config.toml unchanged"
assert_rc 0 dm /tmp/c3.json containerd
assert_eq "False" "$(jget /tmp/c3.json 'd["changed"]')" "step containerd: changed=false"

step "4. containerd 1.6 on the pool"
start_containerd "$CFG"
plugins=$(ctr plugins ls)
echo "$plugins" | grep -E 'devmapper|TYPE'
assert_contains "$(echo "$plugins" | grep 'io.containerd.snapshotter.v1' | grep -w devmapper)" " ok" "ctr plugins ls: devmapper ok"
make_busybox_oci_archive docker.io/library/bb:latest /tmp/bb-oci.tar
assert_rc 0 ctr image import --snapshotter devmapper /tmp/bb-oci.tar
assert_rc 0 ctr run --rm --snapshotter devmapper docker.io/library/bb:latest t1 echo hello-devmapper
assert_contains "$LAST_OUT" "hello-devmapper" "ctr run --snapshotter devmapper"
assert_contains "$(dmsetup ls)" "docker-thinpool-snap" "containerd's thin devices live in the pool"
assert_rc 0 dmctl status --format json
echo "$LAST_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("unit:", d["activation_unit"])'
assert_contains "$LAST_OUT" '"installed": true' "status: boot unit installed"
assert_contains "$LAST_OUT" '"covers_pool": true' "status: boot unit covers the pool"
run dmctl doctor --format json
assert_contains "$LAST_OUT" '"check": "boot.activation_unit"' "doctor reports the boot unit"
stop_containerd

step "5. simulated reboot: deactivate, dmctl activate, containerd runs again"
for d in $(dmsetup ls | awk '/^docker-thinpool-snap/ {print $1}'); do dmsetup remove "$d"; done
assert_rc 0 vgchange -an docker
[[ ! -e /dev/mapper/docker-thinpool ]] && pass "pool node gone" || fail "pool node gone" "still there"
assert_rc 0 dm /tmp/a1.json activate
cat /tmp/a1.json
assert_eq "True" "$(jget /tmp/a1.json 'd["changed"]')" "activate: changed=true"
[[ -b /dev/mapper/docker-thinpool ]] && pass "activate: /dev/mapper/docker-thinpool back" || fail "activate node" "missing"
assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "activate: monitored"
assert_rc 0 dm /tmp/a2.json activate
assert_eq "False" "$(jget /tmp/a2.json 'd["changed"]')" "activate again: changed=false"
assert_eq "0" "$(mutating_calls)" "activate again: no mutating lvm command"
start_containerd "$CFG"
assert_rc 0 ctr run --rm --snapshotter devmapper docker.io/library/bb:latest t2 echo after-reboot
assert_contains "$LAST_OUT" "after-reboot" "containerd runs a container after activate"
stop_containerd

step "6. docker-overlay2 refuses a data root that holds data"
mkdir -p /var/lib/docker/image
dev_before=$(dsum /dev/vdc)
assert_rc 3 dmctl setup /dev/vdc --vg ov --target docker-overlay2 --lv-size 1G
assert_contains "$LAST_ERR" "already holds data" "refusal names the data"
assert_eq "$dev_before" "$(dsum /dev/vdc)" "refused: /dev/vdc unchanged"
rm -rf /var/lib/docker

step "7. docker-overlay2 --dry-run changes nothing"
fstab_before=$(fsum /etc/fstab)
assert_rc 0 dmctl setup /dev/vdc --vg ov --target docker-overlay2 --lv-size 1G --overlay2-size 256M --dry-run
echo "$LAST_OUT"
assert_contains "$LAST_OUT" "lvcreate -y -V 1g -T ov/thinpool -n docker-data" "dry-run: thin LV"
assert_contains "$LAST_OUT" "mkfs.xfs -n ftype=1" "dry-run: mkfs.xfs"
assert_contains "$LAST_OUT" "/dev/mapper/ov-docker--data /var/lib/docker xfs defaults,pquota 0 0" "dry-run: fstab line"
assert_contains "$LAST_OUT" "mount /var/lib/docker" "dry-run: mount"
assert_contains "$LAST_OUT" '"storage-driver": "overlay2"' "dry-run: daemon.json"
assert_eq "$dev_before" "$(dsum /dev/vdc)" "dry-run: /dev/vdc unchanged"
assert_eq "$fstab_before" "$(fsum /etc/fstab)" "dry-run: fstab unchanged"
[[ ! -e /etc/docker/daemon.json && ! -e /var/lib/docker ]] && pass "dry-run: nothing written" || fail "dry-run" "file appeared"

step "8. docker-overlay2 setup"
assert_rc 0 dm /tmp/o1.json setup /dev/vdc --vg ov --target docker-overlay2 --lv-size 1G --overlay2-size 256M
cat /tmp/o1.json
assert_eq "True" "$(jget /tmp/o1.json 'd["changed"]')" "overlay2: changed=true"
assert_eq "/dev/mapper/ov-docker--data xfs" "$(findmnt -n -o SOURCE,FSTYPE /var/lib/docker | tr -s ' ')" "findmnt: thin LV on /var/lib/docker"
assert_contains "$(findmnt -n -o OPTIONS /var/lib/docker)" "prjquota" "mounted with project quotas"
assert_eq "Vwi" "$(lvs --noheadings -o lv_attr ov/docker-data | tr -d ' ' | cut -c1-3)" "lvs: thin LV (Vwi)"
assert_eq "ov/thinpool" "ov/$(lvs --noheadings -o pool_lv ov/docker-data | tr -d ' ')" "thin LV in the pool"
assert_contains "$(cat /etc/fstab)" "/dev/mapper/ov-docker--data /var/lib/docker xfs defaults,pquota 0 0" "fstab entry"
cat /etc/docker/daemon.json
start_dockerd
info=$(docker info 2>&1)
assert_contains "$info" "Storage Driver: overlay2" "docker info: overlay2"
assert_contains "$info" "Backing Filesystem: xfs" "docker info: backing xfs"
assert_contains "$info" "Supports d_type: true" "docker info: d_type"
make_busybox_image bb:1
assert_rc 0 docker run --rm --network none bb:1 echo overlay2-ok
assert_contains "$LAST_OUT" "overlay2-ok" "a container runs"
sync
used() { dmctl status --pool ov/thinpool --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["used_bytes"])'; }
u1=$(used)
assert_rc 0 docker run --name w1 --network none bb:1 sh -c 'dd if=/dev/zero of=/fill bs=1M count=150 && sync'
sync
u2=$(used)
echo "thin pool data used: before $u1, after $u2 bytes"
if ((u2 - u1 >= 100 * 1048576)); then pass "dmctl status: usage grew by $(((u2 - u1) >> 20)) MiB"; else fail "usage grows" "$u1 -> $u2"; fi
assert_rc 1 docker run --rm --network none bb:1 dd if=/dev/zero of=/big bs=1M count=400
assert_contains "$LAST_ERR$LAST_OUT" "No space left on device" "overlay2.size=256M enforced (pquota)"

step "9. docker-overlay2 re-run changes nothing"
sums="$(fsum /etc/fstab) $(fsum /etc/docker/daemon.json)"
assert_rc 0 dm /tmp/o2.json setup /dev/vdc --vg ov --target docker-overlay2 --lv-size 1G --overlay2-size 256M
assert_eq "False" "$(jget /tmp/o2.json 'd["changed"]')" "overlay2 re-run: changed=false"
assert_eq "0" "$(mutating_calls)" "overlay2 re-run: no mutating lvm command"
assert_eq "$sums" "$(fsum /etc/fstab) $(fsum /etc/docker/daemon.json)" "re-run: fstab and daemon.json unchanged"
assert_rc 0 dm /tmp/o3.json data-lv --vg ov --lv-size 1G
assert_eq "False" "$(jget /tmp/o3.json 'd["changed"]')" "step data-lv: changed=false"

step "10. simulated reboot of the overlay2 host"
stop_dockerd
assert_rc 0 umount /var/lib/docker
assert_rc 0 vgchange -an ov
assert_rc 0 dm /tmp/a3.json activate --vg ov
cat /tmp/a3.json
assert_eq "True" "$(jget /tmp/a3.json 'd["changed"]')" "activate ov: changed=true"
assert_eq "/dev/mapper/ov-docker--data" "$(findmnt -n -o SOURCE /var/lib/docker)" "activate mounted the data root from fstab"
start_dockerd
assert_rc 0 docker run --rm --network none bb:1 cat /etc/passwd
assert_contains "$LAST_OUT" "root:x:0:0" "dockerd runs containers after activate"
stop_dockerd

step "11. teardown of the docker-overlay2 pool"
assert_rc 0 dm /tmp/t1.json teardown --pool ov/thinpool
cat /tmp/t1.json
assert_eq "True" "$(jget /tmp/t1.json 'd["changed"]')" "overlay2 teardown: changed=true"
assert_eq "" "$(findmnt -n -o SOURCE /var/lib/docker || true)" "data root unmounted"
assert_eq "$(fsum /tmp/fstab.orig)" "$(fsum /etc/fstab)" "fstab as before setup"
assert_eq none "$(fsum /etc/docker/daemon.json)" "daemon.json dmctl created is gone"
assert_eq "" "$(wipefs -n /dev/vdc)" "wipefs -n /dev/vdc is empty"
assert_rc 5 vgs ov
assert_eq none "$(fsum /etc/lvm/profile/ov-thinpool.profile)" "ov profile removed"
assert_contains "$(cat /etc/systemd/system/dmctl-activate.service)" "--vg docker --pool thinpool" "the other pool's unit is left alone"
assert_rc 0 dm /tmp/t2.json teardown --pool ov/thinpool
assert_eq "False" "$(jget /tmp/t2.json 'd["changed"]')" "overlay2 teardown again: changed=false"

step "12. teardown of the containerd-devmapper pool"
# containerd's own thin devices stay active after it stops; remove them
# as an admin would before tearing the pool down.
for d in $(dmsetup ls | awk '/^docker-thinpool-snap/ {print $1}'); do dmsetup remove "$d"; done
assert_rc 0 dm /tmp/t3.json teardown
cat /tmp/t3.json
assert_eq "True" "$(jget /tmp/t3.json 'd["changed"]')" "containerd teardown: changed=true"
assert_eq "$(fsum /tmp/config.toml.orig)" "$(fsum "$CFG")" "config.toml as before setup (byte for byte)"
diff /tmp/config.toml.orig "$CFG" || true
assert_eq none "$(fsum /etc/systemd/system/dmctl-activate.service)" "boot unit removed"
assert_eq "" "$(wipefs -n /dev/vdb)" "wipefs -n /dev/vdb is empty"
assert_rc 5 vgs docker
assert_eq none "$(fsum /etc/lvm/profile/docker-thinpool.profile)" "profile removed"
assert_eq "$(fsum /tmp/fstab.orig)" "$(fsum /etc/fstab)" "fstab still as before setup"
assert_rc 0 dm /tmp/t4.json teardown
assert_eq "False" "$(jget /tmp/t4.json 'd["changed"]')" "containerd teardown again: changed=false"

summary
