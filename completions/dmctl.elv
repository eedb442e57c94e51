
use builtin;
use str;

set edit:completion:arg-completer[dmctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dmctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dmctl'= {
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand setup 'Take a blank disk to a monitored thin pool and daemon.json'
            cand pvcreate 'Step 1: initialise DEVICE as an LVM physical volume'
            cand vgcreate 'Step 2: create the volume group on DEVICE'
            cand lvcreate 'Step 3: create the data and metadata LVs'
            cand lvconvert 'Step 4: convert the two LVs into a thin pool'
            cand profile 'Step 5: write the autoextend profile, attach it, monitor the pool'
            cand daemon-json 'Step 6: write or check /etc/docker/daemon.json'
            cand containerd 'Step 6 (containerd): devmapper snapshotter in config.toml'
            cand data-lv 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root'
            cand activate 'Activate the pool and its thin LVs (at boot), mount the data root'
            cand status 'Show the pool''s usage, mode, monitoring and autoextend headroom'
            cand doctor 'Check pool, LVM, kernel and Docker setup; print each fix'
            cand extend 'Grow the pool''s data or metadata, or add a disk to its VG'
            cand teardown 'Remove the pool, its VG and PV labels, daemon.json entries, profile'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dmctl;setup'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --data-percent 'Pool data size in percent of the VG [default: 95]'
            cand --metadata-percent 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]'
            cand --metadata-size 'Metadata size, e.g. 1G (2MiB..15.8GiB)'
            cand --chunk-size 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]'
            cand --autoextend-threshold 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]'
            cand --autoextend-percent 'Grow by PCT of the pool''s size each time [default: 20]'
            cand --profile-dir 'Directory of LVM profiles [default: /etc/lvm/profile]'
            cand --target 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]'
            cand --daemon-json 'Docker''s daemon.json [default: /etc/docker/daemon.json]'
            cand --basesize 'dm.basesize for daemon.json, e.g. 20G (only when given)'
            cand --fs 'dm.fs for daemon.json, fs_type for containerd (only when given)'
            cand --containerd-config 'containerd''s config [default: /etc/containerd/config.toml]'
            cand --root-path 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]'
            cand --base-image-size 'containerd devmapper base_image_size [default: 10GB]'
            cand --async-remove 'containerd devmapper async_remove (only when given)'
            cand --discard-blocks 'containerd devmapper discard_blocks (only when given)'
            cand --fs-options 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)'
            cand --cri-snapshotter 'Make devmapper the CRI plugin''s snapshotter too (teardown restores the one before)'
            cand --lv-name 'docker-overlay2: name of the thin LV [default: docker-data]'
            cand --lv-size 'docker-overlay2: virtual size of the thin LV [default: 10G]'
            cand --data-root 'docker-overlay2: where it is mounted [default: /var/lib/docker]'
            cand --overlay2-size 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --force 'Wipe old filesystem signatures (never overrides mounted, held, in another VG, partitioned or read-only)'
            cand --install-unit 'Also install and enable /etc/systemd/system/dmctl-activate.service, which activates the pool at boot before docker and containerd'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;pvcreate'= {
            cand --vg 'Volume group name [default: docker]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --force 'Wipe old filesystem signatures (see `dmctl setup --help`)'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;vgcreate'= {
            cand --vg 'Volume group name [default: docker]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --force 'Wipe old filesystem signatures (see `dmctl setup --help`)'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;lvcreate'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --data-percent 'Pool data size in percent of the VG [default: 95]'
            cand --metadata-percent 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]'
            cand --metadata-size 'Metadata size, e.g. 1G (2MiB..15.8GiB)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;lvconvert'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --chunk-size 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;profile'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --autoextend-threshold 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]'
            cand --autoextend-percent 'Grow by PCT of the pool''s size each time [default: 20]'
            cand --profile-dir 'Directory of LVM profiles [default: /etc/lvm/profile]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;daemon-json'= {
            cand --check 'Only validate FILE (default: the daemon.json path); write nothing'
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --target 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]'
            cand --daemon-json 'Docker''s daemon.json [default: /etc/docker/daemon.json]'
            cand --basesize 'dm.basesize for daemon.json, e.g. 20G (only when given)'
            cand --fs 'dm.fs for daemon.json, fs_type for containerd (only when given)'
            cand --data-root 'docker-overlay2: where it is mounted [default: /var/lib/docker]'
            cand --overlay2-size 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;containerd'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --containerd-config 'containerd''s config [default: /etc/containerd/config.toml]'
            cand --root-path 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]'
            cand --base-image-size 'containerd devmapper base_image_size [default: 10GB]'
            cand --async-remove 'containerd devmapper async_remove (only when given)'
            cand --discard-blocks 'containerd devmapper discard_blocks (only when given)'
            cand --fs-options 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)'
            cand --cri-snapshotter 'Make devmapper the CRI plugin''s snapshotter too (teardown restores the one before)'
            cand --fs 'dm.fs for daemon.json, fs_type for containerd (only when given)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;data-lv'= {
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --lv-name 'docker-overlay2: name of the thin LV [default: docker-data]'
            cand --lv-size 'docker-overlay2: virtual size of the thin LV [default: 10G]'
            cand --data-root 'docker-overlay2: where it is mounted [default: /var/lib/docker]'
            cand --overlay2-size 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;activate'= {
            cand --wait 'Seconds to wait for the pool''s /dev/mapper node'
            cand --vg 'Volume group name [default: docker]'
            cand --pool 'Thin pool LV name [default: thinpool]'
            cand --lv-name 'docker-overlay2: name of the thin LV [default: docker-data]'
            cand --data-root 'docker-overlay2: where it is mounted [default: /var/lib/docker]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;status'= {
            cand --pool 'The thin pool as VG/LV [default: found by itself]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;doctor'= {
            cand --pool 'The thin pool as VG/LV [default: found by itself]'
            cand --from 'Judge pasted output instead of this host: a file, a directory or - (docker info, dmsetup status/table, lvs, lvm fullreport, daemon.json, config.toml, the LVM profile; recognised by content)'
            cand --collect 'Write the tool outputs and files doctor reads into DIR, for a ticket'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;extend'= {
            cand --pool 'The thin pool as VG/LV [default: found by itself]'
            cand --data 'Grow data by SIZE (+10G) or to SIZE (50G); never shrinks'
            cand --data-percent 'Grow data by PCT percent of its current size'
            cand --metadata 'Grow metadata by SIZE (+256M) or to SIZE (1G); never shrinks'
            cand --add-device 'Add this blank disk to the pool''s VG (same checks as setup)'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --grow 'With --add-device: grow data by all of the new disk''s space'
            cand --force 'Wipe old filesystem signatures on --add-device (see setup)'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;teardown'= {
            cand --pool 'The thin pool as VG/LV [default: found by itself]'
            cand --config 'Config file (TOML); flags win over its keys'
            cand --format 'Output format on stdout'
            cand --lock-timeout 'Seconds to wait for another dmctl run to finish'
            cand --force 'Also remove the pool''s thin volumes; go on while dockerd runs'
            cand --dry-run 'Show what would run and be written; change nothing'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Echo every external command'
            cand --verbose 'Echo every external command'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'dmctl;help'= {
            cand setup 'Take a blank disk to a monitored thin pool and daemon.json'
            cand pvcreate 'Step 1: initialise DEVICE as an LVM physical volume'
            cand vgcreate 'Step 2: create the volume group on DEVICE'
            cand lvcreate 'Step 3: create the data and metadata LVs'
            cand lvconvert 'Step 4: convert the two LVs into a thin pool'
            cand profile 'Step 5: write the autoextend profile, attach it, monitor the pool'
            cand daemon-json 'Step 6: write or check /etc/docker/daemon.json'
            cand containerd 'Step 6 (containerd): devmapper snapshotter in config.toml'
            cand data-lv 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root'
            cand activate 'Activate the pool and its thin LVs (at boot), mount the data root'
            cand status 'Show the pool''s usage, mode, monitoring and autoextend headroom'
            cand doctor 'Check pool, LVM, kernel and Docker setup; print each fix'
            cand extend 'Grow the pool''s data or metadata, or add a disk to its VG'
            cand teardown 'Remove the pool, its VG and PV labels, daemon.json entries, profile'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dmctl;help;setup'= {
        }
        &'dmctl;help;pvcreate'= {
        }
        &'dmctl;help;vgcreate'= {
        }
        &'dmctl;help;lvcreate'= {
        }
        &'dmctl;help;lvconvert'= {
        }
        &'dmctl;help;profile'= {
        }
        &'dmctl;help;daemon-json'= {
        }
        &'dmctl;help;containerd'= {
        }
        &'dmctl;help;data-lv'= {
        }
        &'dmctl;help;activate'= {
        }
        &'dmctl;help;status'= {
        }
        &'dmctl;help;doctor'= {
        }
        &'dmctl;help;extend'= {
        }
        &'dmctl;help;teardown'= {
        }
        &'dmctl;help;help'= {
        }
    ]
    $completions[$command]
}
