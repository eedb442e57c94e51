#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dmctl developers. Apache-2.0 (see the dmctl package's copyright).
"""Ansible module: dmctl setup, check mode and diff native."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dmctl_setup
short_description: Set up an LVM thin pool for container storage with dmctl
description:
  - Runs C(dmctl setup DEVICE --format json) on the host, which turns a blank
    disk into a monitored LVM thin pool and wires it to its target (Docker's
    devicemapper driver, containerd's devmapper snapshotter, or overlay2 on a
    thin LV). dmctl is idempotent (a second run changes nothing).
  - In check mode it runs C(dmctl setup --dry-run), which changes nothing and
    says what a real run would change.
  - With C(--diff) it returns the content of every file dmctl would write
    (or wrote), before and after (C(daemon.json), containerd's config,
    fstab, the LVM profile, the boot unit), from dmctl's own JSON.
  - Needs dmctl 0.1 or later on the host (the Debian package or the
    portable binary).
version_added: "0.1.0"
options:
  device:
    description:
      - The whole, blank disk for the pool. Prefer a stable path
        (C(/dev/disk/by-id/...)).
    type: path
    required: true
  target:
    description:
      - What the pool is for (C(dmctl setup --target)). Omitted, dmctl
        chooses (C(docker-devicemapper), which it refuses on Docker 25 or
        later; the role C(dmctl) picks C(docker-overlay2) there).
    type: str
    choices: [docker-devicemapper, containerd-devmapper, docker-overlay2]
  extra_args:
    description:
      - More arguments for C(dmctl setup), e.g. C([--vg, docker, --install-unit]).
    type: list
    elements: str
    default: []
  executable:
    description:
      - The dmctl binary, by path or by name on the host's PATH.
    type: str
    default: dmctl
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - dmctl developers
"""

EXAMPLES = r"""
- name: Thin pool for Docker on the second disk
  dmctl.storage.dmctl_setup:
    device: /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0
    target: docker-overlay2
    extra_args: [--install-unit]
  register: pool
  notify: Restart Docker
"""

RETURN = r"""
target:
  description: The target dmctl set up (or would set up, in check mode).
  type: str
  returned: success
  sample: docker-devicemapper
steps:
  description: dmctl's plan, each step with C(name), C(action) (C(done),
    C(already), C(skipped) in check mode), C(command) and C(path).
  type: list
  elements: dict
  returned: success
pool:
  description: The settings dmctl used (vg, pool, device, thinpooldev, ...).
  type: dict
  returned: success
warnings_dmctl:
  description: dmctl's warnings (also given to Ansible as warnings).
  type: list
  elements: str
  returned: success
cmd:
  description: The command run.
  type: list
  elements: str
  returned: always
"""

import json

from ansible.module_utils.basic import AnsibleModule

# dmctl's exit statuses (docs/JSON.md): what they mean for the admin.
EXIT_MEANING = {
    1: "failed (command or I/O error)",
    2: "bad usage",
    3: "refused (unsafe disk or unexpected state: nothing was changed)",
    4: "busy (another dmctl run holds the lock)",
}


def file_diffs(steps):
    """Ansible diff dicts of the steps that write or remove a file."""
    out = []
    for s in steps:
        d = s.get("diff")
        if not d:
            continue
        path = s.get("path") or s.get("name")
        out.append(
            {
                "before": d.get("before") or "",
                "after": d.get("after") or "",
                "before_header": path if d.get("before") is not None else "%s (absent)" % path,
                "after_header": path if d.get("after") is not None else "%s (removed)" % path,
            }
        )
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type="path", required=True),
            target=dict(
                type="str",
                choices=["docker-devicemapper", "containerd-devmapper", "docker-overlay2"],
            ),
            extra_args=dict(type="list", elements="str", default=[]),
            executable=dict(type="str", default="dmctl"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    exe = p["executable"]
    if "/" not in exe:
        exe = module.get_bin_path(exe, required=True)
    cmd = [exe, "setup", p["device"], "--format", "json"]
    if p["target"]:
        cmd += ["--target", p["target"]]
    if module.check_mode:
        cmd.append("--dry-run")
    cmd += p["extra_args"]

    rc, out, err = module.run_command(cmd, environ_update={"LC_ALL": "C"})
    if rc != 0:
        lines = [l for l in err.splitlines() if l.strip()]
        why = lines[-1] if lines else "no message"
        module.fail_json(
            msg="dmctl setup %s: %s" % (EXIT_MEANING.get(rc, "exit status %d" % rc), why),
            rc=rc,
            cmd=cmd,
            stdout=out,
            stderr=err,
        )
    try:
        report = json.loads(out)
    except ValueError as e:
        module.fail_json(msg="dmctl setup printed no JSON: %s" % e, cmd=cmd, stdout=out, stderr=err)

    warnings = report.get("warnings") or []
    for w in warnings:
        module.warn("dmctl: %s" % w)
    result = dict(
        changed=bool(report.get("changed")),
        target=report.get("target"),
        steps=report.get("steps") or [],
        pool=report.get("pool"),
        warnings_dmctl=warnings,
        cmd=cmd,
    )
    if module._diff:
        result["diff"] = file_diffs(result["steps"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
