#!/bin/bash
# doctor offline (issue 10): `doctor --collect` then `doctor --from` gives the
# host doctor's verdict, and every raw output a ticket may hold (docker info
# text and JSON, dmsetup status and table, lvs and lvm fullreport text and
# JSON, daemon.json, the profile) is read by `doctor --from` with the same
# severities as the host doctor; the three levels of vg.free (note, warn,
# critical) by filling a real pool whose VG is full.
#
#   cargo build --release
#   tests/vm/run --disk 1G tests/vm/scenarios/42-triage.sh
#   tests/fixtures/triage/capture.sh --suite trixie   # keeps the captures
#
# The captures land in $VM_OUT/triage/<suite>/<case>/ with, for each input,
# <input>.expected (what `doctor --from` said, once checked against the
# host doctor here): tests/triage.rs runs them again on every cargo test.
#
# vm-args: --disk 1G
# vm-suites: bookworm
set -u
. "$VM_LIB"

B=/dev/vdb POOL=docker/thinpool DM=docker-thinpool
T=$(mktemp -d)
SUITE=${VM_SUITE:-bookworm}
C=$VM_OUT/triage/$SUITE
mkdir -p "$C"
step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }

# verdict JSON: "exit N" then "check severity" per finding (sorted).
verdict() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("exit", d["exit_code"])
for f in sorted({(f["check"], f["severity"]) for f in d["findings"]}):
    print(*f)
EOF
}

# agree HOST.json FROM.json LABEL: every finding of the offline doctor that
# the host doctor also has carries the same severity, and every host
# finding is either judged offline or listed as not run (host-only).
agree() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
host = json.load(open(sys.argv[1])); off = json.load(open(sys.argv[2]))
h = {}
for f in host["findings"]:
    h.setdefault(f["check"], set()).add(f["severity"])
o = {}
for f in off["findings"]:
    o.setdefault(f["check"], set()).add(f["severity"])
bad = [f"{c}: host {sorted(h[c])}, offline {sorted(s)}" for c, s in o.items() if c in h and h[c] != s]
print("; ".join(bad) if bad else "ok")
EOF
}
# equal HOST.json FROM.json: the same exit code and the same findings
# (ids and severities), apart from the host-only checks --from lists as
# not run.
equal() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
host = json.load(open(sys.argv[1])); off = json.load(open(sys.argv[2]))
nr = {n["check"] for n in off["not_run"]}
h = sorted((f["check"], f["severity"]) for f in host["findings"] if f["check"] not in nr)
o = sorted((f["check"], f["severity"]) for f in off["findings"])
if host["exit_code"] != off["exit_code"]:
    print("exit", host["exit_code"], "vs", off["exit_code"])
elif h != o:
    print("host", h, "offline", o)
else:
    print("ok")
EOF
}

host_doctor() { # OUT.json: the host doctor's verdict
    dmctl doctor --format json >"$1" 2>"$T/err"
    echo $?
}

# from_case CASE INPUT: doctor --from INPUT agrees with the host doctor
# ($T/host.json), and its verdict is kept as INPUT.expected.
from_case() {
    local case=$1 in=$2 rc
    rc=0
    dmctl doctor --from "$in" --format json >"$T/from.json" 2>"$T/from.err" || rc=$?
    if [[ $rc == 3 ]]; then
        fail "$case: doctor --from ${in##*/}" "refused: $(cat "$T/from.err")"
        return
    fi
    assert_eq ok "$(agree "$T/host.json" "$T/from.json")" "$case: --from ${in##*/} agrees with the host doctor"
    verdict "$T/from.json" >"$in.expected"
}

# capture CASE: the bundle (doctor --collect) and every raw output, each
# judged offline against the host doctor.
capture() {
    local case=$1 d=$C/$1 rc
    rm -rf "$d"
    mkdir -p "$d"
    rc=$(host_doctor "$T/host.json")
    cp "$T/host.json" "$d/host-doctor.json"
    assert_rc 0 dmctl doctor --collect "$d/bundle"
    local hrc=$rc frc=0
    dmctl doctor --from "$d/bundle" --format json >"$T/from.json" 2>"$T/from.err" || frc=$?
    assert_eq "$hrc" "$frc" "$case: doctor --from the --collect bundle exits as the host doctor ($hrc)"
    assert_eq ok "$(equal "$T/host.json" "$T/from.json")" "$case: the same findings offline as on the host"
    verdict "$T/from.json" >"$d/bundle.expected"
    # Raw outputs as people paste them.
    export LC_ALL=C
    lvs -a >"$d/lvs.txt"
    lvs -a -o +seg_monitor >"$d/lvs-monitor.txt"
    lvs -a --reportformat json >"$d/lvs.json"
    lvm fullreport --reportformat json >"$d/fullreport.json"
    lvm fullreport --reportformat json --units b --nosuffix >"$d/fullreport-bytes.json"
    lvm fullreport >"$d/fullreport.txt"
    dmsetup status >"$d/dmsetup-status.txt"
    dmsetup table >"$d/dmsetup-table.txt"
    { dmsetup status "$DM-tpool" 2>/dev/null || dmsetup status "$DM"; } >"$d/dmsetup-status-pool.txt"
    if docker info >"$d/docker-info.txt" 2>&1; then
        docker info --format '{{json .}}' >"$d/docker-info.json"
    else
        rm -f "$d/docker-info.txt"
    fi
    # The text fullreport is refused (its columns are ambiguous): exit 3.
    assert_rc 3 dmctl doctor --from "$d/fullreport.txt"
    assert_contains "$LAST_ERR" "--reportformat json" "$case: text fullreport refused, naming the JSON form"
    printf 'exit 3\nerror --reportformat json\n' >"$d/fullreport.txt.expected"
    local f
    for f in "$d"/*.txt "$d"/*.json; do
        case ${f##*/} in host-doctor.json | fullreport.txt) continue ;; esac
        from_case "$case" "$f"
    done
    # The raw outputs together, as one ticket would hold them.
    mkdir -p "$d/ticket"
    cp "$d/fullreport.json" "$d/dmsetup-status.txt" "$d/dmsetup-table.txt" "$d/ticket/"
    [[ ! -e $d/docker-info.txt ]] || cp "$d/docker-info.txt" "$d/ticket/"
    [[ ! -e /etc/docker/daemon.json ]] || cp /etc/docker/daemon.json "$d/ticket/"
    cp /etc/lvm/profile/docker-thinpool.profile "$d/ticket/" 2>/dev/null || true
    from_case "$case" "$d/ticket"
}

# finding FILE CHECK: severity of the first finding with that id
finding() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(next((f["severity"] for f in d["findings"] if f["check"]==sys.argv[2]), "none"))' "$1" "$2"
}

# fill PERCENT: write into the thin LV until the pool's data use is at
# least PERCENT.
fill() {
    local want=$1 line used total need
    line=$(dmsetup status "$DM-tpool")
    read -r _ _ _ _ _ data _ <<<"$line"
    used=${data%/*} total=${data#*/}
    need=$(((total * want + 99) / 100 - used + 1))
    # 512 KiB chunks; write from where the data ends.
    dd if=/dev/zero of=/dev/docker/fill bs=512K seek="$used" count="$need" oflag=direct status=none
    sync
}

exitcode() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["exit_code"])' "$1"; }

reset_disk $B
have_docker=0
if command -v dockerd >/dev/null && dockerd --version | grep -qE 'version (1[0-9]|2[0-4])\.'; then
    step "healthy: a fresh default setup, dockerd $(dockerd --version | awk '{print $3}') on the pool"
    assert_rc 0 dmctl setup $B
    start_dockerd && have_docker=1
else
    step "healthy: a fresh setup for containerd (dockerd here has no devicemapper)"
    assert_rc 0 dmctl setup $B --target containerd-devmapper
fi
capture healthy
assert_eq 0 "$(exitcode "$C/healthy/host-doctor.json")" "healthy: host doctor exit 0"
assert_eq note "$(finding "$C/healthy/host-doctor.json" vg.free)" "level 1: vg.free is a note on a fresh pool (VG cannot take a step)"
((have_docker)) && stop_dockerd

step "unmonitored pool"
lvchange -q --monitor n $POOL
capture unmonitored
assert_eq warn "$(finding "$C/unmonitored/host-doctor.json" pool.monitoring)" "unmonitored: pool.monitoring warn"

step "filling a new pool (monitoring off: autoextend cannot rescue it)"
# dockerd's own thin devices moved the pool's transaction id: LVM then
# refuses thin LVs in it. A new pool, Docker not started on it.
reset_disk $B
if ((have_docker)); then
    assert_rc 0 dmctl setup $B
else
    assert_rc 0 dmctl setup $B --target containerd-devmapper
fi
lvchange -q --monitor n $POOL
lvcreate -q -y -V 2G -T $POOL -n fill >/dev/null
assert_rc 0 dmsetup status $DM-tpool
fill 72
capture near-threshold
assert_eq warn "$(finding "$C/near-threshold/host-doctor.json" vg.free)" "level 2: vg.free warns near the threshold"
fill 85
capture past-threshold
assert_eq critical "$(finding "$C/past-threshold/host-doctor.json" vg.free)" "level 3: vg.free critical past the threshold with a full VG"
assert_eq warn "$(finding "$C/past-threshold/host-doctor.json" pool.data_usage)" "past-threshold: data use warns"
assert_eq 6 "$(exitcode "$C/past-threshold/host-doctor.json")" "past-threshold: doctor exit 6"

step "cleanup"
reset_disk $B
rm -rf "$T"
echo "triage: $SECONDS s"
summary
