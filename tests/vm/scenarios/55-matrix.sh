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
#   bullseye: Docker 20.10.5, containerd 1.4, lvm2 2.03.11 → all three targets
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

for t in $targets; do
    extra=()
    [[ $t == docker-overlay2 ]] && extra=(--lv-size 1G)
    step "$suite / $t: setup"
    assert_rc 0 dm /tmp/s1.json setup $DEV --target "$t" "${extra[@]}"
    assert_eq "True" "$(jget /tmp/s1.json 'd["changed"]')" "$t: changed=true"
    assert_eq "$t" "$(jget /tmp/s1.json 'd["target"]')" "$t: JSON target"
    assert_eq monitored "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "$t: pool monitored"

    step "$suite / $t: re-run"
    assert_rc 0 dm /tmp/s2.json setup $DEV --target "$t" "${extra[@]}"
    assert_eq "False" "$(jget /tmp/s2.json 'd["changed"]')" "$t: re-run changed=false"
    assert_eq 0 "$(mutating_calls)" "$t: re-run ran no mutating lvm command"

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
    assert_rc 0 dm /tmp/t1.json teardown
    assert_eq "True" "$(jget /tmp/t1.json 'd["changed"]')" "$t: teardown changed=true"
    assert_eq "" "$(wipefs -n $DEV)" "$t: wipefs -n $DEV is empty"
    assert_eq "" "$(grep docker-data /etc/fstab || true)" "$t: no fstab line left"
    assert_eq none "$([[ -e /etc/docker/daemon.json || -e /etc/containerd/config.toml.dmctl-new ]] && echo some || echo none)" "$t: no daemon.json left"
    assert_rc 0 dm /tmp/t2.json teardown
    assert_eq "False" "$(jget /tmp/t2.json 'd["changed"]')" "$t: teardown again changed=false"
    reset_disk $DEV
done
summary
