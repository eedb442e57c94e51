#!/bin/bash
# vm-args: --disk 2G --disk 2G --disk 192M
# dmctl setup on a real kernel: fresh disk, re-run, resume from every partial
# state, dockerd 20.10 on the result, refused devices, --dry-run, names with
# dashes, and the step subcommands giving the same pool as the short recipe.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
lvfield() { lvs --noheadings --units b --nosuffix -o "$1" "$2" | tr -d ' '; }

# A PATH shim that logs every lvm2 invocation dmctl makes.
SHIM=/tmp/lvm-shim
LVM_LOG=/tmp/lvm-calls.log
mkdir -p "$SHIM"
for t in lvm pvcreate pvremove pvs vgcreate vgextend vgremove vgs vgchange \
    lvcreate lvconvert lvchange lvextend lvremove lvs; do
    real=$(command -v "$t")
    printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$t" "$LVM_LOG" "$real" >"$SHIM/$t"
    chmod +x "$SHIM/$t"
done
# Every other program dmctl may run, in a log of its own (issue 14: a re-run
# spawns one process in all; status none but lvm).
OTHER_LOG=/tmp/other-calls.log
for t in wipefs dmsetup dockerd containerd blkid systemctl udevadm modprobe; do
    real=$(command -v "$t") || continue
    printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$t" "$OTHER_LOG" "$real" >"$SHIM/$t"
    chmod +x "$SHIM/$t"
done
# dmctl run through the shim, JSON on stdout into $1.
dm() {
    local out=$1
    shift
    : >"$LVM_LOG"
    : >"$OTHER_LOG"
    PATH="$SHIM:$PATH" dmctl "$@" --format json >"$out"
}
all_calls() { cat "$LVM_LOG" "$OTHER_LOG" | wc -l | tr -d ' '; }
lvm_calls() { wc -l <"$LVM_LOG" | tr -d ' '; }
mutating_calls() { grep -cvE '^(lvm fullreport|lvs|pvs|vgs) ' "$LVM_LOG" || true; }

# The pool as the real tools see it.
check_pool() { # VG POOL LABEL
    local vg=$1 pool=$2 what=$3
    assert_eq "twi" "$(lvfield lv_attr "$vg/$pool" | cut -c1-3)" "$what: lvs says thin pool (twi)"
    assert_eq "$vg-$pool" "$(lvfield lv_profile "$vg/$pool")" "$what: profile attached"
    assert_eq "monitored" "$(lvs --noheadings -o seg_monitor "$vg/$pool" | tr -d ' ')" "$what: monitored"
    assert_eq "524288" "$(lvfield chunk_size "$vg/$pool")" "$what: chunk 512K"
    assert_eq "" "$(lvs --noheadings -o zero "$vg/$pool" | tr -d ' ')" "$what: zeroing off"
    assert_contains "$(cat "/etc/lvm/profile/$vg-$pool.profile")" "thin_pool_autoextend_threshold=80" "$what: profile threshold"
    assert_contains "$(cat "/etc/lvm/profile/$vg-$pool.profile")" "thin_pool_autoextend_percent=20" "$what: profile percent"
}

modprobe dm_thin_pool
cp /dev/null /etc/docker/daemon.json 2>/dev/null || true
rm -f /etc/docker/daemon.json

step "1. fresh setup on a blank /dev/vdb"
assert_rc 0 dm /tmp/s1.json setup /dev/vdb
assert_eq "True" "$(jget /tmp/s1.json 'd["changed"]')" "first run: changed=true"
calls=$(lvm_calls)
if ((calls <= 5)); then pass "fresh setup spawned $calls lvm processes (<= 5)"; else fail "lvm processes" "$calls > 5"; cat "$LVM_LOG"; fi
assert_eq "$calls" "$(jget /tmp/s1.json 'd["lvm_processes"]')" "JSON lvm_processes matches the shim's count"
check_pool docker thinpool "fresh"
status=$(dmsetup status docker-thinpool)
assert_contains "$status" " thin-pool " "dmsetup status: thin-pool target"
assert_contains "$status" " rw " "dmsetup status: rw"
dj=$(cat /etc/docker/daemon.json)
assert_contains "$dj" '"storage-driver": "devicemapper"' "daemon.json: storage-driver"
assert_contains "$dj" '"dm.thinpooldev=/dev/mapper/docker-thinpool"' "daemon.json: thinpooldev"
assert_contains "$dj" '"dm.use_deferred_removal=true"' "daemon.json: deferred removal"
assert_contains "$dj" '"dm.use_deferred_deletion=true"' "daemon.json: deferred deletion"
assert_contains "$(jget /tmp/s1.json 'd["warnings"]')" "less than one autoextend step (388 MiB)" \
    "warns that one disk leaves no room for autoextend"
# The same fact is no risk on a fresh, empty pool: doctor notes it, exit 0.
assert_rc 0 dmctl doctor --format json
printf '%s\n' "$LAST_OUT" >/tmp/d1.json
assert_eq "note" "$(jget /tmp/d1.json '[f["severity"] for f in d["findings"] if f["check"] == "vg.free"][0]')" \
    "fresh default setup: vg.free is a note"
assert_eq "0" "$(jget /tmp/d1.json 'd["exit_code"]')" "fresh default setup: doctor exit 0"
data_fast=$(lvfield lv_size docker/thinpool)
meta_fast=$(lvfield lv_metadata_size docker/thinpool)

step "2. second run changes nothing"
assert_rc 0 dm /tmp/s2.json setup /dev/vdb
assert_eq "False" "$(jget /tmp/s2.json 'd["changed"]')" "re-run: changed=false"
assert_eq "0" "$(mutating_calls)" "re-run: no mutating lvm command"
calls=$(lvm_calls)
if ((calls <= 2)); then pass "re-run spawned $calls lvm processes (<= 2)"; else fail "re-run lvm processes" "$calls > 2"; cat "$LVM_LOG"; fi
assert_eq "['already']" "$(jget /tmp/s2.json 'sorted(set(s["action"] for s in d["steps"]))')" "re-run: every step already done"
# Ask only what can change the plan: the probe, and nothing else (no wipefs
# of our own PV, no dockerd --version: remembered for this binary).
assert_eq "1" "$(all_calls)" "re-run spawned one process in all: $(cat "$LVM_LOG" "$OTHER_LOG" | tr '\n' ';')"
assert_contains "$(cat "$LVM_LOG")" "devices { filter = [ \"a|^/dev/vdb\$|\", \"r|.*|\" ] }" \
    "re-run: lvm reads only the pool's PV (/dev/vdb)"
assert_rc 0 dm /tmp/st2.json status
assert_eq "1" "$(all_calls)" "status spawned one process (lvm), no dmsetup: $(cat "$LVM_LOG" "$OTHER_LOG" | tr '\n' ';')"
# The kernel's status through the ioctl is what dmsetup prints: same
# transaction id and metadata blocks (a pool at rest).
read -r tid meta < <(dmsetup status docker-thinpool | awk '{ split($5, m, "/"); print $4, m[1] * 4096 }')
assert_eq "$tid" "$(jget /tmp/st2.json 'd["transaction_id"]')" "status (DM ioctl) = dmsetup: transaction id"
assert_eq "$meta" "$(jget /tmp/st2.json 'd["metadata"]["used_bytes"]')" "status (DM ioctl) = dmsetup: metadata used"

step "4. dockerd 20.10 runs a container on the pool"
start_dockerd
info=$(docker info 2>&1)
assert_contains "$info" "Storage Driver: devicemapper" "docker info: devicemapper"
assert_contains "$info" "Pool Name: docker-thinpool" "docker info: pool name"
make_busybox_image bb:1
assert_rc 0 docker run --rm --network none bb:1 echo ok
assert_eq "ok" "$LAST_OUT" "container printed ok"
stop_dockerd
rm -rf /var/lib/docker /etc/docker/daemon.json

step "the step subcommands give the same pool (classic recipe) on /dev/vdc"
for s in "pvcreate /dev/vdc" "vgcreate /dev/vdc --vg classic" "lvcreate --vg classic" \
    "lvconvert --vg classic" "profile --vg classic"; do
    # shellcheck disable=SC2086
    assert_rc 0 dmctl $s
done
assert_rc 0 dmctl lvcreate --vg classic --format json
assert_contains "$LAST_OUT" '"changed": false' "lvcreate step again: no change"
check_pool classic thinpool "classic"
assert_eq "$data_fast" "$(lvfield lv_size classic/thinpool)" "same data size as the short recipe"
assert_eq "$meta_fast" "$(lvfield lv_metadata_size classic/thinpool)" "same metadata size as the short recipe"
reset_disk /dev/vdc
rm -f /etc/lvm/profile/classic-thinpool.profile

step "3. resume from every partial state"
resume() { # NAME EXPECTED-DONE-STEPS, after the state was made by hand on vdb
    local name=$1 want=$2
    assert_rc 0 dm "/tmp/r-$name.json" setup /dev/vdb
    assert_eq "$want" "$(jget "/tmp/r-$name.json" '" ".join(s["name"] for s in d["steps"] if s["action"] == "done")')" "$name: steps run"
    check_pool docker thinpool "$name"
    assert_rc 0 dm "/tmp/r2-$name.json" setup /dev/vdb
    assert_eq "False" "$(jget "/tmp/r2-$name.json" 'd["changed"]')" "$name: then nothing to do"
}
fresh() { reset_disk /dev/vdb; rm -f /etc/lvm/profile/docker-thinpool.profile /etc/docker/daemon.json; }
fresh; pvcreate -q /dev/vdb
resume "pv-only" "profile-file vgcreate lvcreate daemon-json"
fresh; vgcreate -q docker /dev/vdb
resume "vg-only" "profile-file lvcreate daemon-json"
fresh; vgcreate -q docker /dev/vdb; lvcreate -q -y --wipesignatures y -n thinpool docker -l 95%VG
resume "data-lv-only" "profile-file lvcreate-metadata lvconvert profile-attach daemon-json"
fresh; vgcreate -q docker /dev/vdb; lvcreate -q -y --wipesignatures y -n thinpool docker -l 95%VG
lvcreate -q -y --wipesignatures y -n thinpoolmeta docker -l 1%VG
resume "unconverted" "profile-file lvconvert profile-attach daemon-json"
assert_eq "$data_fast" "$(lvfield lv_size docker/thinpool)" "unconverted: same data size"
fresh; vgcreate -q docker /dev/vdb; lvcreate -q -y --wipesignatures y -n thinpool docker -l 95%VG
lvcreate -q -y --wipesignatures y -n thinpoolmeta docker -l 1%VG
lvconvert -q -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta
resume "pool-without-profile" "profile-file profile-attach daemon-json"
fresh; vgcreate -q docker /dev/vdb; lvcreate -q -y --wipesignatures y -n thinpool docker -l 95%VG
lvcreate -q -y --wipesignatures y -n thinpoolmeta docker -l 1%VG
lvconvert -q -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta
mkdir -p /etc/lvm/profile
printf 'activation {\n\tthin_pool_autoextend_threshold=80\n\tthin_pool_autoextend_percent=20\n}\n' \
    >/etc/lvm/profile/docker-thinpool.profile
resume "profile-not-attached" "profile-attach daemon-json"
lvchange -q --monitor n docker/thinpool
resume "monitoring-off" "monitor"
vgchange -q -an docker
resume "pool-inactive" "deactivate activate"
assert_eq "active" "$(lvs --noheadings -o lv_active docker/thinpool | tr -d ' ')" "pool-inactive: active again"

step "daemon.json pointing at another pool is refused"
cp /etc/docker/daemon.json /tmp/dj.before
sed -i 's#/dev/mapper/docker-thinpool#/dev/mapper/other-pool#' /etc/docker/daemon.json
sum=$(sha256sum </etc/docker/daemon.json)
assert_rc 3 dmctl setup /dev/vdb
assert_contains "$LAST_ERR" "other-pool" "names the other pool"
assert_eq "$sum" "$(sha256sum </etc/docker/daemon.json)" "daemon.json untouched"
cp /tmp/dj.before /etc/docker/daemon.json

step "5. refused devices keep every byte (on the small /dev/vdd: whole-device checksums)"
refuse() { # NAME DEV [ARGS...]: exit 3 and the device checksum unchanged
    local name=$1 dev=$2 before
    shift 2
    before=$(dev_sum "$dev")
    assert_rc 3 dmctl setup "$dev" "$@"
    printf '    %s\n' "$LAST_ERR" | head -5
    assert_eq "$before" "$(dev_sum "$dev")" "$name: $dev unchanged"
}
reset_disk /dev/vdd
mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 /dev/vdd
mkdir -p /mnt/x && mount /dev/vdd /mnt/x && sync
refuse "mounted ext4" /dev/vdd
assert_contains "$LAST_ERR" "mounted at /mnt/x" "mounted: says where"
refuse "mounted ext4 with --force" /dev/vdd --force
umount /mnt/x
refuse "ext4 signature" /dev/vdd
assert_contains "$LAST_ERR" "ext4 signature" "ext4: named"
assert_contains "$LAST_ERR" "--force" "ext4: names the fix"
assert_rc 0 dmctl setup /dev/vdd --force --vg forced --daemon-json /tmp/forced.json
assert_eq "" "$(wipefs -n /dev/vdd | grep -v LVM2_member | sed 1d)" "--force: only the PV label remains"
check_pool forced thinpool "--force"
reset_disk /dev/vdd
echo 'label: gpt' | sfdisk -q /dev/vdd
refuse "partition table" /dev/vdd
assert_contains "$LAST_ERR" "partition table" "partition table: named"
refuse "partition table with --force" /dev/vdd --force
printf 'label: gpt\n,100M\n' | sfdisk -q /dev/vdd && udevadm settle
refuse "partitions" /dev/vdd --force
refuse "a partition" /dev/vdd1
reset_disk /dev/vdd
vgcreate -q other /dev/vdd
refuse "PV of another VG" /dev/vdd --force
assert_contains "$LAST_ERR" "PV of volume group other" "other VG: named"
reset_disk /dev/vdd
assert_rc 3 dmctl setup /etc/hostname
assert_contains "$LAST_ERR" "not a block device" "regular file: named"
assert_rc 3 dmctl setup /dev/nonexistent
assert_contains "$LAST_ERR" "does not exist" "missing path: named"

step "6. --dry-run on a blank disk changes nothing"
reset_disk /dev/vdd
before=$(dev_sum /dev/vdd)
assert_rc 0 dmctl setup /dev/vdd --vg dry --daemon-json /tmp/dry.json --dry-run
assert_contains "$LAST_OUT" "vgcreate dry /dev/vdd" "dry-run shows vgcreate"
assert_contains "$LAST_OUT" "lvcreate -y --type thin-pool" "dry-run shows lvcreate"
assert_contains "$LAST_OUT" "dm.thinpooldev=/dev/mapper/dry-thinpool" "dry-run shows daemon.json"
assert_eq "$before" "$(dev_sum /dev/vdd)" "dry-run: device unchanged"
assert_eq "" "$(pvs --noheadings /dev/vdd 2>/dev/null)" "dry-run: no PV"
[[ ! -e /tmp/dry.json && ! -e /etc/lvm/profile/dry-thinpool.profile ]] &&
    pass "dry-run: no file written" || fail "dry-run: no file written" "a file appeared"
assert_rc 0 dmctl setup /dev/vdd --vg dry --daemon-json /tmp/dry.json --dry-run --format json
assert_contains "$LAST_OUT" '"changed": true' "dry-run JSON: would change"
assert_contains "$LAST_OUT" '"dry_run": true' "dry-run JSON: says dry run"

step "7. names with dashes: docker-vg/thin-pool"
fresh
assert_rc 0 dmctl setup /dev/vdb --vg docker-vg --pool thin-pool
check_pool docker-vg thin-pool "dashes"
assert_contains "$(cat /etc/docker/daemon.json)" "dm.thinpooldev=/dev/mapper/docker--vg-thin--pool" "daemon.json: doubled dashes"
start_dockerd
assert_contains "$(docker info 2>&1)" "Pool Name: docker--vg-thin--pool" "dockerd accepts the pool"
stop_dockerd

step "two runs at once: the second waits, then fails with exit 4"
reset_disk /dev/vdd
# Another run holds dmctl's lock for 4 s: flock(1) on the same file, the way
# dmctl takes it (a real first setup now finishes in ~1.2 s, too soon to
# race it reliably). --lock-timeout 1 gives up (exit 4, nothing done); the
# default timeout waits, then does the work.
flock -x /run/lock/dmctl.lock sleep 4 &
holder=$!
sleep 0.3
assert_rc 4 dmctl setup /dev/vdd --vg locked --daemon-json /tmp/locked.json --lock-timeout 1
assert_contains "$LAST_ERR" "another dmctl run" "busy: says why"
assert_eq "" "$(pvs --noheadings /dev/vdd 2>/dev/null)" "busy: nothing done (no PV)"
assert_rc 0 dmctl setup /dev/vdd --vg locked --daemon-json /tmp/locked.json
assert_contains "$LAST_ERR" "waiting for another dmctl run" "default timeout: waited for the holder"
assert_contains "$LAST_ERR" "dmctl setup: done" "then did the work"
wait "$holder" && pass "the holder finished (exit 0)" || fail "holder" "exit $?"
assert_rc 0 dmctl setup /dev/vdd --vg locked --daemon-json /tmp/locked.json --format json
assert_contains "$LAST_OUT" '"changed": false' "after the race: nothing left to do"

step "a host without udevd: dmctl says so and copes (DM_DISABLE_UDEV)"
reset_disk /dev/vdd
pkill -x systemd-udevd || true
wait_for 10 sh -c '! pgrep -x systemd-udevd' && rm -f /run/udev/control
assert_rc 0 dmctl setup /dev/vdd --vg noudev --daemon-json /tmp/noudev.json
assert_contains "$LAST_ERR" "udevd is not running" "no udev: warned"
check_pool noudev thinpool "no udev"
[[ -b /dev/mapper/noudev-thinpool ]] && pass "no udev: /dev/mapper node exists" ||
    fail "no udev: /dev/mapper node" "missing"
