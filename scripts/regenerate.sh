#!/usr/bin/env bash
# Regenerates the committed man page and shell completions from the clap
# definition (src/cli.rs). tests/generated.rs fails when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
dn=target/debug/dn
mkdir -p completions man
"$dn" --generate man > man/dn.1
"$dn" --generate complete-bash > completions/dn.bash
"$dn" --generate complete-zsh > completions/_dn
"$dn" --generate complete-fish > completions/dn.fish
"$dn" --generate complete-powershell > completions/_dn.ps1
"$dn" --generate complete-elvish > completions/dn.elv
