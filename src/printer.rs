//! Chooses and configures the grep-printer for a query's output mode
//! (standard, summary or JSON), exactly as ripgrep does, over any writer.
//! The separator between files is left to the parent, which alone knows the
//! order; nothing here writes anywhere by itself.

use grep_printer::{ColorSpecs, HyperlinkConfig, HyperlinkEnvironment, UserColorSpec};
use grep_printer::{JSONBuilder, StandardBuilder, SummaryBuilder, SummaryKind};
use grep_printer::{Standard, Summary, JSON};
use termcolor::WriteColor;

use crate::query::{Hyperlinks, PrinterOpts, SearchMode};

/// The printer chosen for the output mode.
pub(crate) enum Printer<W> {
    /// Lines (the standard mode).
    Standard(Standard<W>),
    /// Counts or paths.
    Summary(Summary<W>),
    /// JSON Lines.
    Json(JSON<W>),
}

impl<W: WriteColor> Printer<W> {
    /// The writer the printer renders into.
    pub(crate) fn get_mut(&mut self) -> &mut W {
        match self {
            Printer::Standard(p) => p.get_mut(),
            Printer::Summary(p) => p.get_mut(),
            Printer::Json(p) => p.get_mut(),
        }
    }
}

/// ripgrep's default colours plus the user's --colors specs; fails on a
/// spec that does not parse.
pub(crate) fn color_specs(user: &[String]) -> anyhow::Result<ColorSpecs> {
    let mut specs = grep_printer::default_color_specs();
    for s in user {
        let spec: UserColorSpec = s.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        specs.push(spec);
    }
    Ok(ColorSpecs::new(&specs))
}

/// The hyperlink configuration of `h` (none: no hyperlinks); the format was
/// checked by the parent, so one that does not parse means none.
pub(crate) fn hyperlink_config(h: Option<&Hyperlinks>) -> HyperlinkConfig {
    let Some(h) = h else { return HyperlinkConfig::default() };
    let mut env = HyperlinkEnvironment::new();
    env.host(h.host.clone()).wsl_prefix(h.wsl_prefix.clone());
    HyperlinkConfig::new(env, h.format.parse().unwrap_or_default())
}

/// Builds the printer for `p` writing into `out` (`p` was validated by the
/// parent: a colour spec that does not parse falls back to the defaults).
pub(crate) fn build<W: WriteColor>(p: &PrinterOpts, out: W) -> Printer<W> {
    let specs = color_specs(&p.colors).unwrap_or_else(|_| ColorSpecs::default());
    let links = hyperlink_config(p.hyperlink.as_ref());
    let kind = match (p.quiet, p.mode) {
        (true, SearchMode::FilesWithoutMatch) => Some(SummaryKind::QuietWithoutMatch),
        (true, _) => Some(SummaryKind::QuietWithMatch),
        (false, SearchMode::FilesWithMatches) => Some(SummaryKind::PathWithMatch),
        (false, SearchMode::FilesWithoutMatch) => Some(SummaryKind::PathWithoutMatch),
        (false, SearchMode::Count) => Some(SummaryKind::Count),
        (false, SearchMode::CountMatches) => Some(SummaryKind::CountMatches),
        (false, SearchMode::Json | SearchMode::Standard) => None,
    };
    if let Some(kind) = kind {
        return Printer::Summary(
            SummaryBuilder::new()
                .color_specs(specs)
                .exclude_zero(!p.include_zero)
                .hyperlink(links)
                .kind(kind)
                .path(p.with_filename)
                .path_terminator(p.path_terminator)
                .separator_field(b":".to_vec())
                .separator_path(p.path_separator)
                .stats(p.stats)
                .build(out),
        );
    }
    if p.mode == SearchMode::Json {
        return Printer::Json(
            JSONBuilder::new()
                .pretty(false)
                .always_begin_end(false)
                .replacement(p.replace.clone())
                .build(out),
        );
    }
    Printer::Standard(
        StandardBuilder::new()
            .byte_offset(p.byte_offset)
            .color_specs(specs)
            .column(p.column)
            .heading(p.heading)
            .hyperlink(links)
            .max_columns_preview(p.max_columns_preview)
            .max_columns(p.max_columns)
            .only_matching(p.only_matching)
            .path(p.with_filename)
            .path_terminator(p.path_terminator)
            .per_match_one_line(true)
            .per_match(p.vimgrep)
            .replacement(p.replace.clone())
            .separator_context(p.context_separator.clone())
            .separator_field_context(p.field_context_separator.clone())
            .separator_field_match(p.field_match_separator.clone())
            .separator_path(p.path_separator)
            .stats(p.stats)
            .trim_ascii(p.trim)
            .build(out),
    )
}
