//! Docker integration for dmctl: `daemon.json` editing and checking, validation of
//! storage options by Docker 20.10's own rules, `dockerd --version` parsing and
//! detection of storage flags given outside `daemon.json`.
//!
//! The validation rules are transcribed from the moby sources of Docker 20.10
//! (tag v20.10.27), see [`dmopts`] for the exact files.

pub mod daemon_json;
pub mod dmopts;
pub mod flags;
pub mod version;
