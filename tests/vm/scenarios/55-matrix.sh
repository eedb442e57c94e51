#!/bin/bash
# vm-args: --disk 2G --timeout 1200
# vm-suites: bullseye trixie forky
# The target matrix on the Debian releases beside bookworm (which runs the
# full suite): every target the release's runtimes support is set up on a
# blank disk, re-run (changed=false, no mutating lvm command), reported by
# status (mode rw, the target wired) and doctor (exit 0), and torn down
# (changed=true, the disk blank again, a second teardown changed=false).
# Where dockerd is 25 or newer, setup without --target refuses devicemapper
# (exit 3, the disk untouched) and names both other targets.
# Each target runs a container on the pool: docker-overlay2 under the
# suite's own dockerd (a busybox image from `docker import`, --network none);
# containerd-devmapper (with --cri-snapshotter) pulls a busybox image with
# `ctr image pull --plain-http --snapshotter devmapper` from a registry in
# the guest (serve_oci_registry) and runs it; on containerd 2.x that pull
# goes through the transfer service and needs the unpack_config entry dmctl
# adds. Teardown gives containerd's config.toml back byte for byte.
#   bullseye: Docker 20.10.5, containerd 1.4, lvm2 2.03.11 → all three targets
#             (--discard-blocks/--fs refused for containerd 1.4, exit 3)
#   trixie:   Docker 26.1,   containerd 1.7, lvm2 2.03.31 → overlay2, containerd
#   forky:    Docker 28.5,   containerd 2.1, lvm2 2.03.31 → overlay2, containerd
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
dsum() { head -c 67108864 "$1" | sha256sum | cut -d' ' -f1; }
DEV=/dev/vdb
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
echo "suite $suite: $(dmctl --version); $(dockerd --version 2>/dev/null || true); $(containerd --version 2>/dev/null || true); lvm2 $(lvm version | awk '/LVM version/ {print $3}')"

# Count mutating lvm commands through a PATH shim.
SHIM=/tmp/lvm-shim LVM_LOG=/tmp/lvm-calls.log
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

case $suite in
bullseye) targets="docker-devicemapper containerd-devmapper docker-overlay2" ;;
*) targets="docker-overlay2 containerd-devmapper" ;;
esac

if [[ $suite != bullseye ]]; then
    step "$suite: no --target with dockerd >= 25 refuses devicemapper"
    before=$(dsum $DEV)
    assert_rc 3 dmctl setup $DEV
    assert_contains "$LAST_ERR" "--target docker-overlay2" "refusal names docker-overlay2"
    assert_contains "$LAST_ERR" "--target containerd-devmapper" "refusal names containerd-devmapper"
    assert_eq "$before" "$(dsum $DEV)" "refused: $DEV unchanged"
    assert_eq none "$([[ -e /etc/docker/daemon.json ]] && echo some || echo none)" "refused: no daemon.json"
fi

if command -v containerd >/dev/null; then
    step "$suite: containerd config default is the fixture's"
    containerd config default >"$VM_OUT/config-default-$suite.toml" 2>/dev/null || true
    assert_eq "$(sha256sum <"$VM_TESTS/fixtures/containerd/config-default-$suite.toml")" \
        "$(sha256sum <"$VM_OUT/config-default-$suite.toml")" "containerd config default = tests/fixtures/containerd/config-default-$suite.toml"
fi
cfg_before=$(sha256sum </etc/containerd/config.toml 2>/dev/null || echo none)

if [[ $(containerd --version 2>/dev/null) == *" 1.4."* ]]; then
    step "$suite: containerd 1.4 refuses options it does not know"
    before=$(dsum $DEV)
    assert_rc 3 dmctl setup $DEV --target containerd-devmapper --discard-blocks true --fs xfs
    assert_contains "$LAST_ERR" "discard_blocks" "refusal names discard_blocks"
    assert_contains "$LAST_ERR" "fs_type" "refusal names fs_type"
    assert_eq "$before" "$(dsum $DEV)" "refused: $DEV unchanged"
    assert_eq "$cfg_before" "$(sha256sum </etc/containerd/config.toml)" "refused: config.toml unchanged"
fi

# run_on_target T: a container on the pool through T's runtime.
run_on_target() {
    case $1 in
    docker-devicemapper)
        assert_rc 0 start_dockerd
        info=$(docker info 2>&1)
        assert_contains "$info" "Storage Driver: devicemapper" "dockerd on devicemapper"
        assert_contains "$info" "Pool Name: docker-thinpool" "dockerd uses the pool"
        assert_rc 0 make_busybox_image bb:1
        assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined bb:1 sh -c 'echo ran-on-devicemapper'
        assert_contains "$LAST_OUT" ran-on-devicemapper "$(docker version -f '{{.Server.Version}}'): a container runs on the pool"
        ;;
    docker-overlay2)
        assert_rc 0 start_dockerd
        info=$(docker info 2>&1)
        assert_contains "$info" "Storage Driver: overlay2" "dockerd on overlay2"
        assert_contains "$info" "Backing Filesystem: xfs" "overlay2 backed by xfs"
        assert_eq "/dev/mapper/docker-docker--data" "$(findmnt -n -o SOURCE /var/lib/docker)" "data root on the thin LV"
        assert_rc 0 make_busybox_image bb:1
        assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined bb:1 sh -c 'echo ran-on-overlay2'
        assert_contains "$LAST_OUT" ran-on-overlay2 "$(docker version -f '{{.Server.Version}}'): a container runs"
        ;;
    containerd-devmapper)
        assert_rc 0 start_containerd
        assert_contains "$(ctr plugins ls | grep -w devmapper)" " ok" "ctr: devmapper ok"
        containerd config dump >/tmp/dump.toml 2>/dev/null || true
        cri=$(awk '/^ *\[/ {sec=$0} /^ *snapshotter =/ && !done && (sec ~ /grpc.v1.cri".containerd\]/ || sec ~ /cri.v1.images.\]/) {print $3; done=1}' /tmp/dump.toml)
        assert_eq devmapper "$(tr -d "\"'" <<<"$cri")" "config dump: the CRI plugin's snapshotter is devmapper"
        make_busybox_oci_archive localhost:5000/bb:1 /tmp/bb-oci.tar
        assert_rc 0 serve_oci_registry /tmp/bb-oci.tar 5000
        assert_rc 0 ctr image pull --plain-http --snapshotter devmapper localhost:5000/bb:1
        [[ $LAST_RC == 0 ]] || tail -n 20 "$VM_OUT/containerd.log"
        snaps=$(ctr snapshots --snapshotter devmapper ls | tail -n +2 | wc -l)
        if ((snaps > 0)); then pass "pull unpacked into devmapper ($snaps snapshot)"; else fail "pull unpacked into devmapper" "no devmapper snapshot"; fi
        assert_rc 0 ctr run --rm --snapshotter devmapper localhost:5000/bb:1 t1 sh -c 'echo ran-on-devmapper'
        assert_contains "$LAST_OUT" ran-on-devmapper "containerd $(containerd --version | awk '{print $3}'): a pulled image runs on the pool"
        grep -q "Unpack configuration not supported" "$VM_OUT/containerd.log" &&
            fail "transfer service" "containerd logged 'Unpack configuration not supported'"
        stop_oci_registry
        ;;
    esac
}

# stop_target T: the runtime stopped and its devices released, for teardown.
stop_target() {
    case $1 in
    docker-overlay2) stop_dockerd ;;
    docker-devicemapper)
        docker image rm -f bb:1 >/dev/null 2>&1 || true
        stop_dockerd
        rm -rf /var/lib/docker
        ;;
    containerd-devmapper)
        ctr image rm localhost:5000/bb:1 >/dev/null 2>&1 || true
        stop_containerd
        for d in $(dmsetup ls | awk '/^docker-thinpool-snap/ {print $1}'); do dmsetup remove "$d"; done
        ;;
    esac
}

for t in $targets; do
    extra=()
    [[ $t == docker-overlay2 ]] && extra=(--lv-size 1G)
    [[ $t == containerd-devmapper ]] && extra=(--cri-snapshotter)
    step "$suite / $t: setup"
    assert_rc 0 dm /tmp/s1.json setup $DEV --target "$t" "${extra[@]}"
    assert_eq "True" "$(jget /tmp/s1.json 'd["changed"]')" "$t: changed=true"
    assert_eq "$t" "$(jget /tmp/s1.json 'd["target"]')" "$t: JSON target"
    assert_eq monitored "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "$t: pool monitored"

    step "$suite / $t: re-run"
    assert_rc 0 dm /tmp/s2.json setup $DEV --target "$t" "${extra[@]}"
    assert_eq "False" "$(jget /tmp/s2.json 'd["changed"]')" "$t: re-run changed=false"
    assert_eq 0 "$(mutating_calls)" "$t: re-run ran no mutating lvm command"

    step "$suite / $t: a container on the pool"
    run_on_target "$t"

    step "$suite / $t: status and doctor"
    assert_rc 0 dmctl status --format json
    printf '%s\n' "$LAST_OUT" >/tmp/st.json
    assert_eq rw "$(jget /tmp/st.json 'd["mode"]')" "$t: status mode rw"
    assert_eq "$t" "$(jget /tmp/st.json '",".join(w["target"] for w in d["targets"])')" "$t: status says what the pool feeds"
    assert_rc 0 dmctl doctor --format json
    printf '%s\n' "$LAST_OUT" >/tmp/dr.json
    assert_eq 0 "$(jget /tmp/dr.json 'd["exit_code"]')" "$t: doctor exit 0"
    [[ $LAST_RC == 0 ]] || cat /tmp/dr.json

    step "$suite / $t: teardown"
    stop_target "$t"
    assert_rc 0 dm /tmp/t1.json teardown
    assert_eq "True" "$(jget /tmp/t1.json 'd["changed"]')" "$t: teardown changed=true"
    assert_eq "" "$(wipefs -n $DEV)" "$t: wipefs -n $DEV is empty"
    assert_eq "" "$(grep docker-data /etc/fstab || true)" "$t: no fstab line left"
    assert_eq none "$([[ -e /etc/docker/daemon.json || -e /etc/containerd/config.toml.dmctl-new ]] && echo some || echo none)" "$t: no daemon.json left"
    assert_eq "$cfg_before" "$(sha256sum </etc/containerd/config.toml 2>/dev/null || echo none)" "$t: containerd's config.toml as before"
    assert_rc 0 dm /tmp/t2.json teardown
    assert_eq "False" "$(jget /tmp/t2.json 'd["changed"]')" "$t: teardown again changed=false"
    reset_disk $DEV
done
summary
