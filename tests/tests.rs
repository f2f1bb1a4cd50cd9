//! Integration tests: each module runs the real `dn` binary on trees it builds.

#[macro_use]
mod util;

mod editors;
mod exit_status;
mod feature;
mod flags;
mod generated;
#[cfg(target_os = "linux")]
mod interactive;
mod json;
mod order;
mod pcre2;
#[cfg(target_os = "linux")]
mod processes;
#[cfg(target_os = "linux")]
mod pty;
mod shapes;
#[cfg(target_os = "linux")]
mod terminal;
