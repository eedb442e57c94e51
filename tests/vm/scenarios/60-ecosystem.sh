#!/bin/bash
# vm-args: --disk 2G --timeout 1500
# vm-needs: package
# dmctl in its ecosystem, with the real tools of the guest (Debian 12):
#   A. cloud-init schema accepts examples/cloud-init/user-data.yaml (and
#      rejects a broken copy: the validator really validates)
#   B. the real cloud-init (NoCloud seed, `cloud-init init`) runs that
#      user-data: the dmctl package installed from DMCTL_DEB_URL (the .deb of
#      packaging/build, offline) and the pool set up on a
#      /dev/disk/by-id path; a second boot's run changes nothing; the log has
#      no progress noise. Also: no colour on a terminal, -q silent on one.
#   C. the real JSON of every subcommand with --format json, saved in
#      $VM_OUT/json/ (docs/JSON.md shows these)
#   D. examples/ansible/site.yml with the real ansible-playbook, connection
#      local: --check before dmctl is installed and --check on a blank disk
#      change nothing (checksum, pvs), the first run changes and restarts
#      Docker (handler), the second run and a --check after it: changed=0.
#
#   cargo build --release
#   tests/vm/run --disk 2G tests/vm/scenarios/60-ecosystem.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

EX=${VM_EXAMPLES:?tests/vm/run shares examples/ as VM_EXAMPLES}
DISK=/dev/disk/by-id/virtio-dmctl-vdb
B=/dev/vdb
REL=/tmp/dmctl-release # the release binary under test, as "downloaded"
JSON=$VM_OUT/json
mkdir -p "$JSON"
step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
vg_seqno() { vgs --noheadings -o vg_seqno docker 2>/dev/null | tr -d ' '; }
fresh_host() { # no pool, no daemon.json, no profile, no dmctl installed
    dmctl teardown --force >/dev/null 2>&1 || true
    reset_disk "$B"
    rm -f /etc/docker/daemon.json /etc/docker/daemon.json.* /etc/lvm/profile/docker-thinpool.profile*
}

install -m 0755 /usr/local/bin/dmctl "$REL"
modprobe dm_thin_pool
rm -f /etc/docker/daemon.json
assert_eq "$(readlink -f $DISK)" "$B" "the stable path $DISK is $B"

step "A. cloud-init schema"
assert_rc 0 cloud-init schema --config-file "$EX/cloud-init/user-data.yaml"
assert_contains "$LAST_OUT$LAST_ERR" "Valid cloud-config" "cloud-init schema: valid"
sed 's/^package_update: true/package_update: 5/' "$EX/cloud-init/user-data.yaml" >/tmp/broken.yaml
run cloud-init schema --config-file /tmp/broken.yaml
if ((LAST_RC != 0)); then pass "cloud-init schema rejects a broken copy (status $LAST_RC)"; else
    fail "cloud-init schema rejects a broken copy" "status 0: $LAST_OUT"; fi

step "B. the user-data run by the real cloud-init (NoCloud seed), first boot"
rm -f /usr/local/bin/dmctl
sum0=$(dev_sum $B)
mkdir -p /var/lib/cloud/seed/nocloud /etc/cloud/cloud.cfg.d
printf 'instance-id: iid-dmctl-eco\nlocal-hostname: dmctl-vm\n' >/var/lib/cloud/seed/nocloud/meta-data
cp "$EX/cloud-init/user-data.yaml" /var/lib/cloud/seed/nocloud/user-data
echo 'datasource_list: [ NoCloud, None ]' >/etc/cloud/cloud.cfg.d/99-dmctl-vm.cfg
# The script's defaults are the production ones; the environment overrides
# them (the VM has no network and its disk's by-id name is virtio-dmctl-vdb).
DEB=$(ls "$VM_OUT"/package/dmctl_*.deb)
export DMCTL_DEB_URL=file://$DEB DMCTL_URL= DMCTL_SHA256 DMCTL_DEVICE=$DISK
DMCTL_SHA256=$(sha256sum <"$DEB" | cut -d" " -f1)
assert_rc 0 cloud-init init --local
assert_rc 0 cloud-init init
cp /var/log/cloud-init-output.log "$VM_OUT/cloud-init-output.1.log"
cp /var/log/cloud-init.log "$VM_OUT/cloud-init.1.log"
assert_contains "$(grep config-bootcmd /var/log/cloud-init.log)" "config-bootcmd ran successfully" "cloud-init: bootcmd ran successfully"
assert_eq "install ok installed" "$(dpkg-query -W -f '${Status}' dmctl 2>/dev/null)" "the dmctl package installed from DMCTL_DEB_URL (checksum verified)"
assert_eq "/usr/bin/dmctl" "$(command -v dmctl)" "dmctl is the package's /usr/bin/dmctl"
log1=$(cat /var/log/cloud-init-output.log)
assert_contains "$log1" "dmctl: installing the dmctl package from file://$DEB" "log: install line"
assert_contains "$log1" "dmctl: installed $(dpkg-query -W -f '${Version}' dmctl) (apt-get's output: /var/log/dmctl-install.log)" "log: installed version, apt's progress kept apart"
assert_contains "$log1" "dmctl setup: done (docker/thinpool -> /dev/mapper/docker-thinpool)" "log: setup done"
assert_eq "twi" "$(lvs --noheadings -o lv_attr docker/thinpool | tr -d ' ' | cut -c1-3)" "thin pool docker/thinpool exists"
assert_eq "monitored" "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" "pool monitored"
assert_contains "$(cat /etc/docker/daemon.json)" "dm.thinpooldev=/dev/mapper/docker-thinpool" "daemon.json written"
if grep -q $'\r' /var/log/cloud-init-output.log; then fail "log has no carriage returns" "found \\r"; else pass "log has no carriage returns"; fi
if grep -q $'\e' /var/log/cloud-init-output.log; then fail "log has no escape sequences" "found ESC"; else pass "log has no escape sequences"; fi
seq1=$(vg_seqno)

step "B. second boot: bootcmd runs again, nothing changes"
: >/var/log/cloud-init-output.log
assert_rc 0 cloud-init init
cp /var/log/cloud-init-output.log "$VM_OUT/cloud-init-output.2.log"
log2=$(cat /var/log/cloud-init-output.log)
assert_contains "$log2" "dmctl setup: already done, nothing changed" "second boot: changed=false"
assert_not_contains "$log2" "installing" "second boot: binary not downloaded again"
assert_eq "$seq1" "$(vg_seqno)" "second boot: VG metadata untouched (seqno $seq1)"
assert_rc 0 dmctl setup "$DISK" --format json
assert_eq "False" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["changed"])' <<<"$LAST_OUT")" "setup again: JSON changed=false"
printf '%s\n' "$LAST_OUT" >"$JSON/setup-unchanged.json"

step "B. on a terminal: no colour; -q silent"
# script(1) gives dmctl a pseudo-terminal; its stdout is what dmctl printed.
TERM=xterm script -qec "dmctl -v setup $DISK" /dev/null >/tmp/tty.log
if grep -qP '\e\[[0-9;]*m' /tmp/tty.log; then fail "no colour on a terminal" "$(grep -aP '\e\[[0-9;]*m' /tmp/tty.log | cat -v | head -3)"; else pass "no colour (SGR) on a terminal"; fi
assert_contains "$(cat /tmp/tty.log)" "already done" "terminal run printed its result"
TERM=xterm script -qec "dmctl -q setup $DISK" /dev/null >/tmp/tty-q.log
assert_eq "" "$(tr -d '\r\n' </tmp/tty-q.log)" "-q on a terminal prints nothing"

step "C. real JSON of every subcommand"
save() { # NAME CMD...: run, keep stdout as $JSON/NAME.json, check it parses
    local name=$1
    shift
    run "$@"
    printf '%s\n' "$LAST_OUT" >"$JSON/$name.json"
    if python3 -m json.tool "$JSON/$name.json" >/dev/null 2>&1; then
        pass "$name: valid JSON (status $LAST_RC)"
    else
        fail "$name: valid JSON" "status $LAST_RC: $LAST_OUT $LAST_ERR"
    fi
}
save status dmctl status --format json
save doctor dmctl doctor --format json
save extend dmctl extend --data +64M --format json
save daemon-json-check dmctl daemon-json --check --format json
save profile dmctl profile --format json
save teardown-dry-run dmctl teardown --dry-run --format json
save teardown dmctl teardown --format json
reset_disk $B
rm -f /etc/docker/daemon.json
save setup-dry-run dmctl setup $B --dry-run --format json
save setup dmctl setup $B --format json
save pvcreate dmctl pvcreate /dev/vdb --format json # already done: the step alone
fresh_host

step "D. Ansible: examples/ansible/site.yml with the real ansible-playbook"
# The role installs the portable binary here (dmctl_binary); its package
# path is proven over SSH on two releases by tests/vm/fleet.
dpkg --purge dmctl >/dev/null
rm -f /usr/local/bin/dmctl
cat >/tmp/inventory.ini <<EOF
[docker_hosts]
localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3 ansible_become=false
EOF
cat >/tmp/restart-docker <<'EOF'
#!/bin/sh
# The VM has no service manager: the handler's command records each restart.
echo restarted >>/tmp/docker-restarts
EOF
chmod +x /tmp/restart-docker
: >/tmp/docker-restarts
cat >/tmp/vars.yml <<EOF
dmctl_binary: $REL
docker_disk: $DISK
dmctl_docker_restart_command: /tmp/restart-docker
EOF
export LC_ALL=C.UTF-8 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
N=0
play() { # ansible-playbook ARGS...; output in $VM_OUT/ansible-N.log, recap in $RECAP
    N=$((N + 1))
    local t0=$SECONDS
    run ansible-playbook -i /tmp/inventory.ini -e @/tmp/vars.yml "$EX/ansible/site.yml" "$@"
    printf '%s\n%s\n' "$LAST_OUT" "$LAST_ERR" >"$VM_OUT/ansible-$N.log"
    RECAP=$(grep -E '^localhost +: ok=' <<<"$LAST_OUT" || true)
    echo "ansible-playbook $* -> status $LAST_RC in $((SECONDS - t0))s: $RECAP"
}
recap() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$RECAP"; }
nothing_changed() { # LABEL: blank disk, no VG, no daemon.json, no restart
    assert_eq "$sum0" "$(dev_sum $B)" "$1: disk checksum unchanged"
    assert_eq "" "$(pvs --noheadings 2>/dev/null | tr -d ' ')" "$1: pvs shows no PV"
    assert_eq "absent" "$([[ -e /etc/docker/daemon.json ]] && echo present || echo absent)" "$1: no daemon.json"
    assert_eq "0" "$(wc -l </tmp/docker-restarts)" "$1: Docker not restarted"
}
sum0=$(dev_sum $B)

play --check
assert_eq 0 "$LAST_RC" "check mode, dmctl not installed: status 0"
assert_eq 0 "$(recap failed)" "check mode, dmctl not installed: failed=0"
assert_eq 1 "$(recap changed)" "check mode, dmctl not installed: changed=1 (the binary copy)"
assert_contains "$LAST_OUT" "is not installed yet" "check mode says why the preview is skipped"
assert_eq "absent" "$([[ -e /usr/local/bin/dmctl ]] && echo present || echo absent)" "check mode: binary not installed"
nothing_changed "check mode, dmctl not installed"

play --tags dmctl_install
assert_eq 1 "$(recap changed)" "--tags dmctl_install: changed=1"
assert_eq "$(sha256sum <"$REL")" "$(sha256sum </usr/local/bin/dmctl)" "binary installed by the copy task"

play --check
assert_eq 0 "$LAST_RC" "check mode on a blank disk: status 0"
assert_eq 0 "$(recap failed)" "check mode on a blank disk: failed=0"
assert_eq 1 "$(recap changed)" "check mode on a blank disk: changed=1 (from dmctl --dry-run's JSON)"
nothing_changed "check mode on a blank disk"

play
assert_eq 0 "$LAST_RC" "first run: status 0"
assert_eq 0 "$(recap failed)" "first run: failed=0"
assert_eq 2 "$(recap changed)" "first run: changed=2 (setup + Docker restart handler)"
assert_eq 1 "$(wc -l </tmp/docker-restarts)" "first run: Docker restarted once"
assert_eq "docker" "$(pvs --noheadings -o vg_name $B | tr -d ' ')" "first run: $B is a PV of VG docker"
assert_eq "twi" "$(lvs --noheadings -o lv_attr docker/thinpool | tr -d ' ' | cut -c1-3)" "first run: thin pool exists"
assert_contains "$LAST_OUT" "docker/thinpool rw, data 0" "first run: status fact shown (dmctl_status)"
seq1=$(vg_seqno)

play
assert_eq 0 "$LAST_RC" "second run: status 0"
assert_eq 0 "$(recap changed)" "second run: changed=0"
assert_eq 0 "$(recap failed)" "second run: failed=0"
assert_eq 1 "$(wc -l </tmp/docker-restarts)" "second run: Docker not restarted"
assert_eq "$seq1" "$(vg_seqno)" "second run: VG metadata untouched"

play --check
assert_eq 0 "$(recap changed)" "check mode on the set-up host: changed=0"
assert_eq 0 "$(recap failed)" "check mode on the set-up host: failed=0"

summary
