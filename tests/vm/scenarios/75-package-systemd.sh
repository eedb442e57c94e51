#!/bin/bash
# vm-args: --init systemd --disk 1G --timeout 1500
# vm-needs: package
# The Debian package under real systemd (bookworm), issue 11:
#   boot 1: offline `apt-get install ./dmctl_*.deb`; `dmctl setup` (no
#           --install-unit); the package's boot unit, shipped disabled, is
#           no boot unit for status/doctor until enabled, then status and
#           doctor see it (/usr/lib/systemd/system) as enabled for the pool;
#           `systemctl enable --now dmctl-metrics.timer` (as MONITORING.md
#           says): the timer fires, the service writes node_exporter's
#           textfile (prometheus text format, 0644, no temporary file left),
#           the next tick replaces it atomically (a new inode, later mtime),
#           `systemctl list-timers` and the service's journal show the runs;
#           reboot with LVM's own autoactivation off for the VG
#   boot 2: the package's unit (no --vg/--pool: /etc/dmctl/dmctl.toml's
#           pool) activated the pool at boot, the timer fired after boot
#           and the textfile is fresh, status/doctor content.
#
#   packaging/build && mkdir -p /tmp/o/package && cp target/portable/dmctl* /tmp/o/package/
#   tests/vm/run --init systemd --disk 1G --out /tmp/o tests/vm/scenarios/75-package-systemd.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## boot %s: %s (t=%ss)\n' "$VM_BOOT" "$*" "$SECONDS"; }
PKG=$VM_OUT/package
PROM_DIR=/var/lib/prometheus/node-exporter
PROM=$PROM_DIR/dmctl.prom
SHIPPED=/usr/lib/systemd/system/dmctl-activate.service
prop() { systemctl show -p "$2" --value "$1"; }
doctor_boot() { # the boot.activation_unit finding: "SEVERITY MESSAGE"
    dmctl doctor --format json | python3 -c 'import json,sys
for x in json.load(sys.stdin)["findings"]:
    if x["check"] == "boot.activation_unit": print(x["severity"], x["message"])'
}
# Every sample line is NAME{LABELS} VALUE or NAME VALUE; every family has HELP and TYPE.
prom_ok() {
    local bad
    bad=$(grep -v '^#' "$1" | grep -vE '^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$' || true)
    assert_eq "" "$bad" "$2: sample lines well-formed"
    assert_eq "$(grep -c '^# HELP ' "$1")" "$(grep -c '^# TYPE ' "$1")" "$2: a TYPE per HELP"
}
# Finished runs of the service this boot (systemd logs "Deactivated successfully"
# for each run that succeeded).
metric_runs() { journalctl -q -b -u dmctl-metrics.service -o cat | grep -c 'Deactivated successfully' || true; }
wait_runs() { # N SECS: wait until more than N runs finished; prints the count
    local end=$((SECONDS + $2)) n
    while :; do
        n=$(metric_runs)
        if ((n > $1)); then echo "$n"; return 0; fi
        ((SECONDS < end)) || { echo "$n"; return 1; }
        sleep 2
    done
}

case $VM_BOOT in
1)
    step "install the package offline"
    assert_eq systemd "$(cat /proc/1/comm)" "PID 1 is systemd"
    rm -f /usr/local/bin/dmctl # the suite's --bin copy would shadow /usr/bin/dmctl
    rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap
    deb=$(ls "$PKG"/dmctl_*_amd64.deb)
    cp "$deb" /tmp/
    assert_rc 0 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")"
    assert_eq /usr/bin/dmctl "$(command -v dmctl)" "dmctl is the package's"
    assert_eq disabled "$(systemctl is-enabled dmctl-metrics.timer || true)" "the package enables no timer"
    assert_eq disabled "$(systemctl is-enabled dmctl-activate.service || true)" "nor its boot unit"
    assert_eq "ExecStart=/usr/bin/dmctl activate" "$(grep ^ExecStart= $SHIPPED)" "shipped unit: generic ExecStart"

    step "setup; the shipped boot unit, disabled, then enabled"
    assert_rc 0 dmctl setup /dev/vdb
    assert_rc 1 test -e /etc/systemd/system/dmctl-activate.service
    assert_rc 0 dmctl status
    line=$(grep 'boot unit:' <<<"$LAST_OUT")
    echo "$line"
    assert_contains "$line" "none enabled" "status: the shipped unit, disabled, is no boot unit"
    assert_contains "$line" "systemctl enable dmctl-activate.service" "status: says how to enable it"
    assert_contains "$(doctor_boot)" "ok no dmctl boot unit" "doctor: no boot unit, ok (optional)"
    assert_rc 0 systemctl enable dmctl-activate.service
    assert_rc 0 dmctl status
    line=$(grep 'boot unit:' <<<"$LAST_OUT")
    echo "$line"
    assert_contains "$line" "$SHIPPED, enabled" "status: the package's unit, enabled"
    assert_rc 0 dmctl status --format json
    assert_contains "$LAST_OUT" "\"path\": \"$SHIPPED\"" "status JSON: activation_unit.path is the shipped unit"
    assert_contains "$LAST_OUT" '"covers_pool": true' "status JSON: it covers the pool (config's default docker/thinpool)"
    d=$(doctor_boot)
    echo "doctor: $d"
    assert_contains "$d" "ok $SHIPPED activates docker/thinpool at boot (enabled)" "doctor: the shipped unit, in place"

    step "the metrics timer: enable --now, first tick"
    mkdir -p "$PROM_DIR" # prometheus-node-exporter's textfile directory
    assert_rc 0 systemctl enable --now dmctl-metrics.timer
    assert_eq active "$(systemctl is-active dmctl-metrics.timer || true)" "timer active"
    if ! n=$(wait_runs 0 120); then fail "first tick within 120 s" "$n runs"; fi
    systemctl list-timers --all dmctl-metrics.timer | tee /tmp/timers
    assert_contains "$(cat /tmp/timers)" "dmctl-metrics.service" "list-timers shows the timer and its service"
    assert_eq 0 "$(prop dmctl-metrics.service ExecMainStatus)" "service exit status 0"
    assert_eq 644 "$(stat -c %a $PROM)" "textfile 0644"
    assert_eq "dmctl.prom" "$(ls -A $PROM_DIR)" "no temporary file left"
    cat $PROM | grep -v '^#'
    assert_contains "$(cat $PROM)" 'dmctl_thinpool_active{vg="docker",pool="thinpool"} 1' "textfile: pool active"
    assert_contains "$(cat $PROM)" "dmctl_status_success 1" "textfile: status succeeded"
    prom_ok $PROM "tick 1"
    ino1=$(stat -c %i $PROM) mt1=$(stat -c %Y $PROM) runs1=$n

    step "the next tick replaces the file"
    if ! n=$(wait_runs "$runs1" 150); then fail "second tick within 150 s" "$n runs"; fi
    assert_eq 1 "$((n > runs1))" "the service ran again ($runs1 -> $n runs)"
    ino2=$(stat -c %i $PROM) mt2=$(stat -c %Y $PROM)
    assert_eq 1 "$((ino2 != ino1))" "renamed over, not rewritten in place (inode $ino1 -> $ino2)"
    assert_eq 1 "$((mt2 > mt1))" "mtime later ($mt1 -> $mt2)"
    assert_eq "dmctl.prom" "$(ls -A $PROM_DIR)" "still no temporary file"
    prom_ok $PROM "tick 2"
    journalctl -q -b -u dmctl-metrics.service -o short-monotonic | tail -n 6
    date +%s >"$VM_STATE/rebooted-at"

    step "reboot with LVM's autoactivation off: only the package's unit activates"
    assert_rc 0 vgchange --setautoactivation n docker
    vm_reboot
    ;;
2)
    step "after the reboot"
    assert_eq active "$(systemctl is-active dmctl-activate.service || true)" "the package's unit ran at boot"
    assert_eq 0 "$(prop dmctl-activate.service ExecMainStatus)" "and succeeded"
    journalctl -q -b -u dmctl-activate.service -o cat | tail -n 5
    assert_eq active "$(lvs --noheadings -o lv_active docker/thinpool | tr -d ' ')" "pool active"
    assert_eq monitored "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "pool monitored"
    assert_eq active "$(systemctl is-active dmctl-metrics.timer || true)" "timer active after boot"
    if ! n=$(wait_runs 0 150); then fail "a tick after boot within 150 s" "$n runs"; fi
    assert_eq 1 "$(($(stat -c %Y $PROM) >= $(cat "$VM_STATE/rebooted-at")))" "textfile written after the reboot"
    assert_contains "$(cat $PROM)" "dmctl_status_success 1" "textfile: status succeeded"
    assert_contains "$(dmctl status)" "$SHIPPED, enabled" "status: the package's unit"
    d=$(doctor_boot)
    assert_contains "$d" "ok $SHIPPED activates docker/thinpool at boot (enabled)" "doctor after the reboot: the shipped unit"
    run dmctl doctor
    echo "$LAST_OUT" | tail -n 12
    case $LAST_RC in
    0 | 5) pass "dmctl doctor: status $LAST_RC (ok or warnings)" ;;
    *) fail "dmctl doctor" "status $LAST_RC" ;;
    esac
    ;;
esac
summary
