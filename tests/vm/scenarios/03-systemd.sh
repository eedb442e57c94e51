#!/bin/bash
# vm-args: --init systemd --disk 1G --timeout 900
# The systemd mode of the test bed and its reboots (no dmctl needed):
#   boot 1: systemd is PID 1; docker.service, containerd.service, systemd-udevd and
#           lvm2-monitor are active as Debian ships them; a thin pool and a thin LV
#           with an ext4 file system on /dev/vdb, a file on it; a file on the root fs;
#           vm_reboot
#   boot 2: VM_BOOT=2 and a new boot id; the runtimes active again; LVM activated the
#           pool and the thin LV at boot with no manual step; the file on the data disk
#           and the one on the root fs survived; the counts of boot 1 carry over
#   tests/vm/run --init systemd --disk 1G tests/vm/scenarios/03-systemd.sh
#   (--suite trixie etc. works too)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

dev=/dev/vdb
echo "boot $VM_BOOT of a ${VM_INIT:-?}-init ${VM_SUITE:-?} guest"
assert_eq systemd "${VM_INIT:-}" "VM_INIT=systemd"
assert_eq systemd "$(cat /proc/1/comm)" "PID 1 is systemd"
# Everything multi-user.target pulled in has started (this unit runs after it).
for u in docker.service containerd.service systemd-udevd.service lvm2-monitor.service; do
    assert_eq active "$(systemctl is-active "$u" || true)" "$u active (boot $VM_BOOT)"
done
assert_rc 0 docker info --format '{{.ServerVersion}} {{.Driver}}'
echo "docker: $LAST_OUT"
# Where the boot time went (docs/TESTING.md quotes these).
systemd-analyze blame 2>/dev/null | head -n 6 || true
failed_units=$(systemctl list-units --failed --plain --no-legend | awk '{ print $1 }')
assert_eq "" "$failed_units" "no failed units (boot $VM_BOOT)"

case $VM_BOOT in
1)
    cat /proc/sys/kernel/random/boot_id >"$VM_STATE/boot1-id"
    assert_rc 0 pvcreate "$dev"
    assert_rc 0 vgcreate keep "$dev"
    assert_rc 0 lvcreate --type thin-pool -n pool -l 80%VG --zero n keep
    assert_rc 0 lvcreate --type thin -n data -V 1G --thinpool pool keep
    assert_rc 0 mkfs.ext4 -q /dev/keep/data
    mkdir -p /mnt/data
    assert_rc 0 mount /dev/keep/data /mnt/data
    head -c 1M /dev/urandom >/mnt/data/blob
    sha256sum </mnt/data/blob | cut -d' ' -f1 >"$VM_STATE/blob.sha256"
    assert_rc 0 umount /mnt/data
    echo "written in boot 1" >/var/lib/dmctl-vm-marker
    vm_reboot
    ;;
2)
    assert_ne() { if [[ $1 != "$2" ]]; then pass "$3"; else fail "$3" "both '$1'"; return 1; fi; }
    assert_ne "$(cat "$VM_STATE/boot1-id")" "$(cat /proc/sys/kernel/random/boot_id)" "a new boot id"
    assert_eq 2 "$(cat /dmctl/ctl/boot-count)" "second boot counted"
    assert_eq "written in boot 1" "$(cat /var/lib/dmctl-vm-marker 2>/dev/null)" "root fs change survived the reboot"
    # Boot activation by LVM itself (udev event / pvscan), nobody ran vgchange here.
    assert_rc 0 wait_for 60 test -b /dev/keep/data
    assert_eq monitored "$(lvs --noheadings -o seg_monitor keep/pool | tr -d ' ')" "pool monitored after boot"
    mkdir -p /mnt/data
    assert_rc 0 mount /dev/keep/data /mnt/data
    assert_eq "$(cat "$VM_STATE/blob.sha256")" "$(sha256sum </mnt/data/blob | cut -d' ' -f1)" \
        "file on the thin LV survived the reboot"
    assert_rc 0 umount /mnt/data
    summary
    ;;
*)
    fail "boot" "unexpected VM_BOOT=$VM_BOOT"
    ;;
esac
