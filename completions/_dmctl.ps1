
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'dmctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'dmctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'dmctl' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Take a blank disk to a monitored thin pool and daemon.json')
            [CompletionResult]::new('pvcreate', 'pvcreate', [CompletionResultType]::ParameterValue, 'Step 1: initialise DEVICE as an LVM physical volume')
            [CompletionResult]::new('vgcreate', 'vgcreate', [CompletionResultType]::ParameterValue, 'Step 2: create the volume group on DEVICE')
            [CompletionResult]::new('lvcreate', 'lvcreate', [CompletionResultType]::ParameterValue, 'Step 3: create the data and metadata LVs')
            [CompletionResult]::new('lvconvert', 'lvconvert', [CompletionResultType]::ParameterValue, 'Step 4: convert the two LVs into a thin pool')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Step 5: write the autoextend profile, attach it, monitor the pool')
            [CompletionResult]::new('daemon-json', 'daemon-json', [CompletionResultType]::ParameterValue, 'Step 6: write or check /etc/docker/daemon.json')
            [CompletionResult]::new('containerd', 'containerd', [CompletionResultType]::ParameterValue, 'Step 6 (containerd): devmapper snapshotter in config.toml')
            [CompletionResult]::new('data-lv', 'data-lv', [CompletionResultType]::ParameterValue, 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Activate the pool and its thin LVs (at boot), mount the data root')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the pool''s usage, mode, monitoring and autoextend headroom')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check pool, LVM, kernel and Docker setup; print each fix')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Grow the pool''s data or metadata, or add a disk to its VG')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Remove the pool, its VG and PV labels, daemon.json entries, profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dmctl;setup' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--data-percent', '--data-percent', [CompletionResultType]::ParameterName, 'Pool data size in percent of the VG [default: 95]')
            [CompletionResult]::new('--metadata-percent', '--metadata-percent', [CompletionResultType]::ParameterName, 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]')
            [CompletionResult]::new('--metadata-size', '--metadata-size', [CompletionResultType]::ParameterName, 'Metadata size, e.g. 1G (2MiB..15.8GiB)')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]')
            [CompletionResult]::new('--autoextend-threshold', '--autoextend-threshold', [CompletionResultType]::ParameterName, 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]')
            [CompletionResult]::new('--autoextend-percent', '--autoextend-percent', [CompletionResultType]::ParameterName, 'Grow by PCT of the pool''s size each time [default: 20]')
            [CompletionResult]::new('--profile-dir', '--profile-dir', [CompletionResultType]::ParameterName, 'Directory of LVM profiles [default: /etc/lvm/profile]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]')
            [CompletionResult]::new('--daemon-json', '--daemon-json', [CompletionResultType]::ParameterName, 'Docker''s daemon.json [default: /etc/docker/daemon.json]')
            [CompletionResult]::new('--basesize', '--basesize', [CompletionResultType]::ParameterName, 'dm.basesize for daemon.json, e.g. 20G (only when given)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'dm.fs for daemon.json, fs_type for containerd (only when given)')
            [CompletionResult]::new('--containerd-config', '--containerd-config', [CompletionResultType]::ParameterName, 'containerd''s config [default: /etc/containerd/config.toml]')
            [CompletionResult]::new('--root-path', '--root-path', [CompletionResultType]::ParameterName, 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]')
            [CompletionResult]::new('--base-image-size', '--base-image-size', [CompletionResultType]::ParameterName, 'containerd devmapper base_image_size [default: 10GB]')
            [CompletionResult]::new('--async-remove', '--async-remove', [CompletionResultType]::ParameterName, 'containerd devmapper async_remove (only when given)')
            [CompletionResult]::new('--discard-blocks', '--discard-blocks', [CompletionResultType]::ParameterName, 'containerd devmapper discard_blocks (only when given)')
            [CompletionResult]::new('--fs-options', '--fs-options', [CompletionResultType]::ParameterName, 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)')
            [CompletionResult]::new('--cri-snapshotter', '--cri-snapshotter', [CompletionResultType]::ParameterName, 'Make devmapper the CRI plugin''s snapshotter too (teardown restores the one before)')
            [CompletionResult]::new('--lv-name', '--lv-name', [CompletionResultType]::ParameterName, 'docker-overlay2: name of the thin LV [default: docker-data]')
            [CompletionResult]::new('--lv-size', '--lv-size', [CompletionResultType]::ParameterName, 'docker-overlay2: virtual size of the thin LV [default: 10G]')
            [CompletionResult]::new('--data-root', '--data-root', [CompletionResultType]::ParameterName, 'docker-overlay2: where it is mounted [default: /var/lib/docker]')
            [CompletionResult]::new('--overlay2-size', '--overlay2-size', [CompletionResultType]::ParameterName, 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Wipe old filesystem signatures (never overrides mounted, held, in another VG, partitioned or read-only)')
            [CompletionResult]::new('--install-unit', '--install-unit', [CompletionResultType]::ParameterName, 'Also install and enable /etc/systemd/system/dmctl-activate.service, which activates the pool at boot before docker and containerd')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;pvcreate' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Wipe old filesystem signatures (see `dmctl setup --help`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;vgcreate' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Wipe old filesystem signatures (see `dmctl setup --help`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;lvcreate' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--data-percent', '--data-percent', [CompletionResultType]::ParameterName, 'Pool data size in percent of the VG [default: 95]')
            [CompletionResult]::new('--metadata-percent', '--metadata-percent', [CompletionResultType]::ParameterName, 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]')
            [CompletionResult]::new('--metadata-size', '--metadata-size', [CompletionResultType]::ParameterName, 'Metadata size, e.g. 1G (2MiB..15.8GiB)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;lvconvert' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;profile' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--autoextend-threshold', '--autoextend-threshold', [CompletionResultType]::ParameterName, 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]')
            [CompletionResult]::new('--autoextend-percent', '--autoextend-percent', [CompletionResultType]::ParameterName, 'Grow by PCT of the pool''s size each time [default: 20]')
            [CompletionResult]::new('--profile-dir', '--profile-dir', [CompletionResultType]::ParameterName, 'Directory of LVM profiles [default: /etc/lvm/profile]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;daemon-json' {
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Only validate FILE (default: the daemon.json path); write nothing')
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]')
            [CompletionResult]::new('--daemon-json', '--daemon-json', [CompletionResultType]::ParameterName, 'Docker''s daemon.json [default: /etc/docker/daemon.json]')
            [CompletionResult]::new('--basesize', '--basesize', [CompletionResultType]::ParameterName, 'dm.basesize for daemon.json, e.g. 20G (only when given)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'dm.fs for daemon.json, fs_type for containerd (only when given)')
            [CompletionResult]::new('--data-root', '--data-root', [CompletionResultType]::ParameterName, 'docker-overlay2: where it is mounted [default: /var/lib/docker]')
            [CompletionResult]::new('--overlay2-size', '--overlay2-size', [CompletionResultType]::ParameterName, 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;containerd' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--containerd-config', '--containerd-config', [CompletionResultType]::ParameterName, 'containerd''s config [default: /etc/containerd/config.toml]')
            [CompletionResult]::new('--root-path', '--root-path', [CompletionResultType]::ParameterName, 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]')
            [CompletionResult]::new('--base-image-size', '--base-image-size', [CompletionResultType]::ParameterName, 'containerd devmapper base_image_size [default: 10GB]')
            [CompletionResult]::new('--async-remove', '--async-remove', [CompletionResultType]::ParameterName, 'containerd devmapper async_remove (only when given)')
            [CompletionResult]::new('--discard-blocks', '--discard-blocks', [CompletionResultType]::ParameterName, 'containerd devmapper discard_blocks (only when given)')
            [CompletionResult]::new('--fs-options', '--fs-options', [CompletionResultType]::ParameterName, 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)')
            [CompletionResult]::new('--cri-snapshotter', '--cri-snapshotter', [CompletionResultType]::ParameterName, 'Make devmapper the CRI plugin''s snapshotter too (teardown restores the one before)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'dm.fs for daemon.json, fs_type for containerd (only when given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;data-lv' {
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--lv-name', '--lv-name', [CompletionResultType]::ParameterName, 'docker-overlay2: name of the thin LV [default: docker-data]')
            [CompletionResult]::new('--lv-size', '--lv-size', [CompletionResultType]::ParameterName, 'docker-overlay2: virtual size of the thin LV [default: 10G]')
            [CompletionResult]::new('--data-root', '--data-root', [CompletionResultType]::ParameterName, 'docker-overlay2: where it is mounted [default: /var/lib/docker]')
            [CompletionResult]::new('--overlay2-size', '--overlay2-size', [CompletionResultType]::ParameterName, 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;activate' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Seconds to wait for the pool''s /dev/mapper node')
            [CompletionResult]::new('--vg', '--vg', [CompletionResultType]::ParameterName, 'Volume group name [default: docker]')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Thin pool LV name [default: thinpool]')
            [CompletionResult]::new('--lv-name', '--lv-name', [CompletionResultType]::ParameterName, 'docker-overlay2: name of the thin LV [default: docker-data]')
            [CompletionResult]::new('--data-root', '--data-root', [CompletionResultType]::ParameterName, 'docker-overlay2: where it is mounted [default: /var/lib/docker]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;status' {
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'The thin pool as VG/LV [default: found by itself]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;doctor' {
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'The thin pool as VG/LV [default: found by itself]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Judge pasted output instead of this host: a file, a directory or - (docker info, dmsetup status/table, lvs, lvm fullreport, daemon.json, config.toml, the LVM profile; recognised by content)')
            [CompletionResult]::new('--collect', '--collect', [CompletionResultType]::ParameterName, 'Write the tool outputs and files doctor reads into DIR, for a ticket')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;extend' {
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'The thin pool as VG/LV [default: found by itself]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Grow data by SIZE (+10G) or to SIZE (50G); never shrinks')
            [CompletionResult]::new('--data-percent', '--data-percent', [CompletionResultType]::ParameterName, 'Grow data by PCT percent of its current size')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'Grow metadata by SIZE (+256M) or to SIZE (1G); never shrinks')
            [CompletionResult]::new('--add-device', '--add-device', [CompletionResultType]::ParameterName, 'Add this blank disk to the pool''s VG (same checks as setup)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--grow', '--grow', [CompletionResultType]::ParameterName, 'With --add-device: grow data by all of the new disk''s space')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Wipe old filesystem signatures on --add-device (see setup)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;teardown' {
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'The thin pool as VG/LV [default: found by itself]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML); flags win over its keys')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another dmctl run to finish')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Also remove the pool''s thin volumes; go on while dockerd runs')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run and be written; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Echo every external command')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'dmctl;help' {
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Take a blank disk to a monitored thin pool and daemon.json')
            [CompletionResult]::new('pvcreate', 'pvcreate', [CompletionResultType]::ParameterValue, 'Step 1: initialise DEVICE as an LVM physical volume')
            [CompletionResult]::new('vgcreate', 'vgcreate', [CompletionResultType]::ParameterValue, 'Step 2: create the volume group on DEVICE')
            [CompletionResult]::new('lvcreate', 'lvcreate', [CompletionResultType]::ParameterValue, 'Step 3: create the data and metadata LVs')
            [CompletionResult]::new('lvconvert', 'lvconvert', [CompletionResultType]::ParameterValue, 'Step 4: convert the two LVs into a thin pool')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Step 5: write the autoextend profile, attach it, monitor the pool')
            [CompletionResult]::new('daemon-json', 'daemon-json', [CompletionResultType]::ParameterValue, 'Step 6: write or check /etc/docker/daemon.json')
            [CompletionResult]::new('containerd', 'containerd', [CompletionResultType]::ParameterValue, 'Step 6 (containerd): devmapper snapshotter in config.toml')
            [CompletionResult]::new('data-lv', 'data-lv', [CompletionResultType]::ParameterValue, 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Activate the pool and its thin LVs (at boot), mount the data root')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the pool''s usage, mode, monitoring and autoextend headroom')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check pool, LVM, kernel and Docker setup; print each fix')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Grow the pool''s data or metadata, or add a disk to its VG')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Remove the pool, its VG and PV labels, daemon.json entries, profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dmctl;help;setup' {
            break
        }
        'dmctl;help;pvcreate' {
            break
        }
        'dmctl;help;vgcreate' {
            break
        }
        'dmctl;help;lvcreate' {
            break
        }
        'dmctl;help;lvconvert' {
            break
        }
        'dmctl;help;profile' {
            break
        }
        'dmctl;help;daemon-json' {
            break
        }
        'dmctl;help;containerd' {
            break
        }
        'dmctl;help;data-lv' {
            break
        }
        'dmctl;help;activate' {
            break
        }
        'dmctl;help;status' {
            break
        }
        'dmctl;help;doctor' {
            break
        }
        'dmctl;help;extend' {
            break
        }
        'dmctl;help;teardown' {
            break
        }
        'dmctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
