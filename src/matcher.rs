//! Compiles the pattern(s) into a `grep_regex::RegexMatcher`, once, in the
//! parent before any fork, so workers inherit it copy-on-write.

use anyhow::bail;
use grep_regex::{RegexMatcher, RegexMatcherBuilder};

use crate::config::{Case, Config};

/// Builds the matcher exactly as ripgrep configures its default engine.
pub(crate) fn build(cfg: &Config) -> anyhow::Result<RegexMatcher> {
    let mut b = RegexMatcherBuilder::new();
    b.multi_line(true).unicode(!cfg.no_unicode).octal(false).fixed_strings(cfg.fixed_strings);
    match cfg.case {
        Case::Sensitive => b.case_insensitive(false),
        Case::Insensitive => b.case_insensitive(true),
        Case::Smart => b.case_smart(true),
    };
    if cfg.line_regexp {
        b.whole_line(true);
    } else if cfg.word {
        b.word(true);
    }
    if cfg.multiline {
        b.dot_matches_new_line(cfg.multiline_dotall);
        if cfg.crlf {
            b.crlf(true).line_terminator(None);
        }
    } else {
        b.line_terminator(Some(b'\n')).dot_matches_new_line(false);
        if cfg.crlf {
            b.crlf(true);
        }
        if cfg.null_data {
            b.line_terminator(Some(b'\0'));
        }
    }
    if cfg.binary_implicit != grep_searcher::BinaryDetection::none() {
        b.ban_byte(Some(b'\0'));
    }
    match b.build_many(&cfg.patterns) {
        Ok(m) => Ok(m),
        Err(err) if cfg.engine_auto => bail!(auto_failure(&suggest(err.to_string()))),
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
