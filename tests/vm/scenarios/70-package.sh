#!/bin/bash
# vm-args: --disk 1G --timeout 900
# vm-needs: package
# The release artefacts on a real bookworm guest: the portable binary
# (glibc >= 2.17) runs, the Debian package installs offline with
# `apt-get install ./dmctl_*.deb` (its Depends are already in the image),
# the installed dmctl sets up a blank disk, man pages and completions are in
# place, the metrics service's command writes the textfile, the shipped boot
# unit's command activates the pool, and removing and purging the package
# leave the pool, the LVM profile, daemon.json, the config and the boot unit
# setup wrote untouched.
#
# tests/vm/suite copies target/portable/dmctl and target/portable/dmctl_*.deb
# (packaging/build) into $VM_OUT/package/ for scenarios with the
# "# vm-needs: package" line. By hand:
#   packaging/build && mkdir -p /tmp/o/package && cp target/portable/dmctl* /tmp/o/package/
#   tests/vm/run --disk 1G --out /tmp/o tests/vm/scenarios/70-package.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
unit_exec() { sed -n 's/^ExecStart=//p' "$1"; }
fsum() { sha256sum "$1" | cut -d' ' -f1; }
PKG=$VM_OUT/package
PROM_DIR=/var/lib/prometheus/node-exporter

step "0. artefacts from the host"
if ! ls "$PKG"/dmctl_*_amd64.deb >/dev/null 2>&1 || [[ ! -x $PKG/dmctl ]]; then
    fail "artefacts" "no $PKG/dmctl and $PKG/dmctl_*_amd64.deb: run packaging/build and copy them (see the header)"
    exit 1
fi
pass "portable binary and package in \$VM_OUT/package"
# The suite's --bin copy would shadow /usr/bin/dmctl (PATH has /usr/local/bin first).
rm -f /usr/local/bin/dmctl
echo "guest glibc: $(ldd --version | head -n1)"

step "1. the portable binary on this guest"
assert_rc 0 "$PKG/dmctl" --version
assert_contains "$LAST_OUT" "dmctl "
# No pool yet: status refuses (exit 3) and says how to make one.
assert_rc 3 "$PKG/dmctl" status
assert_contains "$LAST_ERR" "dmctl setup DEVICE"
assert_rc 3 "$PKG/dmctl" status --format prometheus
assert_eq "" "$LAST_OUT" "status --format prometheus without a pool: nothing on stdout"

step "2. apt-get install ./dmctl_*.deb, offline"
# The image is built without man pages and docs (dpkg path-exclude); a real
# host has them, so drop that filter before installing.
rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap
deb=$(ls "$PKG"/dmctl_*_amd64.deb)
cp "$deb" /tmp/ # readable by apt's _apt sandbox user
deb=/tmp/$(basename "$deb")
# The guest has no network and no package lists: this works only because
# every Depends (and the Recommends) is already installed. (--no-download
# breaks local files: "Pathname to install is not absolute".)
assert_rc 0 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb"
echo "$LAST_OUT" | tail -n 8
assert_contains "$LAST_OUT" "0 upgraded, 1 newly installed, 0 to remove" "apt installs dmctl alone"
assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' dmctl)" "dpkg: dmctl installed"
assert_eq "/usr/bin/dmctl" "$(command -v dmctl)" "dmctl on PATH is the package's"
assert_eq "$(sha256sum <"$PKG/dmctl")" "$(sha256sum </usr/bin/dmctl)" "package holds the portable binary"

step "3. man pages, completions, units"
for p in dmctl dmctl-setup dmctl-status dmctl-activate; do
    f=/usr/share/man/man1/$p.1.gz
    assert_contains "$(zcat "$f" 2>&1 | head -n 5)" ".TH $p" "man page $p.1.gz"
done
assert_eq 15 "$(dpkg -L dmctl | grep -c '^/usr/share/man/man1/dmctl.*\.1\.gz$')" "15 man pages listed by dpkg"
assert_contains "$(bash -c '. /usr/share/bash-completion/completions/dmctl && complete -p dmctl')" "dmctl" "bash completion loads"
assert_rc 0 test -s /usr/share/zsh/vendor-completions/_dmctl
assert_rc 0 test -s /usr/share/fish/vendor_completions.d/dmctl.fish
for u in dmctl-activate.service dmctl-metrics.service dmctl-metrics.timer; do
    assert_rc 0 test -f /lib/systemd/system/$u
done

step "4. metrics service command before any pool"
mkdir -p "$PROM_DIR"
metrics=$(unit_exec /lib/systemd/system/dmctl-metrics.service)
assert_eq "/usr/libexec/dmctl/dmctl-textfile $PROM_DIR" "$metrics" "metrics ExecStart"
read -r -a metrics_argv <<<"$metrics"
assert_rc 3 "${metrics_argv[@]}"
assert_eq "dmctl_status_success 0" "$(grep -v '^#' $PROM_DIR/dmctl.prom)" "no pool: only dmctl_status_success 0"

step "5. dmctl setup from the installed binary"
mkdir -p /etc/dmctl
printf '# admin config, must survive the package\nvg = "docker"\npool = "thinpool"\n' >/etc/dmctl/dmctl.toml
assert_rc 0 dmctl setup /dev/vdb --install-unit
echo "$LAST_ERR" | tail -n 12
assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "pool monitored"
assert_contains "$(cat /etc/systemd/system/dmctl-activate.service)" \
    "ExecStart=/usr/bin/dmctl activate --vg docker --pool thinpool" "setup's boot unit runs /usr/bin/dmctl"
assert_rc 0 dmctl status
echo "$LAST_OUT"

step "6. metrics service command with the pool"
assert_rc 0 "${metrics_argv[@]}"
prom=$(cat $PROM_DIR/dmctl.prom)
echo "$prom" | grep -v '^#'
assert_contains "$prom" 'dmctl_thinpool_active{vg="docker",pool="thinpool"} 1'
assert_contains "$prom" 'dmctl_thinpool_monitored{vg="docker",pool="thinpool"} 1'
assert_contains "$prom" "dmctl_status_success 1"
assert_eq 644 "$(stat -c %a $PROM_DIR/dmctl.prom)" "dmctl.prom world-readable"
assert_eq "dmctl.prom" "$(ls -A $PROM_DIR)" "no temporary file left"
# Every sample line is NAME{LABELS} VALUE or NAME VALUE (textfile format).
assert_eq "" "$(grep -v '^#' $PROM_DIR/dmctl.prom | grep -vE '^[a-z_]+(\{[^}]*\})? [0-9]+$' || true)" "sample lines well-formed"

step "7. the shipped boot unit's command activates the pool (config file)"
assert_rc 0 vgchange -an docker
assert_eq "" "$(lvs --noheadings -o lv_active docker/thinpool | tr -d ' ')" "pool inactive"
activate=$(unit_exec /lib/systemd/system/dmctl-activate.service)
assert_eq "/usr/bin/dmctl activate" "$activate" "shipped unit's ExecStart is generic"
read -r -a activate_argv <<<"$activate"
assert_rc 0 "${activate_argv[@]}"
assert_eq "active" "$(lvs --noheadings -o lv_active docker/thinpool | tr -d ' ')" "pool active again"
assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "pool monitored again"

step "8. apt-get remove, dpkg --purge: the pool and configs stay"
declare -A before
keep=(/etc/docker/daemon.json /etc/lvm/profile/docker-thinpool.profile /etc/dmctl/dmctl.toml
    /etc/systemd/system/dmctl-activate.service "$PROM_DIR/dmctl.prom")
for f in "${keep[@]}"; do before[$f]=$(fsum "$f"); done
lvs_before=$(lvs --noheadings -o lv_name,lv_attr,lv_size,seg_monitor docker)
assert_rc 0 env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q dmctl
assert_rc 1 test -e /usr/bin/dmctl
# No conffiles and no maintainer scripts: remove leaves nothing of the
# package behind (no "config-files" state), so apt-get purge has nothing to
# find; dpkg --purge still runs, as a purge would.
assert_rc 1 dpkg -s dmctl
assert_rc 0 dpkg --purge dmctl
for f in "${keep[@]}"; do
    assert_eq "${before[$f]}" "$(fsum "$f" 2>/dev/null || echo missing)" "$f untouched"
done
assert_eq "$lvs_before" "$(lvs --noheadings -o lv_name,lv_attr,lv_size,seg_monitor docker)" "pool untouched (lvs)"
assert_rc 1 test -e /lib/systemd/system/dmctl-metrics.timer

step "9. the portable binary reads the pool"
assert_rc 0 "$PKG/dmctl" status --format json
assert_contains "$LAST_OUT" '"active": true'
run "$PKG/dmctl" doctor
echo "$LAST_OUT" | tail -n 5
case $LAST_RC in
0 | 5) pass "portable dmctl doctor: status $LAST_RC (ok or warnings)" ;;
*) fail "portable dmctl doctor" "status $LAST_RC" ;;
esac
summary
