#!/bin/bash
# Capture real lvm/dmsetup outputs for dmctl's status/doctor parsers.
# Run: tests/vm/run --disk 2G --disk 1G tests/vm/capture/ops-fixtures.sh
set -u
O=$VM_OUT/fx
mkdir -p "$O"
FR=(lvm fullreport --reportformat json --units b --nosuffix
    --configreport vg -o vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,pv_count,lv_count
    --configreport pv -o pv_name,vg_name,pv_size
    --configreport lv -o lv_uuid,lv_name,vg_name,lv_attr,lv_size,pool_lv,lv_metadata_size,lv_profile,lv_active,data_percent,metadata_percent,lv_when_full,lv_health_status
    --configreport seg -o lv_uuid,segtype,chunk_size,seg_monitor,zero,devices
    --configreport pvseg -o pvseg_start)
cap() { # NAME CMD...
    local n=$1; shift
    "$@" >"$O/$n.out" 2>"$O/$n.err"; echo $? >"$O/$n.rc"
    echo "== $n rc=$(cat "$O/$n.rc"): $*"; head -c 3000 "$O/$n.out"; head -c 600 "$O/$n.err"
}
snap() { # PREFIX
    cap "$1-fullreport" "${FR[@]}"
    cap "$1-dmsetup-status" dmsetup status
    cap "$1-dmsetup-table" dmsetup table
    cap "$1-lvs" lvs -a -o lv_name,lv_attr,lv_size,data_percent,metadata_percent,lv_metadata_size,seg_monitor,lv_profile,chunk_size --units b --nosuffix
}
cap 00-fullreport-empty "${FR[@]}"
cap 00-fullreport-default lvm fullreport --reportformat json --units b --nosuffix
mkdir -p /etc/lvm/profile
printf 'activation {\n\tthin_pool_autoextend_threshold=80\n\tthin_pool_autoextend_percent=20\n}\n' >/etc/lvm/profile/docker-thinpool.profile
vgcreate docker /dev/vdb
lvcreate -y --type thin-pool -n thinpool -L 400M --poolmetadatasize 8M --chunksize 512K --zero n --metadataprofile docker-thinpool docker
snap 01-fresh
cap 01-fresh-lvs-monitor lvs -o seg_monitor --noheadings docker/thinpool
lvcreate -y -V 1G -T docker/thinpool -n vol1
dd if=/dev/urandom of=/dev/docker/vol1 bs=1M count=100 oflag=direct status=none
snap 02-thinlv
lvchange --monitor n docker/thinpool
snap 03-monitor-off
lvchange --monitor y docker/thinpool
lvchange --detachprofile docker/thinpool
snap 04-detached
lvchange --metadataprofile docker-thinpool docker/thinpool
vgchange -an docker
snap 05-inactive
vgchange -ay docker
# Fill past the threshold with autoextend (VG on vdb only: 2G) and watch it
lvchange --monitor y docker/thinpool
dd if=/dev/urandom of=/dev/docker/vol1 bs=1M count=250 seek=100 oflag=direct status=none
sync; sleep 25
snap 06-after-fill
# Error when full, fill completely
lvchange --errorwhenfull y docker/thinpool
lvchange --monitor n docker/thinpool
lvcreate -y -V 4G -T docker/thinpool -n vol2
dd if=/dev/zero of=/dev/docker/vol2 bs=1M count=3000 oflag=direct status=none; echo "dd rc=$?"
snap 07-full
cap 07-dmsetup-status-pool dmsetup status docker-thinpool-tpool
cap 08-docker-version dockerd --version
cap 08-dmsetup-targets dmsetup targets
cap 08-pidof pidof dockerd
exit 0
