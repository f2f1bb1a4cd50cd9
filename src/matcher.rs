//! Compiles a query's patterns into a `Matcher`: Rust's regex engine
//! (`grep_regex`) or PCRE2 (`grep_pcre2`), each configured exactly as
//! ripgrep configures it, and `--engine auto`'s choice between them. The
//! parent compiles them first (so a bad pattern is the parent's error, in
//! ripgrep's words); workers compile their own copy of each later query, or
//! inherit the parent's at fork.

use anyhow::bail;
use grep_regex::RegexMatcherBuilder;

use crate::query::{Case, EngineChoice, MatcherOpts, Terminator};

/// A compiled query, in one of the engines. grep-searcher is generic over
/// its matcher, so a search dispatches on this once per file, never per
/// match.
#[derive(Clone, Debug)]
pub(crate) enum Matcher {
    /// Rust's regex engine.
    Rust(grep_regex::RegexMatcher),
    /// PCRE2.
    #[cfg(feature = "pcre2")]
    Pcre2(grep_pcre2::RegexMatcher),
}

impl Matcher {
    /// The byte ranges of the first `limit` non-empty matches in `text`
    /// (for highlighting on the interactive screen).
    pub(crate) fn find_spans(&self, text: &[u8], limit: usize) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut each = |m: grep_matcher::Match| {
            if m.start() < m.end() {
                spans.push((m.start(), m.end()));
            }
            spans.len() < limit
        };
        match self {
            Matcher::Rust(m) => {
                let _ = grep_matcher::Matcher::find_iter(m, text, &mut each);
            }
            #[cfg(feature = "pcre2")]
            Matcher::Pcre2(m) => {
                let _ = grep_matcher::Matcher::find_iter(m, text, &mut each);
            }
        }
        spans
    }
}

/// Builds the matcher for `m` with the engine it asks for; fails with
/// ripgrep's message and hints.
pub(crate) fn build(m: &MatcherOpts) -> anyhow::Result<Matcher> {
    match m.engine {
        EngineChoice::Default => match build_rust(m) {
            Ok(matcher) => Ok(matcher),
            Err(err) => bail!(suggest_pcre2(err)),
        },
        EngineChoice::Pcre2 => build_pcre2(m),
        EngineChoice::Auto => {
            let rust_err = match build_rust(m) {
                Ok(matcher) => return Ok(matcher),
                Err(err) => err,
            };
            log::debug!("error building Rust regex in hybrid mode:\n{rust_err}");
            let pcre_err = match build_pcre2(m) {
                Ok(matcher) => return Ok(matcher),
                Err(err) => err,
            };
            bail!(auto_failure(&rust_err, &pcre_err.to_string()))
        }
    }
}

/// Builds the Rust regex matcher, as ripgrep does; the error carries
/// ripgrep's multiline and text-mode hints.
fn build_rust(m: &MatcherOpts) -> Result<Matcher, String> {
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
    if let Some(limit) = m.regex_size_limit {
        b.size_limit(limit);
    }
    if let Some(limit) = m.dfa_size_limit {
        b.dfa_size_limit(limit);
    }
    if m.ban_nul {
        b.ban_byte(Some(b'\0'));
    }
    b.build_many(&m.patterns).map(Matcher::Rust).map_err(|err| suggest(err.to_string()))
}

/// Builds the PCRE2 matcher, as ripgrep does (JIT with a 10 MB stack, UTF
/// and UCP unless --no-unicode; PCRE2 has no size limits and no banned
/// byte).
#[cfg(feature = "pcre2")]
fn build_pcre2(m: &MatcherOpts) -> anyhow::Result<Matcher> {
    let mut b = grep_pcre2::RegexMatcherBuilder::new();
    b.multi_line(true).fixed_strings(m.fixed_strings);
    match m.case {
        Case::Sensitive => b.caseless(false),
        Case::Insensitive => b.caseless(true),
        Case::Smart => b.case_smart(true),
    };
    if m.line_regexp {
        b.whole_line(true);
    } else if m.word {
        b.word(true);
    }
    // ripgrep leaves the JIT off on 32-bit targets, where it runs out of
    // memory compiling.
    if cfg!(target_pointer_width = "64") {
        b.jit_if_available(true).max_jit_stack_size(Some(10 << 20));
    }
    if !m.no_unicode {
        b.utf(true).ucp(true);
    }
    if m.multiline {
        b.dotall(m.dotall);
    }
    if m.terminator == Terminator::Crlf {
        b.crlf(true);
    }
    Ok(Matcher::Pcre2(b.build_many(&m.patterns)?))
}

/// Without PCRE2 built in, --engine pcre2 fails (ripgrep's message).
#[cfg(not(feature = "pcre2"))]
fn build_pcre2(_: &MatcherOpts) -> anyhow::Result<Matcher> {
    bail!("PCRE2 is not available in this build of dn")
}

/// What `--pcre2-version` prints (without the final newline), and whether
/// PCRE2 is built in.
pub(crate) fn pcre2_version() -> (String, bool) {
    #[cfg(feature = "pcre2")]
    {
        let (major, minor) = grep_pcre2::version();
        let jit = if cfg!(target_pointer_width = "64") && grep_pcre2::is_jit_available() {
            "available"
        } else {
            "unavailable"
        };
        (format!("PCRE2 {major}.{minor} is available (JIT is {jit})"), true)
    }
    #[cfg(not(feature = "pcre2"))]
    {
        ("PCRE2 is not available in this build of dn.".to_string(), false)
    }
}

/// ripgrep's message when `--engine auto` finds neither engine can compile
/// the pattern (editors such as VS Code pass `--engine auto` and look for
/// the `regex parse error` line inside it).
fn auto_failure(rust_err: &str, pcre_err: &str) -> String {
    let divider = "~".repeat(79);
    format!(
        "regex could not be compiled with either the default regex engine or with PCRE2.\n\n\
         default regex engine error:\n{divider}\n{rust_err}\n{divider}\n\n\
         PCRE2 regex engine error:\n{pcre_err}"
    )
}

/// Adds ripgrep's hint to try PCRE2 (when it is built in) to an error of
/// the default engine about backreferences or look-around.
fn suggest_pcre2(msg: String) -> String {
    if cfg!(feature = "pcre2") && (msg.contains("backreferences") || msg.contains("look-around")) {
        format!(
            "{msg}\n\nConsider enabling PCRE2 with the --pcre2 flag, which can handle backreferences\n\
             and look-around."
        )
    } else {
        msg
    }
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
