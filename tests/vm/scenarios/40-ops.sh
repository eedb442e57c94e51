#!/bin/bash
# dmctl status / doctor / extend / teardown on the real kernel (issue 4).
#
#   cargo build --release
#   tests/vm/run --disk 2G --disk 1G --disk 512M --bin target/release/dmctl tests/vm/scenarios/40-ops.sh
#
# vm-args: --disk 2G --disk 1G --disk 512M
# One boot; the scenarios share /dev/vdb (pool), /dev/vdc (second disk) and
# /dev/vdd (third disk, for --add-device --grow).
set -u
. "$VM_LIB"

B=/dev/vdb C=/dev/vdc D=/dev/vdd
POOL=docker/thinpool DM=docker-thinpool
T=$(mktemp -d)

# jget FILE a.b.0.c: a JSON value (null, true/false, numbers, strings)
jget() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print("null" if d is None else json.dumps(d) if isinstance(d, (bool, list, dict)) else d)
EOF
}
# finding FILE CHECK: "severity|fix1 ; fix2" of the first finding with that id
finding() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if f["check"] == sys.argv[2]:
        print(f["severity"] + "|" + " ; ".join(f["fix"]))
        break
else:
    print("none|")
EOF
}
lvsf() { lvs --noheadings --units b --nosuffix -o "$1" "$POOL" | tr -d ' '; }
vgsf() { vgs --noheadings --units b --nosuffix -o "$1" docker | tr -d ' '; }
# The pool target's status line without the name: the -tpool device when it exists.
dmpool() { dmsetup status "$DM-tpool" 2>/dev/null || dmsetup status "$DM"; }
prom() { awk -v m="dmctl_thinpool_$2{vg=\"docker\",pool=\"thinpool\"}" '$1 == m { print $2 }' "$1"; }

status_json() { dmctl status --format json >"$T/s.json" 2>"$T/s.err" || { cat "$T/s.err"; return 1; }; }

# check_status TAG: status JSON and Prometheus, field by field, against lvs/dmsetup.
check_status() {
    local tag=$1 line used_m total_m used_d total_d chunk
    status_json || { fail "$tag: dmctl status" "failed"; return; }
    dmctl status --format prometheus >"$T/s.prom"
    chunk=$(lvsf chunk_size)
    assert_eq "$chunk" "$(jget "$T/s.json" chunk_size_bytes)" "$tag: chunk size = lvs chunk_size ($chunk)"
    assert_eq "$(lvsf lv_size)" "$(jget "$T/s.json" data.total_bytes)" "$tag: data total = lvs lv_size"
    assert_eq "$(lvsf lv_metadata_size)" "$(jget "$T/s.json" metadata.total_bytes)" "$tag: metadata total = lvs lv_metadata_size"
    assert_eq "$(vgsf vg_free)" "$(jget "$T/s.json" vg_free_bytes)" "$tag: vg free = vgs vg_free"
    assert_eq "$(lvsf lv_profile)" "$(jget "$T/s.json" profile.name)" "$tag: profile = lvs lv_profile"
    assert_eq "$(prom "$T/s.prom" data_total_bytes)" "$(jget "$T/s.json" data.total_bytes)" "$tag: prometheus data_total_bytes"
    assert_eq "$(prom "$T/s.prom" metadata_total_bytes)" "$(jget "$T/s.json" metadata.total_bytes)" "$tag: prometheus metadata_total_bytes"
    if [[ $(lvsf lv_active) == active ]]; then
        line=$(dmpool)
        read -r _ _ _ txid meta data _ <<<"$line"
        used_m=${meta%/*} total_m=${meta#*/} used_d=${data%/*} total_d=${data#*/}
        assert_eq true "$(jget "$T/s.json" active)" "$tag: active"
        assert_eq "$txid" "$(jget "$T/s.json" transaction_id)" "$tag: transaction id = dmsetup ($txid)"
        assert_eq $((used_d * chunk)) "$(jget "$T/s.json" data.used_bytes)" "$tag: data used = dmsetup $used_d blocks x chunk"
        assert_eq $((total_d * chunk)) "$(jget "$T/s.json" data.total_bytes)" "$tag: data total = dmsetup $total_d blocks x chunk"
        assert_eq $((used_m * 4096)) "$(jget "$T/s.json" metadata.used_bytes)" "$tag: metadata used = dmsetup $used_m blocks x 4096"
        assert_eq $((total_m * 4096)) "$(jget "$T/s.json" metadata.total_bytes)" "$tag: metadata total = dmsetup $total_m blocks x 4096"
        assert_eq "$(awk '{print $8}' <<<"$line")" "$(jget "$T/s.json" mode)" "$tag: mode = dmsetup"
        assert_eq "$(awk '{print $10}' <<<"$line")" "$(jget "$T/s.json" when_full)" "$tag: when_full = dmsetup"
        assert_eq "$([[ $(lvsf seg_monitor) == monitored ]] && echo true || echo false)" \
            "$(jget "$T/s.json" monitored)" "$tag: monitored = lvs seg_monitor"
        assert_eq $((used_d * chunk)) "$(prom "$T/s.prom" data_used_bytes)" "$tag: prometheus data_used_bytes"
        assert_eq $((used_m * 4096)) "$(prom "$T/s.prom" metadata_used_bytes)" "$tag: prometheus metadata_used_bytes"
        # lvs Data% agrees with dmctl's percent to LVM's 2 decimals
        assert_eq "$(lvsf data_percent)" "$(printf '%.2f' "$(jget "$T/s.json" data.percent)")" "$tag: data percent = lvs data_percent"
    else
        assert_eq false "$(jget "$T/s.json" active)" "$tag: inactive"
        assert_eq inactive "$(jget "$T/s.json" mode)" "$tag: mode inactive"
        assert_eq null "$(jget "$T/s.json" data.used_bytes)" "$tag: data used unknown"
        assert_eq 0 "$(prom "$T/s.prom" active)" "$tag: prometheus active 0"
        assert_eq "" "$(prom "$T/s.prom" data_used_bytes)" "$tag: prometheus has no data_used_bytes"
    fi
}

# doctor_expect RC CHECK SEVERITY [FIX-SUBSTRING]
doctor_expect() {
    local rc=$1 check=$2 sev=$3 fix=${4:-} got
    run dmctl doctor --format json
    printf '%s\n' "$LAST_OUT" >"$T/d.json"
    assert_eq "$rc" "$LAST_RC" "doctor exit $rc for $check=$sev" || {
        dmctl doctor || true
    }
    got=$(finding "$T/d.json" "$check")
    assert_eq "$sev" "${got%%|*}" "doctor: $check is $sev"
    [[ -z $fix ]] || assert_contains "${got#*|}" "$fix" "doctor: $check fix has '$fix'"
}

echo "=== no pool yet"
assert_rc 3 dmctl status
assert_contains "$LAST_ERR" "no thin pool" "status without a pool says so"

echo "=== fresh pool (setup on $B, data 20%VG)"
# A daemon.json of the admin's own, as serde_json writes it: teardown must
# give it back byte for byte.
mkdir -p /etc/docker
printf '{\n  "log-level": "warn"\n}\n' >/etc/docker/daemon.json
cp /etc/docker/daemon.json "$T/daemon.json.orig"
assert_rc 0 dmctl setup $B --data-percent 20
check_status fresh
assert_eq 0 "$(jget "$T/s.json" data.used_bytes)" "fresh: nothing used"
assert_eq daemon.json "$(jget "$T/s.json" found_by)" "fresh: found via daemon.json"
assert_eq 80 "$(jget "$T/s.json" profile.threshold)" "fresh: threshold 80"
assert_eq 20 "$(jget "$T/s.json" profile.percent)" "fresh: percent 20"
assert_eq true "$(jget "$T/s.json" vg_free_covers_next_autoextend)" "fresh: VG free covers next step"
assert_eq "[\"$B\"]" "$(python3 -c 'import json,sys; print(json.dumps([d["name"] for d in json.load(open(sys.argv[1]))["devices"]]))' "$T/s.json")" "fresh: devices"
run dmctl -v status
assert_eq 1 "$(grep -c '^+ lvm ' <<<"$LAST_ERR")" "status runs one lvm process"
assert_eq 0 "$(grep -c '^+ dmsetup ' <<<"$LAST_ERR")" "status runs no dmsetup (the kernel's DM ioctl)"
dmctl status
dmctl status --format prometheus | head -6
doctor_expect 0 pool.mode ok
dmctl doctor

echo "=== thin LV holding data (-tpool layout)"
lvcreate -q -y -V 1G -T $POOL -n vol1 >/dev/null
dd if=/dev/urandom of=/dev/docker/vol1 bs=1M count=64 oflag=direct status=none
assert_rc 0 dmsetup status $DM-tpool
check_status tpool
assert_eq '["vol1"]' "$(jget "$T/s.json" thin_volumes)" "tpool: thin volumes"
assert_eq $((64 << 20)) "$(jget "$T/s.json" data.used_bytes)" "tpool: 64 MiB written = 128 chunks"

echo "=== doctor: monitoring off"
lvchange -q --monitor n $POOL
doctor_expect 5 pool.monitoring warn "lvchange --monitor y docker/thinpool"
lvchange -q --monitor y $POOL
doctor_expect 0 pool.monitoring ok

echo "=== doctor: profile detached"
lvchange -q --detachprofile $POOL
doctor_expect 5 pool.profile warn "dmctl profile --vg docker --pool thinpool"
assert_rc 0 dmctl profile --vg docker --pool thinpool
doctor_expect 0 pool.profile ok

echo "=== doctor: thin_check removed"
tc=$(command -v thin_check)
mv "$tc" "$tc.off"
doctor_expect 6 host.thin_check critical "thin-provisioning-tools"
mv "$tc.off" "$tc"

echo "=== doctor: conflicting daemon.json and dockerd flags"
cp /etc/docker/daemon.json "$T/daemon.json.good"
python3 - <<'EOF'
import json
p = "/etc/docker/daemon.json"
d = json.load(open(p))
d["storage-opts"].append("dm.fs=btrfs")
json.dump(d, open(p, "w"))
EOF
doctor_expect 6 docker.daemon_json critical "dmctl daemon-json --check"
cp "$T/daemon.json.good" /etc/docker/daemon.json
mkdir -p /etc/systemd/system/docker.service.d
printf '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --storage-driver=overlay2\n' \
    >/etc/systemd/system/docker.service.d/storage.conf
doctor_expect 6 docker.flags critical "remove --storage-driver"
rm -rf /etc/systemd/system/docker.service.d
doctor_expect 0 docker.flags none

echo "=== inactive pool"
vgchange -q -an docker >/dev/null
check_status inactive
doctor_expect 6 pool.active critical "lvchange -ay docker/thinpool"
lvchange -q -ay $POOL
check_status reactivated
doctor_expect 0 pool.active none

echo "=== extend --add-device (second disk)"
lvchange -q -ay docker/vol1
before_free=$(vgsf vg_free)
assert_rc 0 dmctl extend --add-device $C --dry-run
assert_eq 1 "$(vgsf pv_count)" "dry run added nothing"
assert_rc 0 dmctl extend --add-device $C --format json
printf '%s\n' "$LAST_OUT" >"$T/e.json"
assert_eq 2 "$(vgsf pv_count)" "VG docker has 2 PVs"
assert_eq true "$(jget "$T/e.json" changed)" "extend reports changed"
echo "VG free before $before_free, after $(vgsf vg_free)"
check_status two-disks
assert_eq 2 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["devices"]))' "$T/s.json")" "status lists 2 devices"
assert_rc 0 dmctl extend --add-device $C --format json
printf '%s\n' "$LAST_OUT" >"$T/e2.json"
assert_eq false "$(jget "$T/e2.json" changed)" "second --add-device changes nothing"

echo "=== real autoextend"
check_status pre-fill
d0=$(jget "$T/s.json" data.total_bytes)
thr_bytes=$((d0 * 85 / 100))
# vol1 already holds 64 MiB; write up to 85% of the pool.
dd if=/dev/zero of=/dev/docker/vol1 bs=1M seek=64 count=$(((thr_bytes >> 20) - 64)) oflag=direct status=none
grew=0
for _ in $(seq 1 90); do
    status_json
    if (($(jget "$T/s.json" data.total_bytes) > d0)); then grew=1; break; fi
    sleep 1
done
d1=$(jget "$T/s.json" data.total_bytes)
echo "autoextend: data $d0 -> $d1 bytes"
assert_eq 1 "$grew" "dmeventd grew the pool ($d0 -> $d1)"
check_status autoextended
assert_eq "$(lvsf lv_size)" "$d1" "status shows the new size = lvs"

echo "=== doctor: data past the threshold (monitoring off, so no autoextend)"
lvchange -q --monitor n $POOL
used=$(jget "$T/s.json" data.used_bytes)
target=$((d1 * 88 / 100))
dd if=/dev/zero of=/dev/docker/vol1 bs=1M seek=$((used >> 20)) count=$(((target - used) >> 20)) oflag=direct status=none
doctor_expect 5 pool.data_usage warn "dmctl extend --data"
dmctl doctor || true
# Monitoring stays off until teardown: an autoextend now would race the
# exact sizes checked below.

echo "=== extend --data / --metadata"
check_status pre-extend
m0=$(jget "$T/s.json" metadata.total_bytes) d2=$(jget "$T/s.json" data.total_bytes)
assert_rc 0 dmctl extend --metadata +8M --dry-run
assert_eq "$m0" "$(lvsf lv_metadata_size)" "dry run left metadata alone"
assert_rc 0 dmctl extend --metadata +8M
echo "$LAST_ERR"
assert_eq $((m0 + (8 << 20))) "$(lvsf lv_metadata_size)" "metadata grew by 8 MiB ($m0 -> $(lvsf lv_metadata_size))"
assert_rc 0 dmctl extend --data +100M
assert_eq $((d2 + (100 << 20))) "$(lvsf lv_size)" "data grew by 100 MiB"
check_status extended
d3=$(lvsf lv_size)
assert_rc 0 dmctl extend --data-percent 10
# 10% of the data size, rounded up to whole 4 MiB extents
step=$(((d3 / 10 + 4194303) / 4194304 * 4194304))
assert_eq $((d3 + step)) "$(lvsf lv_size)" "--data-percent 10 grew data by $step ($d3 -> $(lvsf lv_size))"
d4=$(lvsf lv_size)
assert_rc 0 dmctl extend --add-device $D --grow --format json
printf '%s\n' "$LAST_OUT" >"$T/g.json"
echo "--grow: data $(jget "$T/g.json" before.data_bytes) -> $(jget "$T/g.json" after.data_bytes)"
assert_eq 3 "$(vgsf pv_count)" "VG docker has 3 PVs"
vdd_pe=$(($(pvs --noheadings -o pv_pe_count $D | tr -d ' ') * $(vgsf vg_extent_size)))
assert_eq 0 "$(pvs --noheadings -o pv_pe_alloc_count,pv_pe_count $D | awk '{print $2 - $1}')" "--grow gave all of $D to the pool"
assert_eq "$(lvsf lv_size)" "$(jget "$T/g.json" after.data_bytes)" "--grow: after = lvs lv_size"
assert_eq $((d4 + vdd_pe)) "$(lvsf lv_size)" "--grow: data grew by the size of $D's PV"
check_status grown
assert_rc 3 dmctl extend --data 100M
assert_contains "$LAST_ERR" "shrink" "extend refuses to shrink"
assert_rc 3 dmctl extend --data +100G
assert_contains "$LAST_ERR" "--add-device" "extend beyond VG free is refused"

echo "=== teardown"
assert_rc 3 dmctl teardown
assert_contains "$LAST_ERR" "vol1" "teardown refuses while thin volumes exist"
lvremove -q -y docker/vol1 >/dev/null
sleep 600 &
fake=$!
echo $fake >/run/docker.pid
assert_rc 3 dmctl teardown
assert_contains "$LAST_ERR" "dockerd is running (pid $fake)" "teardown refuses while dockerd runs"
kill $fake; wait $fake 2>/dev/null; rm -f /run/docker.pid
assert_rc 0 dmctl teardown --dry-run
assert_eq "$(lvsf lv_name)" thinpool "dry run kept the pool"
assert_rc 0 dmctl teardown --format json
printf '%s\n' "$LAST_OUT" >"$T/t.json"
assert_eq true "$(jget "$T/t.json" changed)" "teardown changed"
assert_eq "" "$(wipefs -n $B)" "wipefs -n $B is empty"
assert_eq "" "$(wipefs -n $C)" "wipefs -n $C is empty"
assert_eq "" "$(wipefs -n $D)" "wipefs -n $D is empty"
assert_rc 5 vgs docker
assert_eq 1 "$([[ -e /etc/lvm/profile/docker-thinpool.profile ]] || echo 1)" "profile removed"
assert_not_contains "$(cat /etc/docker/daemon.json)" "devicemapper" "daemon.json has no devicemapper"
assert_eq "$(sha256sum <"$T/daemon.json.orig")" "$(sha256sum </etc/docker/daemon.json)" "daemon.json as before setup (byte for byte)"
assert_rc 0 dmctl teardown --format json
printf '%s\n' "$LAST_OUT" >"$T/t2.json"
assert_eq false "$(jget "$T/t2.json" changed)" "second teardown is a no-op"
summary
