# shellcheck shell=bash
# Helpers for test scripts run in the dmctl test VM by tests/vm/run. Source it:
#
#   . "$VM_LIB"                      # or: . "$(dirname "$0")/../lib.sh"
#
# Results: pass NAME / fail NAME MSG count results; every assert_* counts one result
# too (the name defaults to a description of the check). At exit the summary line
#   N passed, N failed
# is printed (once; `summary` prints it earlier) and the exit status becomes 1 if
# anything failed. A script that dies early (set -e, `exit 3`) keeps its non-zero exit
# status and, unless a failure was already counted (e.g. the assert that ended it under
# set -e), gets one failure "script: aborted with exit status N".
#
# Asserts return 0/1, so under `set -e` a failed assert ends the script (after the
# summary). Use `assert_... || true` to go on after a failure.
#
#   assert_eq EXPECTED ACTUAL [NAME]
#   assert_contains HAYSTACK NEEDLE [NAME]
#   assert_not_contains HAYSTACK NEEDLE [NAME]
#   assert_rc EXPECTED CMD [ARGS...]     runs CMD; its stdout/stderr/status are left
#                                        in $LAST_OUT, $LAST_ERR, $LAST_RC
#   run CMD [ARGS...]                    same capture without asserting (always returns 0)
#   dev_sum DEV                          sha256 of the whole device
#   reset_disk DEV...                    tear down LVM/dm/filesystems/partitions on DEV
#   start_dockerd [DOCKERD_ARGS...]      dockerd in the background, waits for `docker info`
#   stop_dockerd
#   start_containerd [CONFIG_TOML]       containerd in the background, waits for `ctr version`
#   stop_containerd
#   make_busybox_image NAME              `docker import` a busybox-static rootfs as NAME
#   make_busybox_oci_archive NAME FILE   the same rootfs as an OCI image archive for
#                                        `ctr image import` (index.json/oci-layout/blobs)
#   wait_for SECS CMD [ARGS...]          poll CMD every 0.2 s until it succeeds (1 on timeout)
#   vm_reboot                            (--init systemd) reboot the guest; the script
#                                        runs again from the top with VM_BOOT+1, the
#                                        pass/fail counts carry over
#
# Reboots: under `tests/vm/run --init systemd` the script runs in every boot of the
# same VM (disks and the root filesystem keep their changes); VM_BOOT says which
# (1, 2, ...). vm_reboot saves the counters in $VM_STATE (a directory that survives
# reboots; scripts may keep their own state there), prints
# "boot N: P passed, F failed so far; rebooting" and ends this boot's run; the summary
# line of the last boot counts every boot:
#
#   case $VM_BOOT in
#   1) ...; vm_reboot ;;
#   2) ...; summary ;;
#   esac
#
# Daemon logs go to $VM_OUT/dockerd.log and $VM_OUT/containerd.log (visible on the host).

VM_OUT=${VM_OUT:-/tmp}
LIB_PASSED=0
LIB_FAILED=0
LIB_SUMMARY_DONE=0
LAST_OUT='' LAST_ERR='' LAST_RC=0
VM_BOOT=${VM_BOOT:-1}
VM_STATE=${VM_STATE:-/tmp/dmctl-vm-state}
# Counts of the earlier boots of this VM (saved by vm_reboot).
if ((VM_BOOT > 1)) && [[ -f $VM_STATE/lib-counters ]]; then
    read -r LIB_PASSED LIB_FAILED <"$VM_STATE/lib-counters" || true
    LIB_PASSED=${LIB_PASSED:-0} LIB_FAILED=${LIB_FAILED:-0}
fi

pass() {
    LIB_PASSED=$((LIB_PASSED + 1))
    printf 'ok - %s\n' "$1"
}

fail() {
    LIB_FAILED=$((LIB_FAILED + 1))
    printf 'FAIL - %s: %s\n' "$1" "${2:-failed}"
    return 0
}

summary() {
    LIB_SUMMARY_DONE=1
    printf '%d passed, %d failed\n' "$LIB_PASSED" "$LIB_FAILED"
    ((LIB_FAILED == 0))
}

_lib_on_exit() {
    local rc=$?
    if ((!LIB_SUMMARY_DONE)); then
        if ((rc != 0 && LIB_FAILED == 0)); then
            fail "script" "aborted with exit status $rc"
        elif ((rc != 0)); then
            echo "(script ended with exit status $rc)"
        fi
        summary || true
    fi
    if ((rc == 0 && LIB_FAILED > 0)); then
        rc=1
    fi
    exit "$rc"
}
trap _lib_on_exit EXIT

vm_reboot() {
    if [[ ${VM_INIT:-} != systemd ]]; then
        fail "vm_reboot" "needs tests/vm/run --init systemd (this guest runs the ${VM_INIT:-?} init)"
        return 1
    fi
    mkdir -p "$VM_STATE"
    echo "$LIB_PASSED $LIB_FAILED" >"$VM_STATE/lib-counters"
    # The guest init reboots (instead of powering off) when this file exists.
    : >"${VM_CTL:-/dmctl/ctl}/reboot-requested"
    sync
    printf 'boot %d: %d passed, %d failed so far; rebooting\n' "$VM_BOOT" "$LIB_PASSED" "$LIB_FAILED"
    LIB_SUMMARY_DONE=1
    exit 0
}

# Print a multi-line value indented, for failure messages.
_lib_show() {
    printf '%s\n' "$1" | sed 's/^/    | /'
}

assert_eq() {
    local expected=$1 actual=$2 name=${3:-"equals '$1'"}
    if [[ $expected == "$actual" ]]; then
        pass "$name"
    else
        fail "$name" "expected '$expected', got '$actual'"
        return 1
    fi
}

assert_contains() {
    local haystack=$1 needle=$2 name=${3:-"contains '$2'"}
    if [[ $haystack == *"$needle"* ]]; then
        pass "$name"
    else
        fail "$name" "'$needle' not found in:"
        _lib_show "$haystack"
        return 1
    fi
}

assert_not_contains() {
    local haystack=$1 needle=$2 name=${3:-"does not contain '$2'"}
    if [[ $haystack != *"$needle"* ]]; then
        pass "$name"
    else
        fail "$name" "'$needle' unexpectedly found in:"
        _lib_show "$haystack"
        return 1
    fi
}

# run CMD...: capture stdout, stderr and exit status in LAST_OUT, LAST_ERR, LAST_RC.
run() {
    local errf
    errf=$(mktemp)
    LAST_RC=0
    LAST_OUT=$("$@" 2>"$errf") || LAST_RC=$?
    LAST_ERR=$(cat "$errf")
    rm -f "$errf"
    return 0
}

assert_rc() {
    local expected=$1
    shift
    run "$@"
    if [[ $LAST_RC == "$expected" ]]; then
        pass "exit status $expected: $*"
    else
        fail "exit status $expected: $*" "got $LAST_RC"
        [[ -z $LAST_OUT ]] || { echo "  stdout:"; _lib_show "$LAST_OUT"; }
        [[ -z $LAST_ERR ]] || { echo "  stderr:"; _lib_show "$LAST_ERR"; }
        return 1
    fi
}

wait_for() {
    local secs=$1 deadline
    shift
    deadline=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# dev_sum DEV: sha256 of the whole device, read with O_DIRECT: what is on the disk, not
# what the page cache of DEV remembers (writes through dm devices on top bypass it), and
# faster than `sha256sum <DEV` under TCG (still ~15-30 s per GiB: keep disks small).
dev_sum() {
    # Regular files (tmpfs rejects O_DIRECT) are hashed the plain way.
    if [[ ! -b $1 ]]; then
        sha256sum <"$1" | cut -d' ' -f1
        return
    fi
    python3 - "$1" <<'PY'
import hashlib, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 16 << 20)  # page aligned, as O_DIRECT wants
view = memoryview(buf)
h = hashlib.sha256()
while True:
    n = os.readv(fd, [buf])
    if n == 0:
        break
    h.update(view[:n])
print(h.hexdigest())
PY
}

# _lib_dm_remove NAME: remove the dm device sysfs NAME (dm-3) and whatever is stacked on it.
_lib_dm_remove() {
    local h
    for h in /sys/class/block/"$1"/holders/*; do
        if [[ -e $h ]]; then _lib_dm_remove "${h##*/}"; fi
    done
    if [[ -r /sys/class/block/$1/dm/name ]]; then
        dmsetup remove --retry "$(cat "/sys/class/block/$1/dm/name")" >/dev/null 2>&1 || true
    fi
}

# reset_disk DEV...: leave DEV blank whatever LVM / dm / filesystem / partitions were on it.
# Removes whole volume groups that use DEV (even if they span other disks too).
reset_disk() {
    local dev p vg mnt h size_mb parts
    udevadm settle --timeout=30 || true
    for dev in "$@"; do
        [[ -b $dev ]] || { echo "reset_disk: $dev is not a block device" >&2; return 1; }
        # Unmount whatever is mounted from the disk, its partitions or dm devices on top.
        while read -r mnt; do
            umount -l "$mnt" 2>/dev/null || true
        done < <(lsblk -nrpo MOUNTPOINT "$dev" 2>/dev/null | awk NF | sort -r)
        mapfile -t parts < <(lsblk -nrpo NAME,TYPE "$dev" | awk '$2 == "part" { print $1 }')
        for p in "$dev" "${parts[@]}"; do
            vg=$(pvs --noheadings -o vg_name "$p" 2>/dev/null | tr -d '[:space:]') || vg=
            if [[ -n $vg ]]; then
                vgchange -an "$vg" >/dev/null 2>&1 || true
                vgremove -ff -y "$vg" >/dev/null 2>&1 || true
            fi
        done
        # Anything device-mapper still holds on it (LVM leftovers, hand-made tables).
        for p in "$dev" "${parts[@]}"; do
            for h in /sys/class/block/"${p##*/}"/holders/*; do
                if [[ -e $h ]]; then _lib_dm_remove "${h##*/}"; fi
            done
        done
        for p in "${parts[@]}" "$dev"; do
            pvremove -ff -y "$p" >/dev/null 2>&1 || true
            wipefs -a -q "$p" >/dev/null 2>&1 || true
        done
        size_mb=$(($(blockdev --getsize64 "$dev") / 1048576))
        dd if=/dev/zero of="$dev" bs=1M count=1 conv=fsync status=none
        dd if=/dev/zero of="$dev" bs=1M count=1 seek=$((size_mb - 1)) conv=fsync status=none
        blockdev --rereadpt "$dev" 2>/dev/null || partx -d "$dev" 2>/dev/null || true
    done
    udevadm settle --timeout=30 || true
    pvscan --cache >/dev/null 2>&1 || true
}

# ------------------------------------------------------------------ dockerd
DOCKERD_PID=''
start_dockerd() {
    local log=$VM_OUT/dockerd.log
    mkdir -p /etc/docker
    echo "=== start_dockerd $* ($(date -u +%T))" >>"$log"
    dockerd "$@" >>"$log" 2>&1 &
    DOCKERD_PID=$!
    if ! wait_for "${DOCKERD_TIMEOUT:-90}" docker info; then
        echo "start_dockerd: dockerd did not come up; last lines of $log:" >&2
        tail -n 30 "$log" | sed 's/^/    | /' >&2
        stop_dockerd
        return 1
    fi
}

stop_dockerd() {
    local pid=${DOCKERD_PID:-$(cat /var/run/docker.pid 2>/dev/null)}
    DOCKERD_PID=''
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! _lib_wait_gone "$pid" "${DOCKERD_STOP_TIMEOUT:-60}"; then
        echo "stop_dockerd: dockerd ($pid) ignored SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        _lib_wait_gone "$pid" 10 || true
    fi
    udevadm settle --timeout=30 || true
}

# ------------------------------------------------------------------ containerd
CONTAINERD_PID=''
start_containerd() {
    local log=$VM_OUT/containerd.log args=()
    [[ -z ${1:-} ]] || args=(--config "$1")
    echo "=== start_containerd $* ($(date -u +%T))" >>"$log"
    containerd "${args[@]}" >>"$log" 2>&1 &
    CONTAINERD_PID=$!
    if ! wait_for "${CONTAINERD_TIMEOUT:-60}" ctr version; then
        echo "start_containerd: containerd did not come up; last lines of $log:" >&2
        tail -n 30 "$log" | sed 's/^/    | /' >&2
        stop_containerd
        return 1
    fi
}

stop_containerd() {
    local pid=$CONTAINERD_PID
    CONTAINERD_PID=''
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! _lib_wait_gone "$pid" "${CONTAINERD_STOP_TIMEOUT:-30}"; then
        kill -KILL "$pid" 2>/dev/null || true
        _lib_wait_gone "$pid" 10 || true
    fi
}

_lib_alive() { # PID: running (not gone, not a zombie)
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

_lib_wait_gone() { # PID SECS
    local deadline=$((SECONDS + $2))
    while _lib_alive "$1"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
    wait "$1" 2>/dev/null || true # reap it if it is our child
}

# ------------------------------------------------------------------ images
# _lib_busybox_rootfs DIR: /bin/busybox (static) and a symlink per applet.
_lib_busybox_rootfs() {
    local dir=$1 applet
    mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/root"
    cp /bin/busybox "$dir/bin/busybox"
    for applet in $("$dir/bin/busybox" --list); do
        [[ $applet == busybox ]] || ln -sf busybox "$dir/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
    echo 'root:x:0:' >"$dir/etc/group"
    chmod 1777 "$dir/tmp"
}

make_busybox_image() {
    local name=$1 dir
    dir=$(mktemp -d)
    _lib_busybox_rootfs "$dir"
    local rc=0
    tar -C "$dir" -c . | docker import -c 'CMD ["/bin/sh"]' - "$name" >/dev/null || rc=$?
    rm -rf "$dir"
    return "$rc"
}

# make_busybox_oci_archive NAME FILE: e.g. NAME=docker.io/library/bb:latest, then
#   ctr image import --snapshotter devmapper FILE; ctr run --snapshotter devmapper NAME id echo ok
make_busybox_oci_archive() {
    local name=$1 file=$2 dir oci diff_id layer_digest layer_size cfg cfg_digest cfg_size man man_digest man_size
    dir=$(mktemp -d)
    oci=$dir/oci
    mkdir -p "$oci/blobs/sha256" "$dir/rootfs"
    _lib_busybox_rootfs "$dir/rootfs"
    tar -C "$dir/rootfs" --numeric-owner -cf "$dir/layer.tar" .
    diff_id=$(sha256sum <"$dir/layer.tar" | cut -d' ' -f1)
    gzip -n -1 "$dir/layer.tar"
    layer_digest=$(sha256sum <"$dir/layer.tar.gz" | cut -d' ' -f1)
    layer_size=$(stat -c %s "$dir/layer.tar.gz")
    mv "$dir/layer.tar.gz" "$oci/blobs/sha256/$layer_digest"
    cfg=$(printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff_id")
    cfg_digest=$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)
    cfg_size=${#cfg}
    printf '%s' "$cfg" >"$oci/blobs/sha256/$cfg_digest"
    man=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
        "$cfg_digest" "$cfg_size" "$layer_digest" "$layer_size")
    man_digest=$(printf '%s' "$man" | sha256sum | cut -d' ' -f1)
    man_size=${#man}
    printf '%s' "$man" >"$oci/blobs/sha256/$man_digest"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
        "$man_digest" "$man_size" "$name" "${name##*:}" >"$oci/index.json"
    tar -C "$oci" -cf "$file" oci-layout index.json blobs
    rm -rf "$dir"
}

# ------------------------------------------------------------------ registry
# serve_oci_registry ARCHIVE PORT: a read-only registry on 127.0.0.1:PORT
# (plain HTTP, the guest has no internet) serving the OCI archive that
# make_busybox_oci_archive wrote: GET/HEAD /v2/, /v2/NAME/manifests/REF (tag
# = the ref.name annotation, or a digest) and /v2/NAME/blobs/DIGEST, with
# Content-Type and Docker-Content-Digest. Stop it with stop_oci_registry.
REGISTRY_PID=''
serve_oci_registry() {
    local archive=$1 port=$2 dir
    dir=$(mktemp -d)
    tar -C "$dir" -xf "$archive"
    python3 - "$dir" "$port" >>"$VM_OUT/registry.log" 2>&1 <<'PY' &
import http.server, json, os, re, sys
root, port = sys.argv[1], int(sys.argv[2])
index = json.load(open(os.path.join(root, "index.json")))
tags = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index["manifests"]}
media = {m["digest"]: m["mediaType"] for m in index["manifests"]}

class H(http.server.BaseHTTPRequestHandler):
    def reply(self, body):
        path = self.path.split("?")[0]
        if path in ("/v2", "/v2/"):
            return self.send(200, b"{}", "application/json", None, body)
        m = re.match(r"^/v2/(.+)/(manifests|blobs)/([^/]+)$", path)
        if not m:
            return self.send(404, b"", "text/plain", None, body)
        kind, ref = m.group(2), m.group(3)
        if kind == "manifests" and not ref.startswith("sha256:"):
            if ref not in tags:
                return self.send(404, b"", "text/plain", None, body)
            ref = tags[ref]["digest"]
        f = os.path.join(root, "blobs", "sha256", ref.split(":", 1)[-1])
        if not os.path.isfile(f):
            return self.send(404, b"", "text/plain", None, body)
        ctype = media.get(ref, "application/octet-stream") if kind == "manifests" else "application/octet-stream"
        return self.send(200, open(f, "rb").read(), ctype, ref, body)

    def send(self, code, data, ctype, digest, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self):
        self.reply(True)

    def do_HEAD(self):
        self.reply(False)

http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
    REGISTRY_PID=$!
    wait_for 30 python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/v2/')"
}

stop_oci_registry() {
    [[ -n $REGISTRY_PID ]] || return 0
    kill "$REGISTRY_PID" 2>/dev/null || true
    _lib_wait_gone "$REGISTRY_PID" 10 || true
    REGISTRY_PID=''
}
