#!/bin/bash
# A pool the kernel has failed: its metadata device starts returning I/O
# errors under a live pool (the dm `error` target swapped in under
# <pool>_tmeta), the kernel drops the pool to read-only or failure mode,
# and dmctl status reports that mode while doctor calls it critical.
# The real status lines are kept in $VM_OUT/ for the parser fixtures.
#
# vm-args: --disk 512M
set -u
. "$VM_LIB"

B=/dev/vdb
step() { printf "\n## %s (t=%ss)\n" "$*" "$SECONDS"; }
T=$(mktemp -d)
jget() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print("null" if d is None else json.dumps(d) if isinstance(d, (bool, list, dict)) else d)
PY
}

step "a healthy pool first"
assert_rc 0 dmctl setup $B --target containerd-devmapper --format json
dmsetup status docker-thinpool >"$VM_OUT/healthy--dmsetup-status.out"

step "metadata device swapped for the error target"
meta_len=$(dmsetup table docker-thinpool_tmeta | awk '{print $2}')
dmsetup suspend docker-thinpool
dmsetup load docker-thinpool_tmeta --table "0 $meta_len error"
dmsetup resume docker-thinpool_tmeta
dmsetup resume docker-thinpool
# A metadata change forces a commit: it fails, and the kernel changes the
# pool's mode (read-only when it can abort the transaction, else Fail).
dmsetup message docker-thinpool 0 "create_thin 7" 2>"$T/msg.err" || true
dmsetup message docker-thinpool 0 "create_thin 8" 2>>"$T/msg.err" || true
line=$(dmsetup status docker-thinpool)
printf '%s\n' "$line" >"$VM_OUT/failed--dmsetup-status.out"
dmesg | grep -i "thin" | tail -5 >"$VM_OUT/failed--dmesg.out" || true
echo "kernel status line: $line"
mode=$(awk '{print $4}' <<<"$line")
case $mode in
Fail) want=fail ;;
Error) want=error ;;
*) want=$(awk '{print $8}' <<<"$line") ;;
esac
assert_contains "fail error ro" "$want" "the kernel left rw ($line)"

step "dmctl status reports the state"
assert_rc 0 dmctl status --format json
printf '%s\n' "$LAST_OUT" >"$T/s.json"
assert_eq "$want" "$(jget "$T/s.json" mode)" "status mode = the kernel's ($want)"
assert_rc 0 dmctl status
assert_contains "$LAST_OUT" "$want" "human status names the mode"
assert_rc 0 dmctl status --format prometheus
assert_contains "$LAST_OUT" 'dmctl_thinpool_read_only{vg="docker",pool="thinpool"} 1' "prometheus read_only 1"

step "doctor calls it critical"
assert_rc 6 dmctl doctor --format json
printf '%s\n' "$LAST_OUT" >"$T/d.json"
assert_contains "$LAST_OUT" '"check": "pool.mode"' "doctor has a pool.mode finding"
assert_contains "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([f["severity"] for f in d["findings"] if f["check"]=="pool.mode"])' "$T/d.json")" "critical" "pool.mode is critical"
assert_contains "$LAST_OUT" "lvconvert --repair docker/thinpool" "doctor names the repair"
summary
