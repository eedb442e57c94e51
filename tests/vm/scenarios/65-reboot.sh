#!/bin/bash
# vm-args: --init systemd --disk 2G --disk 2G --timeout 2400
# vm-suites: bookworm trixie
# Reboots under real systemd (the suite's docker.service, containerd.service and
# lvm2's units as Debian ships them), issue 12, on bookworm (Docker 20.10,
# containerd 1.6, lvm2 2.03.16) and trixie (Docker 26.1, containerd 1.7, lvm2
# 2.03.31):
#   boot 1: docker-overlay2 on /dev/vdb with --install-unit (LVM autoactivation
#           turned OFF for its VG: only dmctl's unit can bring it up), an image
#           and a named volume with random bytes; containerd-devmapper on /dev/vdc
#           (VG ctr, activated by LVM itself), an image imported into the pool
#   boot 2: with no manual step: the unit ran before docker and containerd, the
#           data root was mounted before dockerd started, both pools active and
#           monitored, docker on overlay2/xfs with the same image ID and the
#           volume's bytes, containers run on both runtimes, doctor exit 0;
#           then teardown of both removes the unit too.
#   boot 2, Docker < 25 only (bookworm): docker-devicemapper on /dev/vdb with
#           --install-unit (autoactivation off again), an image and a volume
#   boot 3: the unit ran before dockerd, the pool active and monitored, docker on
#           devicemapper with the same image ID and volume bytes, a container
#           runs, doctor exit 0; teardown removes the unit.
# Containers run with apparmor=unconfined: under systemd dockerd sees
# AppArmor, and the minimal image has no apparmor_parser.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## boot %s: %s (t=%ss)\n' "$VM_BOOT" "$*" "$SECONDS"; }
prop() { systemctl show -p "$2" --value "$1"; }
assert_lt() { if (($1 < $2)); then pass "$3"; else fail "$3" "$1 >= $2"; return 1; fi; }
CFG=/etc/containerd/config.toml

case $VM_BOOT in
1)
    step "docker-overlay2 with the boot unit"
    systemctl stop docker.service docker.socket
    rm -rf /var/lib/docker # a fresh host's empty docker state
    assert_rc 0 dmctl setup /dev/vdb --target docker-overlay2 --lv-size 1G --install-unit
    assert_eq enabled "$(systemctl is-enabled dmctl-activate.service || true)" "unit enabled"
    assert_rc 0 vgchange --setautoactivation n docker
    assert_rc 0 systemctl start docker.service
    assert_contains "$(docker info 2>&1)" "Storage Driver: overlay2" "docker on overlay2"
    make_busybox_image bb:1
    docker image inspect -f '{{.Id}}' bb:1 >"$VM_STATE/image-id"
    assert_rc 0 docker volume create vol1
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol1:/data bb:1 sh -c 'head -c 4194304 /dev/urandom >/data/blob'
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol1:/data bb:1 sha256sum /data/blob
    echo "${LAST_OUT%% *}" >"$VM_STATE/blob-sha"

    step "containerd-devmapper on a second pool"
    assert_rc 0 dmctl setup /dev/vdc --vg ctr --target containerd-devmapper
    assert_rc 0 systemctl restart containerd.service
    assert_rc 0 wait_for 60 ctr version
    assert_contains "$(ctr plugins ls | grep -w devmapper)" " ok" "ctr: devmapper ok"
    make_busybox_oci_archive docker.io/library/bb:latest /tmp/bb-oci.tar
    assert_rc 0 ctr image import --snapshotter devmapper /tmp/bb-oci.tar
    assert_rc 0 ctr run --rm --snapshotter devmapper docker.io/library/bb:latest t1 echo before-reboot
    vm_reboot
    ;;
2)
    step "the unit ran before the runtimes"
    assert_eq active "$(systemctl is-active dmctl-activate.service || true)" "dmctl-activate.service active"
    unit_done=$(prop dmctl-activate.service ExecMainExitTimestampMonotonic)
    docker_start=$(prop docker.service ExecMainStartTimestampMonotonic)
    containerd_start=$(prop containerd.service ExecMainStartTimestampMonotonic)
    mount_up=$(prop var-lib-docker.mount ActiveEnterTimestampMonotonic)
    echo "monotonic us: unit exit $unit_done, mount $mount_up, containerd $containerd_start, docker $docker_start"
    journalctl -b -o short-monotonic -u dmctl-activate.service -u var-lib-docker.mount \
        -u containerd.service -u docker.service | head -n 30 || true
    assert_lt "$unit_done" "$docker_start" "unit finished before dockerd started"
    assert_lt "$unit_done" "$containerd_start" "unit finished before containerd started"
    assert_lt "$mount_up" "$docker_start" "data root mounted before dockerd started"
    echo "VG docker autoactivation: $(vgs --noheadings -o autoactivation docker 2>&1 | tr -d ' ')"

    step "pools, runtimes and data after the reboot"
    for p in docker/thinpool ctr/thinpool; do
        assert_eq monitored "$(lvs --noheadings -o seg_monitor $p | tr -d ' ')" "$p active and monitored"
    done
    assert_eq "/dev/mapper/docker-docker--data xfs" "$(findmnt -n -o SOURCE,FSTYPE /var/lib/docker | tr -s ' ')" \
        "data root on the thin LV"
    assert_rc 0 wait_for 90 docker info
    info=$(docker info 2>&1)
    assert_contains "$info" "Storage Driver: overlay2" "docker info: overlay2"
    assert_contains "$info" "Backing Filesystem: xfs" "docker info: xfs"
    assert_eq "$(cat "$VM_STATE/image-id")" "$(docker image inspect -f '{{.Id}}' bb:1)" "image survived (same ID)"
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol1:/data bb:1 sha256sum /data/blob
    assert_eq "$(cat "$VM_STATE/blob-sha")" "${LAST_OUT%% *}" "volume bytes survived"
    assert_rc 0 wait_for 60 ctr version
    assert_contains "$(ctr plugins ls | grep -w devmapper)" " ok" "ctr: devmapper ok after reboot"
    assert_rc 0 ctr run --rm --snapshotter devmapper docker.io/library/bb:latest t2 echo after-reboot
    assert_contains "$LAST_OUT" "after-reboot" "containerd runs a container on the pool"
    assert_rc 0 dmctl doctor --format json
    [[ $LAST_RC == 0 ]] || dmctl doctor || true

    step "teardown of both"
    systemctl stop docker.service docker.socket
    assert_rc 0 dmctl teardown --format json
    assert_eq none "$([[ -e /etc/systemd/system/dmctl-activate.service ]] && echo some || echo none)" "unit file removed"
    assert_ne_enabled=$(systemctl is-enabled dmctl-activate.service 2>&1 || true)
    assert_not_contains "$assert_ne_enabled" "enabled" "unit no longer enabled"
    assert_eq "" "$(findmnt -n /var/lib/docker || true)" "data root unmounted"
    assert_eq "" "$(wipefs -n /dev/vdb)" "wipefs -n /dev/vdb empty"
    systemctl stop containerd.service
    for d in $(dmsetup ls | awk '/^ctr-thinpool-snap/ {print $1}'); do dmsetup remove "$d"; done
    assert_rc 0 dmctl teardown --pool ctr/thinpool --format json
    assert_eq "" "$(wipefs -n /dev/vdc)" "wipefs -n /dev/vdc empty"
    dockerd_major=$(dockerd --version | sed -E 's/^Docker version ([0-9]+).*/\1/')
    if ((dockerd_major >= 25)); then
        echo "dockerd $dockerd_major: no devicemapper storage driver; docker-devicemapper not run"
        summary
        exit
    fi

    step "docker-devicemapper with the boot unit"
    rm -rf /var/lib/docker
    assert_rc 0 dmctl setup /dev/vdb --target docker-devicemapper --install-unit
    assert_eq enabled "$(systemctl is-enabled dmctl-activate.service || true)" "unit enabled (devicemapper)"
    assert_rc 0 vgchange --setautoactivation n docker
    assert_rc 0 systemctl start docker.service
    assert_contains "$(docker info 2>&1)" "Storage Driver: devicemapper" "docker on devicemapper"
    make_busybox_image bb:2
    docker image inspect -f '{{.Id}}' bb:2 >"$VM_STATE/image-id-dm"
    assert_rc 0 docker volume create vol2
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol2:/data bb:2 sh -c 'head -c 4194304 /dev/urandom >/data/blob'
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol2:/data bb:2 sha256sum /data/blob
    echo "${LAST_OUT%% *}" >"$VM_STATE/blob-sha-dm"
    vm_reboot
    ;;
3)
    step "docker-devicemapper: the unit ran before dockerd"
    assert_eq active "$(systemctl is-active dmctl-activate.service || true)" "dmctl-activate.service active"
    unit_done=$(prop dmctl-activate.service ExecMainExitTimestampMonotonic)
    docker_start=$(prop docker.service ExecMainStartTimestampMonotonic)
    echo "monotonic us: unit exit $unit_done, docker $docker_start"
    journalctl -b -o short-monotonic -u dmctl-activate.service -u docker.service | head -n 20 || true
    assert_lt "$unit_done" "$docker_start" "unit finished before dockerd started"
    echo "VG docker autoactivation: $(vgs --noheadings -o autoactivation docker 2>&1 | tr -d ' ')"

    step "docker-devicemapper: pool, runtime and data after the reboot"
    assert_eq monitored "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "docker/thinpool active and monitored"
    assert_rc 0 wait_for 90 docker info
    info=$(docker info 2>&1)
    assert_contains "$info" "Storage Driver: devicemapper" "docker info: devicemapper"
    assert_contains "$info" "Pool Name: docker-thinpool" "docker info: Pool Name docker-thinpool"
    assert_eq "$(cat "$VM_STATE/image-id-dm")" "$(docker image inspect -f '{{.Id}}' bb:2)" "image survived (same ID)"
    assert_rc 0 docker run --rm --network none --security-opt apparmor=unconfined -v vol2:/data bb:2 sha256sum /data/blob
    assert_eq "$(cat "$VM_STATE/blob-sha-dm")" "${LAST_OUT%% *}" "volume bytes survived"
    assert_rc 0 dmctl doctor --format json
    [[ $LAST_RC == 0 ]] || dmctl doctor || true

    step "docker-devicemapper: teardown"
    systemctl stop docker.service docker.socket
    assert_rc 0 dmctl teardown --format json
    [[ $LAST_RC == 0 ]] || echo "$LAST_ERR"
    assert_eq none "$([[ -e /etc/systemd/system/dmctl-activate.service ]] && echo some || echo none)" "unit file removed"
    assert_eq "" "$(wipefs -n /dev/vdb)" "wipefs -n /dev/vdb empty"
    summary
    ;;
*) fail "boot" "unexpected VM_BOOT=$VM_BOOT" ;;
esac
