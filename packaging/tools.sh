# Sourced by packaging/install-tools, packaging/build and tests/package: where
# the packaging tools live and which versions. Outside the work tree, so a
# fresh clone on the same machine (CI) finds them installed.
# shellcheck shell=bash
DMCTL_TOOLS=${DMCTL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/dmctl-tools}
# PyPI: Zig itself (the C toolchain and glibc 2.17 stubs cargo-zigbuild links with)
ZIGLANG_VERSION=0.17.1
# PyPI: the wheel ships the cargo-zigbuild binary (no Rust build needed)
CARGO_ZIGBUILD_VERSION=0.24.0
# crates.io: built from source with `cargo install --locked` (~1.8 min of CPU)
CARGO_DEB_VERSION=3.8.0
# PyPI: ansible-core for the fleet test (tests/vm/fleet), in its own virtualenv
# (ansible/); 2.19 is the last line that runs on the build machine's Python 3.11
# and still manages Python 3.8-3.13 hosts (bookworm 3.11, trixie 3.13).
ANSIBLE_CORE_VERSION=2.19.14
# The target: the host's own triple (no rustup download) with zig's glibc suffix.
PORTABLE_TARGET=x86_64-unknown-linux-gnu
PORTABLE_GLIBC=2.17
export PATH="$DMCTL_TOOLS/venv/bin:$DMCTL_TOOLS/cargo/bin:$PATH"
