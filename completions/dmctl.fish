# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dmctl_global_optspecs
    string join \n config= dry-run format= q/quiet v/verbose lock-timeout= h/help V/version
end

function __fish_dmctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dmctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dmctl_using_subcommand
    set -l cmd (__fish_dmctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dmctl -n "__fish_dmctl_needs_command" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_needs_command" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_needs_command" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_needs_command" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_needs_command" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_needs_command" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_needs_command" -s V -l version -d 'Print version'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "setup" -d 'Take a blank disk to a monitored thin pool and daemon.json'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "pvcreate" -d 'Step 1: initialise DEVICE as an LVM physical volume'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "vgcreate" -d 'Step 2: create the volume group on DEVICE'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "lvcreate" -d 'Step 3: create the data and metadata LVs'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "lvconvert" -d 'Step 4: convert the two LVs into a thin pool'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "profile" -d 'Step 5: write the autoextend profile, attach it, monitor the pool'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "daemon-json" -d 'Step 6: write or check /etc/docker/daemon.json'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "containerd" -d 'Step 6 (containerd): devmapper snapshotter in config.toml'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "data-lv" -d 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "activate" -d 'Activate the pool and its thin LVs (at boot), mount the data root'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "status" -d 'Show the pool\'s usage, mode, monitoring and autoextend headroom'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "doctor" -d 'Check pool, LVM, kernel and Docker setup; print each fix'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "extend" -d 'Grow the pool\'s data or metadata, or add a disk to its VG'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "teardown" -d 'Remove the pool, its VG and PV labels, daemon.json entries, profile'
complete -c dmctl -n "__fish_dmctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l data-percent -d 'Pool data size in percent of the VG [default: 95]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l metadata-percent -d 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l metadata-size -d 'Metadata size, e.g. 1G (2MiB..15.8GiB)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l chunk-size -d 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l autoextend-threshold -d 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l autoextend-percent -d 'Grow by PCT of the pool\'s size each time [default: 20]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l profile-dir -d 'Directory of LVM profiles [default: /etc/lvm/profile]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l target -d 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]' -r -f -a "docker-devicemapper\t'Docker\'s devicemapper driver (Docker < 25)'
containerd-devmapper\t'containerd\'s devmapper snapshotter'
docker-overlay2\t'overlay2 on xfs in a thin LV of the pool'"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l daemon-json -d 'Docker\'s daemon.json [default: /etc/docker/daemon.json]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l basesize -d 'dm.basesize for daemon.json, e.g. 20G (only when given)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l fs -d 'dm.fs for daemon.json, fs_type for containerd (only when given)' -r -f -a "ext4\t''
xfs\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l containerd-config -d 'containerd\'s config [default: /etc/containerd/config.toml]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l root-path -d 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l base-image-size -d 'containerd devmapper base_image_size [default: 10GB]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l async-remove -d 'containerd devmapper async_remove (only when given)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l discard-blocks -d 'containerd devmapper discard_blocks (only when given)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l fs-options -d 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l cri-snapshotter -d 'Make devmapper the CRI plugin\'s snapshotter too (teardown restores the one before)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l lv-name -d 'docker-overlay2: name of the thin LV [default: docker-data]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l lv-size -d 'docker-overlay2: virtual size of the thin LV [default: 10G]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l data-root -d 'docker-overlay2: where it is mounted [default: /var/lib/docker]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l overlay2-size -d 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l force -d 'Wipe old filesystem signatures (never overrides mounted, held, in another VG, partitioned or read-only)'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l install-unit -d 'Also install and enable /etc/systemd/system/dmctl-activate.service, which activates the pool at boot before docker and containerd'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l force -d 'Wipe old filesystem signatures (see `dmctl setup --help`)'
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand pvcreate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l force -d 'Wipe old filesystem signatures (see `dmctl setup --help`)'
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand vgcreate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l data-percent -d 'Pool data size in percent of the VG [default: 95]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l metadata-percent -d 'Metadata size in percent of the VG, clamped to 2MiB..15.8GiB [default: 1]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l metadata-size -d 'Metadata size, e.g. 1G (2MiB..15.8GiB)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvcreate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l chunk-size -d 'Pool chunk size, 64K..1G, a multiple of 64K [default: 512K]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand lvconvert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l autoextend-threshold -d 'Autoextend when data or metadata use reaches PCT (50..100; 100 = never) [default: 80]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l autoextend-percent -d 'Grow by PCT of the pool\'s size each time [default: 20]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l profile-dir -d 'Directory of LVM profiles [default: /etc/lvm/profile]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand profile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l check -d 'Only validate FILE (default: the daemon.json path); write nothing' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l target -d 'What the pool is for [default: docker-devicemapper, unless dockerd >= 25 is installed]' -r -f -a "docker-devicemapper\t'Docker\'s devicemapper driver (Docker < 25)'
containerd-devmapper\t'containerd\'s devmapper snapshotter'
docker-overlay2\t'overlay2 on xfs in a thin LV of the pool'"
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l daemon-json -d 'Docker\'s daemon.json [default: /etc/docker/daemon.json]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l basesize -d 'dm.basesize for daemon.json, e.g. 20G (only when given)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l fs -d 'dm.fs for daemon.json, fs_type for containerd (only when given)' -r -f -a "ext4\t''
xfs\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l data-root -d 'docker-overlay2: where it is mounted [default: /var/lib/docker]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l overlay2-size -d 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand daemon-json" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l containerd-config -d 'containerd\'s config [default: /etc/containerd/config.toml]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l root-path -d 'containerd devmapper root_path [default: /var/lib/containerd/io.containerd.snapshotter.v1.devmapper]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l base-image-size -d 'containerd devmapper base_image_size [default: 10GB]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l async-remove -d 'containerd devmapper async_remove (only when given)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l discard-blocks -d 'containerd devmapper discard_blocks (only when given)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l fs-options -d 'containerd devmapper fs_options, e.g. "-m crc=1" (only when given)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l cri-snapshotter -d 'Make devmapper the CRI plugin\'s snapshotter too (teardown restores the one before)' -r -f -a "true\t''
false\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l fs -d 'dm.fs for daemon.json, fs_type for containerd (only when given)' -r -f -a "ext4\t''
xfs\t''"
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand containerd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l lv-name -d 'docker-overlay2: name of the thin LV [default: docker-data]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l lv-size -d 'docker-overlay2: virtual size of the thin LV [default: 10G]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l data-root -d 'docker-overlay2: where it is mounted [default: /var/lib/docker]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l overlay2-size -d 'docker-overlay2: overlay2.size per container, e.g. 10G (only when given; needs the pquota mount dmctl makes)' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand data-lv" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l wait -d 'Seconds to wait for the pool\'s /dev/mapper node' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l vg -d 'Volume group name [default: docker]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l pool -d 'Thin pool LV name [default: thinpool]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l lv-name -d 'docker-overlay2: name of the thin LV [default: docker-data]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l data-root -d 'docker-overlay2: where it is mounted [default: /var/lib/docker]' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand activate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -l pool -d 'The thin pool as VG/LV [default: found by itself]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l pool -d 'The thin pool as VG/LV [default: found by itself]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l from -d 'Judge pasted output instead of this host: a file, a directory or - (docker info, dmsetup status/table, lvs, lvm fullreport, daemon.json, config.toml, the LVM profile; recognised by content)' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l collect -d 'Write the tool outputs and files doctor reads into DIR, for a ticket' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l pool -d 'The thin pool as VG/LV [default: found by itself]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l data -d 'Grow data by SIZE (+10G) or to SIZE (50G); never shrinks' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l data-percent -d 'Grow data by PCT percent of its current size' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l metadata -d 'Grow metadata by SIZE (+256M) or to SIZE (1G); never shrinks' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l add-device -d 'Add this blank disk to the pool\'s VG (same checks as setup)' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l grow -d 'With --add-device: grow data by all of the new disk\'s space'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l force -d 'Wipe old filesystem signatures on --add-device (see setup)'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand extend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l pool -d 'The thin pool as VG/LV [default: found by itself]' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l config -d 'Config file (TOML); flags win over its keys' -r -F
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l format -d 'Output format on stdout' -r -f -a "human\t''
json\t''
prometheus\t'node_exporter textfile format (`dmctl status` only)'"
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l lock-timeout -d 'Seconds to wait for another dmctl run to finish' -r
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l force -d 'Also remove the pool\'s thin volumes; go on while dockerd runs'
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -l dry-run -d 'Show what would run and be written; change nothing'
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -s q -l quiet -d 'Print only errors'
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -s v -l verbose -d 'Echo every external command'
complete -c dmctl -n "__fish_dmctl_using_subcommand teardown" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "setup" -d 'Take a blank disk to a monitored thin pool and daemon.json'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "pvcreate" -d 'Step 1: initialise DEVICE as an LVM physical volume'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "vgcreate" -d 'Step 2: create the volume group on DEVICE'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "lvcreate" -d 'Step 3: create the data and metadata LVs'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "lvconvert" -d 'Step 4: convert the two LVs into a thin pool'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "profile" -d 'Step 5: write the autoextend profile, attach it, monitor the pool'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "daemon-json" -d 'Step 6: write or check /etc/docker/daemon.json'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "containerd" -d 'Step 6 (containerd): devmapper snapshotter in config.toml'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "data-lv" -d 'Step 6 (overlay2): thin LV, xfs, fstab, mount at the data root'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "activate" -d 'Activate the pool and its thin LVs (at boot), mount the data root'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "status" -d 'Show the pool\'s usage, mode, monitoring and autoextend headroom'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "doctor" -d 'Check pool, LVM, kernel and Docker setup; print each fix'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "extend" -d 'Grow the pool\'s data or metadata, or add a disk to its VG'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "teardown" -d 'Remove the pool, its VG and PV labels, daemon.json entries, profile'
complete -c dmctl -n "__fish_dmctl_using_subcommand help; and not __fish_seen_subcommand_from setup pvcreate vgcreate lvcreate lvconvert profile daemon-json containerd data-lv activate status doctor extend teardown help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
