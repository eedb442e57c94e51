#!/bin/bash
# Benchmark, run inside the test VM (real dm-thin, lvm2 under QEMU/TCG):
#
#   bench/run            (boots the VM with two disks and runs this)
#
# Everything in ONE boot, side by side, so the ratios are fair:
#   classic    Docker's direct-lvm recipe by hand (pvcreate, vgcreate, two
#              lvcreate, lvconvert, profile, lvchange, lvs)
#   setup      `dmctl setup /dev/vdb` on the same blank disk, first time on
#              the host (its runtime-version cache cleared)
#   rerun      `dmctl setup /dev/vdb` again: nothing to do
#   status     `dmctl status --format json`
#   fullreport one `lvm fullreport --reportformat json`
# then again with 48 more block devices (dm linear on /dev/vdc) carrying PVs of 48
# other VGs: status48, rerun48, fullreport48.
# Prints medians of REPS runs, the processes each case spawned (a PATH shim
# logs every program dmctl runs), and the issue's ratios.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/lib.sh" 2>/dev/null || . "$VM_LIB"
REPS=${REPS:-5}
modprobe dm_thin_pool

SHIM=/tmp/shim LOG=/tmp/calls.log
mkdir -p "$SHIM"
for t in lvm pvcreate vgcreate lvcreate lvconvert lvchange lvs pvs vgs \
    wipefs dmsetup dockerd containerd blkid systemctl udevadm modprobe; do
    real=$(command -v "$t") || continue
    printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$t" "$LOG" "$real" >"$SHIM/$t"
    chmod +x "$SHIM/$t"
done
export PATH="$SHIM:$PATH"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
clean() {
    reset_disk /dev/vdb >/dev/null 2>&1
    rm -f /etc/lvm/profile/docker-thinpool.profile /etc/docker/daemon.json /run/dmctl/versions.json
}
classic() {
    pvcreate -q /dev/vdb
    vgcreate -q docker /dev/vdb
    lvcreate -q -y --wipesignatures y -n thinpool docker -l 95%VG
    lvcreate -q -y --wipesignatures y -n thinpoolmeta docker -l 1%VG
    lvconvert -q -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta
    mkdir -p /etc/lvm/profile
    printf 'activation {\n\tthin_pool_autoextend_threshold=80\n\tthin_pool_autoextend_percent=20\n}\n' \
        >/etc/lvm/profile/docker-thinpool.profile
    lvchange -q --metadataprofile docker-thinpool docker/thinpool
    lvs -o seg_monitor docker/thinpool >/dev/null
    mkdir -p /etc/docker
    printf '{\n  "storage-driver": "devicemapper",\n  "storage-opts": [\n    "dm.thinpooldev=/dev/mapper/docker-thinpool",\n    "dm.use_deferred_removal=true",\n    "dm.use_deferred_deletion=true"\n  ]\n}\n' \
        >/etc/docker/daemon.json
}
fullreport() { lvm fullreport --reportformat json >/dev/null; }
timed() { # NAME CMD...: wall seconds into T[NAME], processes into N[NAME], P[NAME]
    local name=$1 t0 secs
    shift
    : >"$LOG"
    t0=$(now)
    "$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
    secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
    T[$name]+="$secs "
    N[$name]=$(wc -l <"$LOG")
    P[$name]=$(awk '{print $1}' "$LOG" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=" "}')
}

declare -A T N M P
for _ in $(seq "$REPS"); do
    clean
    timed classic classic
    clean
    timed setup dmctl setup /dev/vdb -q
    timed rerun dmctl setup /dev/vdb -q
    timed status dmctl status --format json
    timed fullreport fullreport
done

report() {
    printf '\n%-14s %9s %6s  %-44s %s\n' "case" "median s" "procs" "processes" "samples (s)"
    for k in "$@"; do
        m=$(tr ' ' '\n' <<<"${T[$k]}" | awk NF | median)
        M[$k]=$m
        printf '%-14s %9s %6s  %-44s %s\n' "$k" "$m" "${N[$k]}" "${P[$k]:--}" "${T[$k]}"
    done
}
report classic setup rerun status fullreport

# 48 more block devices, each a PV of its own VG (as on a storage node):
# device-mapper linear devices of 16 MiB carved from the second disk (the
# guest kernel's loop devices are few), which lvm scans like any disk.
for i in $(seq 0 47); do
    echo "0 32768 linear /dev/vdc $((2048 + i * 32768))" | dmsetup create "bench-pv$i"
    vgcreate -q "other$i" "/dev/mapper/bench-pv$i" >/dev/null
done
echo "48 more PVs: $(pvs --noheadings | wc -l) PVs in all"
: >"$LOG"
for _ in $(seq "$REPS"); do
    timed status48 dmctl status --format json
    timed rerun48 dmctl setup /dev/vdb -q
    timed fullreport48 fullreport
done

report status48 rerun48 fullreport48
awk -v c="${M[classic]}" -v s="${M[setup]}" -v r="${M[rerun]}" -v st="${M[status]}" \
    -v fr="${M[fullreport]}" -v s48="${M[status48]}" -v r48="${M[rerun48]}" \
    -v f48="${M[fullreport48]}" 'BEGIN {
    printf "\nsetup / classic:            %.2f   (target <= 0.65)\n", s / c
    printf "rerun / setup:              %.2f   (target <= 0.20)\n", r / s
    printf "status / fullreport:        %.2f   (target <= 1.15)\n", st / fr
    printf "status48 / status:          %.2f   (target <= 1.30)\n", s48 / st
    printf "rerun48 / rerun:            %.2f   (target <= 1.30)\n", r48 / r
    printf "fullreport48 / fullreport:  %.2f   (for scale: lvm alone)\n", f48 / fr }'
echo "reps: $REPS; kernel: $(uname -r); lvm: $(lvm version | sed -n 's/^ *LVM version: *//p')"
for i in $(seq 0 47); do
    vgremove -q -ff -y "other$i" >/dev/null 2>&1 || true
    dmsetup remove "bench-pv$i" 2>/dev/null || true
done
