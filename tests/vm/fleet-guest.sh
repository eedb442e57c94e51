#!/bin/bash
# One host of the Ansible fleet (tests/vm/fleet boots two of these at once):
# a freshly provisioned Debian host that Ansible reaches over SSH. Run by
#   tests/vm/run --init systemd --ssh-port PORT --env VM_SSH_KEY="ssh-ed25519 AAAA..." \
#       --disk 2G tests/vm/fleet-guest.sh
# It brings the network card up (QEMU user networking: 10.0.2.15/24), puts
# VM_SSH_KEY into root's authorized_keys, makes sure sshd runs, prepares the
# host as one that has Docker installed but never started (docker stopped,
# empty data root; an admin's daemon.json with one setting of its own), then
# writes $VM_OUT/ready and waits until the host creates $VM_OUT/stop (or
# FLEET_GUEST_MAX seconds pass, default 840). Prints "N passed, N failed" of
# its own preparation.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

: "${VM_SSH_KEY:?tests/vm/fleet passes the public key as --env VM_SSH_KEY=...}"
max=${FLEET_GUEST_MAX:-840}

step() { printf '\n## %s (t=%ss)\n' "$*" "$SECONDS"; }
step "network (QEMU user networking, host port ${VM_SSH_PORT:-?} -> 22)"
# The card is the one with a device behind it (not lo, not docker0 and such).
nic=$(for d in /sys/class/net/*/device; do if [[ -e $d ]]; then basename "$(dirname "$d")"; fi; done | head -n1)
assert_eq 1 "$([[ -n $nic ]] && echo 1 || echo 0)" "a network card ($nic)"
ip link set "$nic" up
ip addr add 10.0.2.15/24 dev "$nic"
ip route add default via 10.0.2.2 dev "$nic"
hostname "dmctl-fleet-${VM_SUITE:-guest}"

step "root's authorized key and sshd"
install -d -m 0700 /root/.ssh
printf '%s\n' "$VM_SSH_KEY" >/root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
if [[ ${VM_INIT:-} == systemd ]]; then
    assert_rc 0 systemctl restart ssh.service
    assert_eq active "$(systemctl is-active ssh.service || true)" "ssh.service active"
else
    mkdir -p /run/sshd
    assert_rc 0 /usr/sbin/sshd
fi
assert_rc 0 wait_for 30 sh -c 'ss -Hltn "sport = :22" | grep -q .'

step "a fresh host: Docker installed, not started yet; the admin's daemon.json"
if [[ ${VM_INIT:-} == systemd ]]; then
    systemctl stop docker.socket docker.service
fi
rm -rf /var/lib/docker
mkdir -p /etc/docker
printf '{\n  "log-level": "warn"\n}\n' >/etc/docker/daemon.json
# A real host has man pages and docs; the image's dpkg filter drops them.
rm -f /etc/dpkg/dpkg.cfg.d/99mmdebstrap
echo "dockerd: $(dockerd --version)"
# tests/vm/run's --bin copy would shadow the package's /usr/bin/dmctl on PATH.
rm -f /usr/local/bin/dmctl

rm -f "$VM_OUT/stop"
touch "$VM_OUT/ready"
step "ready: waiting for $VM_OUT/stop (at most ${max}s)"
end=$((SECONDS + max))
while [[ ! -e $VM_OUT/stop ]] && ((SECONDS < end)); do sleep 1; done
if [[ -e $VM_OUT/stop ]]; then
    pass "told to stop by the host"
else
    fail "told to stop by the host" "no $VM_OUT/stop after ${max}s"
fi
summary
