#!/bin/bash
# shellcheck disable=SC2119 # lib.sh functions take optional arguments
# vm-args: --disk 2G
# Smoke test of the VM test bed itself (no dmctl involved):
#
#   tests/vm/run --disk 2G tests/vm/scenarios/00-smoke.sh
#   tests/vm/run --disk 1G --disk 1G tests/vm/scenarios/00-smoke.sh --disks-only 1G 1G
#
# Arguments: the sizes given to --disk, in order (default: 2G); --disks-only stops after
# checking the disks. Otherwise, on /dev/vdb: device-mapper thin target, the classic
# direct-lvm thin pool made by hand, dmeventd monitoring, dockerd 20.10 with the
# devicemapper storage driver on that pool running a container from a `docker import`ed
# busybox image, and reset_disk leaving the disk blank.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

disks_only=0
if [[ ${1:-} == --disks-only ]]; then
    disks_only=1
    shift
fi
sizes=("$@")
((${#sizes[@]})) || sizes=(2G)
step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }

step "disks: ${sizes[*]}"
letters=(b c d e f g h i j k l m n o p q r s t u)
for i in "${!sizes[@]}"; do
    dev=/dev/vd${letters[$i]}
    assert_eq "$(numfmt --from=iec "${sizes[$i]}")" "$(blockdev --getsize64 "$dev" 2>&1)" \
        "$dev is ${sizes[$i]}"
    assert_eq "dmctl-vd${letters[$i]}" "$(cat "/sys/class/block/vd${letters[$i]}/serial")" \
        "$dev has serial dmctl-vd${letters[$i]}"
done
extra=/dev/vd${letters[${#sizes[@]}]}
if [[ -e $extra ]]; then fail "no other data disk" "$extra exists"; else pass "no other data disk ($extra)"; fi
assert_eq "0" "$(blockdev --getro /dev/vdb)" "/dev/vdb is writable"
if ((disks_only)); then exit 0; fi

step "device-mapper"
# As on a fresh host, dm-thin-pool is loaded on demand (lvm does it); load it to list it.
modprobe dm-thin-pool
assert_contains "$(dmsetup targets)" thin-pool "dmsetup targets lists thin-pool"
assert_eq "" "$(wipefs -n /dev/vdb)" "/dev/vdb starts blank"

step "direct-lvm thin pool by hand"
assert_rc 0 pvcreate /dev/vdb
assert_rc 0 vgcreate docker /dev/vdb
assert_rc 0 lvcreate --wipesignatures y -n thinpool docker -l 95%VG
assert_rc 0 lvcreate --wipesignatures y -n thinpoolmeta docker -l 1%VG
assert_rc 0 lvconvert -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta
read -r attr monitor < <(lvs --noheadings -o lv_attr,seg_monitor docker/thinpool)
assert_eq twi "${attr:0:3}" "lvs: thinpool attr is twi* ($attr)"
assert_eq monitored "$monitor" "lvs: thinpool is monitored by dmeventd"
assert_contains "$(dmsetup status docker-thinpool)" " thin-pool " "dm status is a thin-pool"

step "dockerd on the pool"
mkdir -p /etc/docker
cat >/etc/docker/daemon.json <<'EOF'
{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool","dm.use_deferred_removal=true","dm.use_deferred_deletion=true"]}
EOF
start_dockerd
echo "dockerd up at t=${SECONDS}s"
assert_contains "$(dockerd --version)" "Docker version 20.10" "dockerd is 20.10"
info=$(docker info 2>&1)
assert_contains "$info" "Storage Driver: devicemapper"
assert_contains "$info" "Pool Name: docker-thinpool"
assert_contains "$info" "Udev Sync Supported: true"
make_busybox_image bb:latest
assert_rc 0 docker run --rm --network none bb:latest echo ok
assert_eq ok "$LAST_OUT" "container printed ok"
read -r data_pct < <(lvs --noheadings -o data_percent docker/thinpool)
assert_eq 1 "$(awk -v p="$data_pct" 'BEGIN { print (p > 0) }')" "pool has data now ($data_pct %)"
stop_dockerd
echo "dockerd stopped at t=${SECONDS}s"

step "reset_disk"
reset_disk /dev/vdb
assert_eq "" "$(wipefs -n /dev/vdb)" "no signatures left"
assert_eq "" "$(pvs --noheadings 2>/dev/null)" "no PVs left"
assert_eq "" "$(ls /sys/class/block/vdb/holders)" "nothing holds /dev/vdb"
assert_rc 0 pvcreate /dev/vdb
reset_disk /dev/vdb

summary
