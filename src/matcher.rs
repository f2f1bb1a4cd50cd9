//! Compiles a query's patterns into a `grep_regex::RegexMatcher`, exactly
//! as ripgrep configures its default engine. The parent compiles them first
//! (so a bad pattern is the parent's error); workers compile their own copy
//! of each later query, or inherit the parent's at fork.

use anyhow::bail;
use grep_regex::{RegexMatcher, RegexMatcherBuilder};

use crate::query::{Case, EngineChoice, MatcherOpts, Terminator};

/// Builds the matcher for `m`; fails with ripgrep's message and hints.
pub(crate) fn build(m: &MatcherOpts) -> anyhow::Result<RegexMatcher> {
    if m.engine == EngineChoice::Pcre2 {
        bail!("PCRE2 is not available in this build of dn (use --engine default)");
    }
    let mut b = RegexMatcherBuilder::new();
    b.multi_line(true).unicode(!m.no_unicode).octal(false).fixed_strings(m.fixed_strings);
    match m.case {
        Case::Sensitive => b.case_insensitive(false),
        Case::Insensitive => b.case_insensitive(true),
        Case::Smart => b.case_smart(true),
    };
    if m.line_regexp {
        b.whole_line(true);
    } else if m.word {
        b.word(true);
    }
    let crlf = m.terminator == Terminator::Crlf;
    if m.multiline {
        b.dot_matches_new_line(m.dotall);
        if crlf {
            b.crlf(true).line_terminator(None);
        }
    } else {
        b.line_terminator(Some(b'\n')).dot_matches_new_line(false);
        if crlf {
            b.crlf(true);
        }
        if m.terminator == Terminator::Nul {
            b.line_terminator(Some(b'\0'));
        }
    }
    if m.ban_nul {
        b.ban_byte(Some(b'\0'));
    }
    match b.build_many(&m.patterns) {
        Ok(matcher) => Ok(matcher),
        Err(err) if m.engine == EngineChoice::Auto => {
            bail!(auto_failure(&suggest(err.to_string())))
        }
        Err(err) => bail!(suggest(err.to_string())),
    }
}

/// ripgrep's message when `--engine auto` finds neither engine can compile
/// the pattern (editors such as VS Code pass `--engine auto` and look for
/// the `regex parse error` line inside it).
fn auto_failure(rust_err: &str) -> String {
    let divider = "~".repeat(79);
    format!(
        "regex could not be compiled with either the default regex engine or with PCRE2.\n\n\
         default regex engine error:\n{divider}\n{rust_err}\n{divider}\n\n\
         PCRE2 regex engine error:\nPCRE2 is not available in this build of dn"
    )
}

/// Adds ripgrep's hints to an error that multiline or text mode would fix.
fn suggest(msg: String) -> String {
    if msg.contains("the literal") && msg.contains("not allowed") {
        format!(
            "{msg}\n\nConsider enabling multiline mode with the --multiline flag (or -U for short).\n\
             When multiline mode is enabled, new line characters can be matched."
        )
    } else if msg.contains("pattern contains \"\\0\"") {
        format!(
            "{msg}\n\nConsider enabling text mode with the --text flag (or -a for short). Otherwise,\n\
             binary detection is enabled and matching a NUL byte is impossible."
        )
    } else {
        msg
    }
}
