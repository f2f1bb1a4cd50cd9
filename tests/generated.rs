//! The committed man page and completions must match what the one flag
//! definition generates today.

use std::process::Command;

use crate::util::dn_bin;

/// Each generated artefact and the file it is committed as.
const ARTEFACTS: &[(&str, &str)] = &[
    ("man", "man/dn.1"),
    ("complete-bash", "completions/dn.bash"),
    ("complete-zsh", "completions/_dn"),
    ("complete-fish", "completions/dn.fish"),
    ("complete-powershell", "completions/_dn.ps1"),
    ("complete-elvish", "completions/dn.elv"),
];

/// Fails when a committed artefact differs from `dn --generate KIND`.
#[test]
fn committed_man_page_and_completions_are_fresh() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (kind, file) in ARTEFACTS {
        let out = Command::new(dn_bin()).args(["--generate", kind]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "--generate {kind} failed");
        assert!(!out.stdout.is_empty(), "--generate {kind} printed nothing");
        let committed = std::fs::read(format!("{root}/{file}")).unwrap_or_default();
        assert!(committed == out.stdout, "{file} is stale; refresh it with: scripts/regenerate.sh");
    }
}

/// The man page mentions every long flag the parser knows.
#[test]
fn man_page_lists_the_flags() {
    let out = Command::new(dn_bin()).args(["--generate", "man"]).output().unwrap();
    let man = String::from_utf8(out.stdout).unwrap();
    for flag in
        ["regexp", "files\\-with\\-matches", "max\\-count", "json", "vimgrep", "search\\-zip"]
    {
        assert!(man.contains(flag), "man page lacks --{flag}");
    }
}
