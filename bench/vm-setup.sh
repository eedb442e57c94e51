#!/bin/bash
# Benchmark, run inside the test VM (real dm-thin, lvm2 under QEMU/TCG):
#
#   bench/run            (boots the VM with two 2G disks and runs this)
#
# Compares in ONE boot, so the ratios are fair: the classic direct-lvm
# recipe by hand (7 commands + a check = 8 lvm processes) against
# `dmctl setup` (its short plan), then a re-run of dmctl setup and
# `dmctl status`. Prints medians and ratios; lvm process counts come from
# a PATH shim that logs every lvm2 invocation.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/lib.sh" 2>/dev/null || . "$VM_LIB"
REPS=${REPS:-5}
modprobe dm_thin_pool

SHIM=/tmp/lvm-shim LOG=/tmp/lvm-calls.log
mkdir -p "$SHIM"
for t in lvm pvcreate vgcreate lvcreate lvconvert lvchange lvs pvs vgs; do
    printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$t" "$LOG" "$(command -v "$t")" >"$SHIM/$t"
    chmod +x "$SHIM/$t"
done
export PATH="$SHIM:$PATH"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
clean() {
    reset_disk /dev/vdb >/dev/null 2>&1
    rm -f /etc/lvm/profile/docker-thinpool.profile /etc/docker/daemon.json
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
}
timed() { # CMD...: wall seconds in $SECS, lvm processes in $COUNT
    local t0
    : >"$LOG"
    t0=$(now)
    "$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
    SECS=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
    COUNT=$(wc -l <"$LOG")
}

declare -A T N M
for _ in $(seq "$REPS"); do
    clean
    timed classic; T[classic]+="$SECS "; N[classic]=$COUNT
    clean
    timed dmctl setup /dev/vdb -q; T[setup]+="$SECS "; N[setup]=$COUNT
    timed dmctl setup /dev/vdb -q; T[rerun]+="$SECS "; N[rerun]=$COUNT
    timed dmctl status --format json; T[status]+="$SECS "; N[status]=$COUNT
done
printf '\n%-28s %8s %8s %s\n' "what" "median s" "lvm" "samples (s)"
for k in classic setup rerun status; do
    m=$(tr ' ' '\n' <<<"${T[$k]}" | awk NF | median)
    M[$k]=$m
    printf '%-28s %8s %8s %s\n' "$k" "$m" "${N[$k]}" "${T[$k]}"
done
awk -v c="${M[classic]}" -v s="${M[setup]}" -v r="${M[rerun]}" 'BEGIN {
    printf "\nratio classic/setup (wall): %.2f\nratio setup/rerun (wall):   %.2f\n", c / s, s / r }'
echo "reps: $REPS; kernel: $(uname -r); lvm: $(lvm version | sed -n 's/^ *LVM version: *//p')"
