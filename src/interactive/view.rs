//! Draws the search screen with ratatui: the query line, the results in
//! path order (a heading per file, each row with its line number, matches
//! highlighted), the status line, and the preview of the selected file.
//!
//! Everything drawn from a file (names, lines) goes through `sanitize`
//! first: no byte of a file reaches the terminal as a control sequence.

use crate::matcher::Matcher;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::interactive::results::{Kind, Results, Row};
use crate::interactive::screen::{Place, Screen};
use crate::interactive::session::Progress;

/// What the preview shows: a file's lines around the selected one.
pub(crate) struct Preview {
    /// The file shown.
    pub(crate) path: Vec<u8>,
    /// Its lines (as many as were read).
    pub(crate) lines: Vec<Vec<u8>>,
}

/// Everything one frame shows.
pub(crate) struct View<'a> {
    /// The screen's state.
    pub(crate) screen: &'a Screen,
    /// The results.
    pub(crate) results: &'a Results,
    /// How the search stands.
    pub(crate) progress: &'a Progress,
    /// The compiled query, to highlight matches (None while it is invalid).
    pub(crate) matcher: Option<&'a Matcher>,
    /// The file list's size, and whether the walk is still going.
    pub(crate) files: (usize, bool),
    /// The preview, when it is on.
    pub(crate) preview: Option<&'a Preview>,
}

/// One line of the results list.
enum Entry {
    /// A file's path.
    Heading(u64),
    /// A row of a file.
    Row(u64, usize),
    /// A gap between non-adjacent lines of one file.
    Gap,
}

/// Draws `v` on `f`; returns the height of the results area (for paging).
pub(crate) fn draw(f: &mut Frame, v: &View, top: &mut usize) -> usize {
    let [query, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)])
            .areas(f.area());
    draw_query(f, v.screen, query);
    let (list, side) = if v.preview.is_some() && body.width >= 40 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (l, Some(r))
    } else {
        (body, None)
    };
    draw_results(f, v, list, top);
    if let (Some(area), Some(p)) = (side, v.preview) {
        draw_preview(f, v, p, area);
    }
    draw_status(f, v, status);
    list.height as usize
}

/// The query line, with the cursor placed in it.
fn draw_query(f: &mut Frame, s: &Screen, area: Rect) {
    let text = s.text();
    let prompt = Span::styled("> ", Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD));
    f.render_widget(
        Paragraph::new(Line::from(vec![prompt, Span::raw(safe(text.as_bytes()))])),
        area,
    );
    let x = area.x + 2 + s.cursor as u16;
    f.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
}

/// The list of results, scrolled so that the selection is in view.
fn draw_results(f: &mut Frame, v: &View, area: Rect, top: &mut usize) {
    let entries = entries(v.results, v.screen.toggles.context > 0);
    let height = area.height as usize;
    let selected = v.screen.selected.and_then(|(s, i)| {
        entries.iter().position(|e| matches!(e, Entry::Row(es, ei) if (*es, *ei) == (s, i)))
    });
    if let Some(at) = selected {
        if at < *top {
            *top = at.saturating_sub(1);
        } else if at >= *top + height {
            *top = at + 1 - height;
        }
    }
    *top = (*top).min(entries.len().saturating_sub(1));
    let width = area.width as usize;
    let lines: Vec<Line> =
        entries.iter().skip(*top).take(height).map(|e| entry_line(v, e, width)).collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// The list's entries: per file, its heading, then its rows, with a gap
/// where line numbers jump between groups of context (`context`).
fn entries(results: &Results, context: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    for (seq, f) in results.files() {
        out.push(Entry::Heading(seq));
        let mut last: Option<u64> = None;
        for (i, row) in f.rows.iter().enumerate() {
            if let Some(l) = last {
                if context && row.line > l + 1 && row.kind != Kind::Note {
                    out.push(Entry::Gap);
                }
            }
            if row.kind != Kind::Note {
                last = Some(row.line);
            }
            out.push(Entry::Row(seq, i));
        }
    }
    out
}

/// Renders one entry of the list.
fn entry_line<'a>(v: &View, e: &Entry, width: usize) -> Line<'a> {
    match e {
        Entry::Heading(seq) => {
            let path = v.results.path(*seq).unwrap_or(b"");
            let style = Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD);
            Line::from(Span::styled(safe(path), style))
        }
        Entry::Gap => Line::from(Span::styled("  …", Style::new().fg(Color::DarkGray))),
        Entry::Row(seq, i) => {
            let Some((_, row)) = v.results.row(*seq, *i) else { return Line::raw("") };
            let place: Place = (*seq, *i);
            row_line(v, row, place, width)
        }
    }
}

/// Renders a row: mark, line number, text with its matches highlighted;
/// the selected row in reverse video.
fn row_line<'a>(v: &View, row: &Row, place: Place, width: usize) -> Line<'a> {
    let selected = v.screen.selected == Some(place);
    let marked = v.screen.marks.contains(&place);
    let mut spans = vec![Span::styled(
        if marked { "*" } else { " " },
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    )];
    let (num, sep) = match row.kind {
        Kind::Match => (format!("{:>6}", row.line), ":"),
        Kind::Context => (format!("{:>6}", row.line), "-"),
        Kind::Note => (String::new(), ""),
    };
    spans.push(Span::styled(format!("{num}{sep}"), Style::new().fg(Color::Green)));
    let dim = row.kind != Kind::Match;
    let room = width.saturating_sub(8);
    for (text, hit) in segments(v.matcher, &row.text, row.kind == Kind::Match, room) {
        let style = if hit {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else if dim {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
    }
    let line = Line::from(spans);
    if selected {
        line.style(Style::new().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

/// Splits `text` into (shown text, is a match) pieces, safe to draw; when
/// the first match lies past `room` columns, the start is cut so it shows.
fn segments(
    matcher: Option<&Matcher>,
    text: &[u8],
    find: bool,
    room: usize,
) -> Vec<(String, bool)> {
    let hits = match (matcher, find) {
        (Some(m), true) => m.find_spans(text, 64),
        _ => Vec::new(),
    };
    let start = match hits.first() {
        Some(&(s, _)) if s > room.saturating_sub(10) => s.saturating_sub(room / 3),
        _ => 0,
    };
    let mut out = Vec::new();
    if start > 0 {
        out.push(("…".to_string(), false));
    }
    let mut at = start;
    for (s, e) in hits.into_iter().filter(|&(_, e)| e > start) {
        let s = s.max(at);
        out.push((safe(&text[at..s]), false));
        out.push((safe(&text[s..e]), true));
        at = e;
    }
    out.push((safe(&text[at..]), false));
    out
}

/// The preview: the file around the selected line, that line highlighted.
fn draw_preview(f: &mut Frame, v: &View, p: &Preview, area: Rect) {
    let Some((seq, i)) = v.screen.selected else { return };
    let Some((_, row)) = v.results.row(seq, i) else { return };
    let target = row.line as usize;
    let height = area.height as usize;
    let first = target.saturating_sub(height / 2).max(1);
    let mut lines = vec![Line::from(Span::styled(
        safe(&p.path),
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    ))];
    for n in first..first + height.saturating_sub(1) {
        let Some(text) = p.lines.get(n - 1) else { break };
        let num = Span::styled(format!("{n:>6} "), Style::new().fg(Color::Green));
        let mut spans = vec![num];
        for (t, hit) in segments(v.matcher, text, n == target, area.width as usize) {
            let style = if hit {
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            spans.push(Span::styled(t, style));
        }
        let line = Line::from(spans);
        lines.push(if n == target { line.style(Style::new().bg(Color::DarkGray)) } else { line });
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The status line: state, counts, time, flags and the last problem.
fn draw_status(f: &mut Frame, v: &View, area: Rect) {
    let p = v.progress;
    if v.screen.text().is_empty() && !p.running {
        let plus = if v.files.1 { "+" } else { "" };
        let text = format!(" type a pattern | {}{plus} files", v.files.0);
        let line = Line::from(Span::styled(text, Style::new().add_modifier(Modifier::REVERSED)));
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let state = if p.running {
        "searching"
    } else if p.stopped {
        "stopped"
    } else {
        "done"
    };
    let (files, walking) = v.files;
    let total = if walking { format!("{files}+") } else { files.to_string() };
    let mut text = format!(
        " {state} | {}/{total} files, {} matched, {} matches | {:.0} ms",
        p.searched,
        p.matched,
        p.stats.matches(),
        p.elapsed.as_secs_f64() * 1000.0
    );
    if p.skipped > 0 {
        text.push_str(&format!(" ({} skipped)", p.skipped));
    }
    if v.results.unkept > 0 {
        text.push_str(&format!(" | {} more lines not shown", v.results.unkept));
    }
    let flags = v.screen.flags();
    if !flags.is_empty() {
        text.push_str(&format!(" | {flags}"));
    }
    let mut spans = vec![Span::styled(text, Style::new().add_modifier(Modifier::REVERSED))];
    if let Some(e) = &v.screen.error {
        let e =
            e.lines().find(|l| l.starts_with("error")).unwrap_or(e.lines().next().unwrap_or(""));
        spans.push(Span::styled(format!(" {}", safe(e.as_bytes())), Style::new().fg(Color::Red)));
    } else if let Some(problem) = p.problems.last() {
        let more = if p.problems.len() > 1 {
            format!(" (+{})", p.problems.len() - 1)
        } else {
            String::new()
        };
        spans.push(Span::styled(
            format!(" {}{more}", safe(problem.as_bytes())),
            Style::new().fg(Color::Yellow),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `bytes` as text that is safe to draw: control characters in visible
/// notation, tabs as spaces, invalid UTF-8 replaced.
fn safe(bytes: &[u8]) -> String {
    let text = crate::sanitize::escaped(bytes);
    String::from_utf8_lossy(&text).replace('\t', "    ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches are found and set apart, control characters are made
    /// visible, and a far match scrolls into view.
    #[test]
    fn segments_highlight_and_sanitize() {
        let m = Matcher::Rust(grep_regex::RegexMatcher::new("needle").unwrap());
        let got = segments(Some(&m), b"a needle\x1b[2J b needle", true, 200);
        assert_eq!(
            got,
            vec![
                ("a ".to_string(), false),
                ("needle".to_string(), true),
                ("^[[2J b ".to_string(), false),
                ("needle".to_string(), true),
                (String::new(), false),
            ]
        );
        let long = format!("{}needle", "x".repeat(300));
        let got = segments(Some(&m), long.as_bytes(), true, 80);
        assert_eq!(got[0], ("…".to_string(), false));
        assert!(got.iter().any(|(t, hit)| *hit && t == "needle"));
    }
}
