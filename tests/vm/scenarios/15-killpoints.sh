#!/bin/bash
# vm-args: --disk 2G --disk 2G
# Kill -9 (issue 15 part 1): SIGKILL dmctl and its lvm child at every step
# boundary of `dmctl setup` and at several moments inside the longest LVM
# command (`lvcreate --type thin-pool`; `lvconvert` of the step path); the
# next `dmctl setup` converges to exactly what an uninterrupted run makes
# (pool attributes, sizes, chunk, zeroing, profile, monitoring, daemon.json)
# and the run after it changes nothing; or, where LVM needs a human, it
# exits 3 naming the command that repairs it. Each partial state's `lvm
# fullreport` is saved in $VM_OUT/killpoint-NAME.json (tests/fixtures/vm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
lvfield() { lvs --noheadings --units b --nosuffix -o "$1" "$2" | tr -d ' '; }

# The fields dmctl's own probe asks (src/lvm/report.rs), so the fixtures
# parse exactly as dmctl parses its probe.
fullreport() {
    lvm fullreport --reportformat json --units b --nosuffix \
        --configreport vg -o vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,pv_count,lv_count \
        --configreport pv -o pv_name,vg_name,pv_size \
        --configreport lv -o lv_uuid,lv_name,vg_name,lv_attr,lv_size,pool_lv,lv_metadata_size,lv_profile,lv_active,data_percent,metadata_percent,lv_when_full,lv_health_status \
        --configreport seg -o lv_uuid,segtype,chunk_size,seg_monitor,zero,devices \
        --configreport pvseg -o pvseg_start
}

modprobe dm_thin_pool
mkdir -p /etc/docker
fresh() {
    reset_disk /dev/vdb
    rm -f /etc/lvm/profile/docker-thinpool.profile /etc/docker/daemon.json
    rm -f /etc/docker/.dmctl-* /etc/lvm/profile/.dmctl-*
}

step "reference: one uninterrupted run"
fresh
assert_rc 0 dmctl setup /dev/vdb
REF_DATA=$(lvfield lv_size docker/thinpool)
REF_META=$(lvfield lv_metadata_size docker/thinpool)
REF_DJ=$(cat /etc/docker/daemon.json)
REF_PROFILE=$(cat /etc/lvm/profile/docker-thinpool.profile)
echo "reference: data $REF_DATA B, metadata $REF_META B"

# The state an uninterrupted run makes, as the real tools see it.
check_converged() { # NAME
    local n=$1
    assert_eq "twi-a-t" "$(lvfield lv_attr docker/thinpool | cut -c1-7)" "$n: pool active (twi-a-t)" || true
    assert_eq "$REF_DATA" "$(lvfield lv_size docker/thinpool)" "$n: data size as the reference run" || true
    assert_eq "$REF_META" "$(lvfield lv_metadata_size docker/thinpool)" "$n: metadata size as the reference run" || true
    assert_eq "524288" "$(lvfield chunk_size docker/thinpool)" "$n: chunk 512K" || true
    assert_eq "" "$(lvs --noheadings -o zero docker/thinpool | tr -d ' ')" "$n: zeroing off" || true
    assert_eq "docker-thinpool" "$(lvfield lv_profile docker/thinpool)" "$n: profile attached" || true
    assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "$n: monitored" || true
    assert_eq "thinpool" "$(lvs --noheadings -o lv_name docker | tr -d ' ' | tr '\n' ' ' | sed 's/ $//')" "$n: no other LV in the VG" || true
    assert_eq "$REF_PROFILE" "$(cat /etc/lvm/profile/docker-thinpool.profile)" "$n: profile content" || true
    assert_eq "$REF_DJ" "$(cat /etc/docker/daemon.json 2>/dev/null)" "$n: daemon.json content" || true
    assert_eq "" "$(ls -A /etc/docker /etc/lvm/profile | grep '\.dmctl-' || true)" "$n: no temp file left" || true
}

# After a kill: save the partial state, run setup again and judge it.
RESULTS=()
after_kill() { # NAME
    local n=$1 rc
    udevadm settle || true
    fullreport >"$VM_OUT/killpoint-$n.json" 2>/dev/null || true
    local lvs_a
    lvs_a=$(lvs -a --noheadings -o lv_name,lv_attr,lv_size --units m docker 2>/dev/null | tr -s ' ' | tr '\n' ';' || true)
    if [[ -z $lvs_a ]]; then
        if vgs docker >/dev/null 2>&1; then lvs_a="VG docker, no LV"; else lvs_a="no VG"; fi
    fi
    echo "$n: left: $lvs_a"
    run dmctl setup /dev/vdb --format json
    rc=$LAST_RC
    printf '%s\n' "$LAST_OUT" >"/tmp/k-$n.json"
    echo "$n: re-run exit $rc; stderr: $(printf '%s' "$LAST_ERR" | tr '\n' ' ' | cut -c1-300)"
    case $rc in
    0)
        pass "$n: re-run exit 0"
        check_converged "$n"
        assert_rc 0 dmctl setup /dev/vdb --format json || true
        assert_contains "$LAST_OUT" '"changed": false' "$n: the run after changes nothing" || true
        RESULTS+=("$n|$lvs_a|converged")
        ;;
    3)
        # LVM needs a human: the message names the command.
        if grep -qE 'lvconvert --repair|lvremove|lvextend|vgcfgrestore' <<<"$LAST_ERR"; then
            pass "$n: exit 3 names the repair command"
        else
            fail "$n: exit 3 names the repair command" "$LAST_ERR"
        fi
        RESULTS+=("$n|$lvs_a|exit 3: $(printf '%s' "$LAST_ERR" | head -1)")
        ;;
    *)
        fail "$n: re-run converges or refuses with exit 3" "exit $rc: $LAST_ERR"
        RESULTS+=("$n|$lvs_a|exit $rc: $(printf '%s' "$LAST_ERR" | head -1)")
        ;;
    esac
}

# Start setup in its own process group; kill the group (dmctl and every
# lvm child) with SIGKILL once WHEN succeeds.
kill_setup() { # NAME WHEN...
    local n=$1 pid t0
    shift
    step "kill: $n"
    fresh
    : >/tmp/kill.log
    setsid dmctl setup /dev/vdb >/tmp/kill.out 2>/tmp/kill.log &
    pid=$!
    t0=$SECONDS
    while ! "$@" && kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < 60)); do sleep 0.02; done
    kill -9 -- "-$pid" 2>/dev/null || true
    pkill -9 -x lvcreate 2>/dev/null || true
    pkill -9 -x lvconvert 2>/dev/null || true
    pkill -9 -x lvchange 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "$n: dmctl said: $(tr '\n' ' ' </tmp/kill.log | cut -c1-200)"
    after_kill "$n"
}
# Conditions for WHEN.
started() { grep -q "^$1:" /tmp/kill.log; }
lvcreate_for() { # SECS: lvcreate has run that long
    local p
    p=$(pgrep -x lvcreate | head -1) || return 1
    [[ -z $p ]] && return 1
    [[ -z ${LC_T0:-} ]] && LC_T0=$(date +%s.%N)
    awk -v a="$LC_T0" -v b="$(date +%s.%N)" -v s="$1" 'BEGIN { exit !(b - a >= s) }'
}
dm_has() { dmsetup ls 2>/dev/null | grep -q "^$1[[:space:]]"; }

# Step boundaries: kill as each step begins.
for s in vgcreate lvcreate monitor daemon-json; do
    kill_setup "step-$s" started "$s"
done
# Inside `lvcreate --type thin-pool`: after some time, or at a marker.
for secs in 0.1 0.3 0.6 1.0; do
    unset LC_T0
    kill_setup "lvcreate-${secs}s" lvcreate_for "$secs"
done
kill_setup "lvcreate-tmeta" dm_has docker-thinpool_tmeta
kill_setup "lvcreate-tpool" dm_has docker-thinpool-tpool

# The step path: kill `dmctl lvconvert` part-way, then `dmctl setup`.
for secs in 0.2 0.6; do
    step "kill: lvconvert-${secs}s"
    fresh
    assert_rc 0 dmctl pvcreate /dev/vdb
    assert_rc 0 dmctl vgcreate /dev/vdb
    assert_rc 0 dmctl lvcreate
    setsid dmctl lvconvert >/dev/null 2>&1 &
    pid=$!
    wait_for 10 pgrep -x lvconvert || true
    sleep "$secs"
    kill -9 -- "-$pid" 2>/dev/null || true
    pkill -9 -x lvconvert 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    after_kill "lvconvert-${secs}s"
done

step "the table"
printf '%s\n' "${RESULTS[@]}" | tee "$VM_OUT/killpoints.tsv"
fresh
