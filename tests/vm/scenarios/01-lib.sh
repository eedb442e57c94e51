#!/bin/bash
# shellcheck disable=SC2119,SC2016 # optional arguments; code in single quotes runs elsewhere
# vm-args: --disk 512M --disk 512M
# Self-test of tests/vm/lib.sh: result counting and the summary line, reset_disk on
# every kind of leftover, dev_sum, containerd helpers and the OCI busybox archive.
#   tests/vm/run --disk 512M --disk 512M tests/vm/scenarios/01-lib.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
LIB=$(cd "$(dirname "$0")/.." && pwd)/lib.sh
step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }

# child SCRIPT_BODY: run a script that sources lib.sh; leaves $LAST_OUT, $LAST_RC
child() { run bash -c ". '$LIB'; $1"; }

step "counting and the summary line"
child 'pass a; fail b "went wrong"'
assert_eq 1 "$LAST_RC" "a failure without summary exits 1"
assert_eq "1 passed, 1 failed" "$(tail -n1 <<<"$LAST_OUT")" "summary printed at exit"
assert_contains "$LAST_OUT" "FAIL - b: went wrong"
child 'pass a; summary'
assert_eq 0 "$LAST_RC" "all passed exits 0"
assert_eq $'ok - a\n1 passed, 0 failed' "$LAST_OUT" "summary printed once"
child 'set -e; pass a; false; pass never'
assert_eq 1 "$LAST_RC" "set -e abort keeps status 1"
assert_contains "$LAST_OUT" "FAIL - script: aborted with exit status 1"
assert_eq "1 passed, 1 failed" "$(tail -n1 <<<"$LAST_OUT")" "abort counted as a failure"
child 'pass a; exit 7'
assert_eq 7 "$LAST_RC" "exit 7 is kept"
child 'set -e; assert_rc 3 bash -c "echo out; echo err >&2; exit 3"; echo "[$LAST_OUT|$LAST_ERR|$LAST_RC]"; assert_eq x y; echo not reached'
assert_eq 1 "$LAST_RC" "failed assert under set -e ends the script"
assert_contains "$LAST_OUT" "[out|err|3]" "assert_rc captures stdout, stderr, status"
assert_not_contains "$LAST_OUT" "not reached"
assert_eq "1 passed, 1 failed" "$(tail -n1 <<<"$LAST_OUT")" "failed assert counted once"

step "dev_sum"
s1=$(dev_sum /dev/vdb)
assert_eq "$s1" "$(dev_sum /dev/vdb)" "dev_sum is stable"
# sha256 of 512 MiB of zeros
assert_eq 9acca8e8c22201155389f65abbf6bc9723edc7384ead80503839f49dcc56d767 "$s1" "blank disk sums like 512M of zeros"
printf x | dd of=/dev/vdb bs=1 seek=300000000 conv=notrunc,fsync status=none
assert_not_contains "$s1" "$(dev_sum /dev/vdb)" "dev_sum sees a one-byte change"

blank() { # blank DEV: what reset_disk promises
    local dev=$1 name=${1##*/}
    udevadm settle
    assert_eq "" "$(wipefs -n "$dev")" "$dev: no signatures"
    assert_eq "1" "$(lsblk -nr "$dev" | wc -l)" "$dev: no partitions"
    assert_eq "" "$(ls "/sys/class/block/$name/holders")" "$dev: no holders"
    assert_eq "" "$(pvs --noheadings -o pv_name 2>/dev/null | grep "$dev" || true)" "$dev: no PV"
    assert_eq "" "$(grep "^/dev/mapper\|^$dev" /proc/mounts || true)" "$dev: nothing mounted"
}

step "reset_disk: GPT, PV on a partition, mounted LV"
printf 'label: gpt\n,,L\n' | sfdisk -q /dev/vdb
udevadm settle
pvcreate -q /dev/vdb1
vgcreate -q t1 /dev/vdb1
lvcreate -q -y -n lv -L 100M t1
mkfs.ext4 -q /dev/t1/lv
mkdir -p /mnt/t1
mount /dev/t1/lv /mnt/t1
reset_disk /dev/vdb
blank /dev/vdb
assert_eq "" "$(vgs --noheadings 2>/dev/null)" "no VG left"

step "reset_disk: thin pool with a hand-made (docker-like) thin device, mounted"
pvcreate -q /dev/vdb
vgcreate -q t2 /dev/vdb
lvcreate -q -y --type thin-pool -n pool -L 256M t2
dmsetup message t2-pool 0 "create_thin 7"
dmsetup create handmade --table "0 204800 thin /dev/mapper/t2-pool 7"
mkfs.ext4 -q /dev/mapper/handmade
mkdir -p /mnt/hm
mount /dev/mapper/handmade /mnt/hm
reset_disk /dev/vdb
blank /dev/vdb
assert_eq "No devices found" "$(dmsetup ls 2>&1)" "no dm devices left"

step "reset_disk: VG over two disks, plain filesystem"
pvcreate -q /dev/vdb /dev/vdc
vgcreate -q t3 /dev/vdb /dev/vdc
lvcreate -q -y -n big -l 100%VG t3
reset_disk /dev/vdb
blank /dev/vdb
assert_eq "" "$(vgs --noheadings 2>/dev/null)" "the VG over both disks is gone"
reset_disk /dev/vdc
mkfs.ext4 -q -F /dev/vdc
reset_disk /dev/vdc
blank /dev/vdc

step "containerd helpers and the busybox OCI archive"
start_containerd
assert_rc 0 ctr version
make_busybox_oci_archive docker.io/library/bb:latest /tmp/bb.tar
assert_rc 0 ctr image import /tmp/bb.tar
assert_rc 0 ctr run --rm docker.io/library/bb:latest t1 sh -c 'echo ok from $(busybox | head -n1 | cut -d" " -f1-2)'
assert_contains "$LAST_OUT" "ok from BusyBox"
stop_containerd
assert_eq "" "$(pgrep -x containerd || true)" "containerd stopped"

summary
