//! Renders the man page and shell completions from the one clap definition.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Args;

/// Writes the generated artefact `kind` (man, complete-bash, ...) to `out`.
pub(crate) fn generate(kind: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut cmd = Args::command();
    let shell = match kind {
        "man" => {
            // The man page's version section is the short version: the long
            // one names the features and PCRE2 of this build, and the page
            // is the same for every build.
            clap_mangen::Man::new(cmd.long_version(None)).render(out)?;
            return Ok(());
        }
        "complete-bash" => Shell::Bash,
        "complete-zsh" => Shell::Zsh,
        "complete-fish" => Shell::Fish,
        "complete-powershell" => Shell::PowerShell,
        "complete-elvish" => Shell::Elvish,
        other => anyhow::bail!("unknown --generate kind '{other}'"),
    };
    clap_complete::generate(shell, &mut cmd, "dn", out);
    Ok(())
}
