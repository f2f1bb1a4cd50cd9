//! Integration tests: each module runs the real `dn` binary on trees it builds.

#[macro_use]
mod util;

mod editors;
mod exit_status;
mod feature;
mod flags;
mod generated;
mod hay;
#[cfg(target_os = "linux")]
mod interactive;
mod json;
#[cfg(target_os = "linux")]
mod limits;
mod order;
mod pcre2;
#[cfg(target_os = "linux")]
mod processes;
#[cfg(target_os = "linux")]
mod pty;
mod shapes;
#[cfg(target_os = "linux")]
mod terminal;
