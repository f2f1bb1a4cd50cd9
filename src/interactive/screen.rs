//! The state of the search screen and what each key does to it: the query
//! line and its cursor, the toggles, the selected and marked results, the
//! preview switch. Keys become `Action`s for the loop to carry out; nothing
//! here does I/O, so every binding is unit-tested.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::config::Config;
use crate::interactive::results::{Kind, Results};
use crate::query::{Case, Query};

/// Options the screen can switch while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Toggles {
    /// The case rule.
    pub(crate) case: Case,
    /// -w.
    pub(crate) word: bool,
    /// -F.
    pub(crate) fixed: bool,
    /// -x.
    pub(crate) line: bool,
    /// Lines of context before and after each match.
    pub(crate) context: usize,
    /// -u count: 1 no ignore files, 2 also hidden files.
    pub(crate) unrestricted: u8,
    /// --hidden.
    pub(crate) hidden: bool,
}

/// What the loop must do after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Nothing beyond redrawing.
    Redraw,
    /// The query or a matching option changed: search again.
    Search,
    /// An option of the walk changed: walk again, then search.
    Rewalk,
    /// Stop the running search.
    Stop,
    /// Open the selected result in the editor.
    Open,
    /// Quit, printing the marked (or selected) results.
    Output,
    /// Quit.
    Quit,
}

/// A result's place: a file's sequence number and a row of it.
pub(crate) type Place = (u64, usize);

/// The screen's state.
#[derive(Debug)]
pub(crate) struct Screen {
    /// The query being typed.
    pub(crate) query: Vec<char>,
    /// The cursor's position in it.
    pub(crate) cursor: usize,
    /// The switchable options.
    pub(crate) toggles: Toggles,
    /// The selected result.
    pub(crate) selected: Option<Place>,
    /// The user moved the selection (until then it follows the first
    /// match, wherever results arrive).
    moved: bool,
    /// The first result line shown (scroll position).
    pub(crate) top: usize,
    /// The marked results.
    pub(crate) marks: BTreeSet<Place>,
    /// Show the file around the selected line.
    pub(crate) preview: bool,
    /// The last problem with the query (an invalid regex), if any.
    pub(crate) error: Option<String>,
    /// Height of the results area, for page moves.
    pub(crate) page: usize,
}

impl Screen {
    /// The screen for a session started with `cfg` (its pattern is the
    /// first query, its flags the first toggles).
    pub(crate) fn new(cfg: &Config) -> Screen {
        let m = &cfg.query.matcher;
        let q = m.patterns.first().cloned().unwrap_or_default();
        let w = &cfg.walk;
        let unrestricted = if w.no_ignore_vcs && w.hidden {
            2
        } else {
            u8::from(w.no_ignore_vcs && w.no_ignore_dot)
        };
        let s = &cfg.query.searcher;
        let mut screen = Screen::blank(Toggles {
            case: m.case,
            word: m.word,
            fixed: m.fixed_strings,
            line: m.line_regexp,
            context: s.before_context.max(s.after_context),
            unrestricted,
            hidden: w.hidden,
        });
        screen.cursor = q.chars().count();
        screen.query = q.chars().collect();
        screen
    }

    /// A screen with an empty query and `toggles`, nothing selected.
    fn blank(toggles: Toggles) -> Screen {
        Screen {
            query: vec![],
            cursor: 0,
            toggles,
            selected: None,
            moved: false,
            top: 0,
            marks: BTreeSet::new(),
            preview: false,
            error: None,
            page: 10,
        }
    }

    /// The query text.
    pub(crate) fn text(&self) -> String {
        self.query.iter().collect()
    }

    /// The query to search: `base` with the screen's pattern and toggles.
    pub(crate) fn query(&self, base: &Query) -> Query {
        let mut q = base.clone();
        let t = &self.toggles;
        q.matcher.patterns = vec![self.text()];
        q.matcher.case = t.case;
        q.matcher.word = t.word;
        q.matcher.fixed_strings = t.fixed;
        q.matcher.line_regexp = t.line;
        q.searcher.before_context = t.context;
        q.searcher.after_context = t.context;
        q
    }

    /// The walk configuration: `base` with the screen's walk toggles.
    pub(crate) fn walk_config(&self, base: &Config) -> Config {
        let mut cfg = base.clone();
        let w = &mut cfg.walk;
        let t = &self.toggles;
        let no_ignore = t.unrestricted >= 1;
        w.no_ignore_vcs |= no_ignore;
        w.no_ignore_dot |= no_ignore;
        w.no_ignore_parent |= no_ignore;
        w.no_ignore_exclude |= no_ignore;
        w.no_ignore_global |= no_ignore;
        w.hidden = t.hidden || t.unrestricted >= 2;
        cfg
    }

    /// The active options, as flags, for the status line.
    pub(crate) fn flags(&self) -> String {
        let t = &self.toggles;
        let mut f = Vec::new();
        match t.case {
            Case::Insensitive => f.push("-i".to_string()),
            Case::Smart => f.push("-S".to_string()),
            Case::Sensitive => {}
        }
        for (on, flag) in [(t.word, "-w"), (t.fixed, "-F"), (t.line, "-x"), (t.hidden, "--hidden")]
        {
            if on {
                f.push(flag.to_string());
            }
        }
        if t.unrestricted > 0 {
            f.push(format!("-{}", "u".repeat(t.unrestricted.into())));
        }
        if t.context > 0 {
            f.push(format!("-C{}", t.context));
        }
        f.join(" ")
    }

    /// Applies one key; `running` says whether a search is under way (for
    /// Ctrl-C), `results` is what the selection moves over.
    pub(crate) fn key(&mut self, key: KeyEvent, running: bool, results: &Results) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::Redraw;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if alt => self.toggle(c),
            KeyCode::Char(c) if ctrl => self.control(c, running, results),
            KeyCode::Char(c) => self.edit(|s| {
                s.query.insert(s.cursor, c);
                s.cursor += 1;
            }),
            KeyCode::Backspace if self.cursor > 0 => self.edit(|s| {
                s.cursor -= 1;
                s.query.remove(s.cursor);
            }),
            KeyCode::Delete if self.cursor < self.query.len() => self.edit(|s| {
                s.query.remove(s.cursor);
            }),
            KeyCode::Left => self.cursor_to(self.cursor.saturating_sub(1)),
            KeyCode::Right => self.cursor_to(self.cursor + 1),
            KeyCode::Up => self.step(results, -1),
            KeyCode::Down => self.step(results, 1),
            KeyCode::PageUp => self.step(results, -(self.page as isize)),
            KeyCode::PageDown => self.step(results, self.page as isize),
            KeyCode::Home => self.step(results, isize::MIN),
            KeyCode::End => self.step(results, isize::MAX),
            KeyCode::Tab => self.mark(results),
            KeyCode::Enter if self.selected.is_some() => Action::Open,
            KeyCode::Esc => Action::Quit,
            _ => Action::Redraw,
        }
    }

    /// Ctrl plus `c`.
    fn control(&mut self, c: char, running: bool, results: &Results) -> Action {
        match c {
            'c' if running => Action::Stop,
            'c' | 'q' => Action::Quit,
            'u' => self.edit(|s| {
                s.query.drain(..s.cursor);
                s.cursor = 0;
            }),
            'w' => self.edit(|s| {
                let mut start = s.cursor;
                while start > 0 && s.query[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && s.query[start - 1] != ' ' {
                    start -= 1;
                }
                s.query.drain(start..s.cursor);
                s.cursor = start;
            }),
            'a' => self.cursor_to(0),
            'e' => self.cursor_to(self.query.len()),
            'p' => self.step(results, -1),
            'n' => self.step(results, 1),
            'o' => Action::Output,
            'r' => Action::Rewalk,
            _ => Action::Redraw,
        }
    }

    /// Alt plus `c`: the toggles.
    fn toggle(&mut self, c: char) -> Action {
        let t = &mut self.toggles;
        match c {
            'i' => {
                t.case =
                    if t.case == Case::Insensitive { Case::Sensitive } else { Case::Insensitive }
            }
            's' => t.case = if t.case == Case::Smart { Case::Sensitive } else { Case::Smart },
            'w' => t.word = !t.word,
            'f' => t.fixed = !t.fixed,
            'x' => t.line = !t.line,
            ']' | '=' | '+' => t.context = (t.context + 1).min(9),
            '-' => t.context = t.context.saturating_sub(1),
            'u' => {
                t.unrestricted = (t.unrestricted + 1) % 3;
                return Action::Rewalk;
            }
            'h' | '.' => {
                t.hidden = !t.hidden;
                return Action::Rewalk;
            }
            'p' => {
                self.preview = !self.preview;
                return Action::Redraw;
            }
            _ => return Action::Redraw,
        }
        Action::Search
    }

    /// Changes the query with `f`, which asks for a new search.
    fn edit(&mut self, f: impl FnOnce(&mut Screen)) -> Action {
        f(self);
        Action::Search
    }

    /// Moves the query cursor to `at` (kept inside the query).
    fn cursor_to(&mut self, at: usize) -> Action {
        self.cursor = at.min(self.query.len());
        Action::Redraw
    }

    /// Marks or unmarks the selected result and moves down.
    fn mark(&mut self, results: &Results) -> Action {
        if let Some(p) = self.selected {
            if !self.marks.remove(&p) {
                self.marks.insert(p);
            }
        }
        self.step(results, 1)
    }

    /// Moves the selection by `by` matching lines (saturating at the ends).
    fn step(&mut self, results: &Results, by: isize) -> Action {
        let places = match_places(results);
        if places.is_empty() {
            self.selected = None;
            return Action::Redraw;
        }
        let at = self.selected.and_then(|p| places.iter().position(|q| *q >= p)).unwrap_or(0);
        let to = (at as isize).saturating_add(by).clamp(0, places.len() as isize - 1);
        self.selected = Some(places[to as usize]);
        self.moved = true;
        Action::Redraw
    }

    /// Keeps the selection on a matching line that exists: the first match
    /// until the user moves it (results may arrive before it), and when
    /// what was selected is gone.
    pub(crate) fn settle(&mut self, results: &Results) {
        let gone = self.selected.is_none_or(|(seq, idx)| {
            results.row(seq, idx).is_none_or(|(_, row)| row.kind != Kind::Match)
        });
        if gone || !self.moved {
            let first = first_match(results);
            if first != self.selected {
                self.selected = first;
                self.top = 0;
            }
            if gone {
                self.moved = false;
            }
        }
    }

    /// Forgets the selection and marks (a new query).
    pub(crate) fn reset_selection(&mut self) {
        self.selected = None;
        self.moved = false;
        self.marks.clear();
        self.top = 0;
    }
}

/// The first matching line's place.
fn first_match(results: &Results) -> Option<Place> {
    results
        .files()
        .find_map(|(seq, f)| f.rows.iter().position(|r| r.kind == Kind::Match).map(|i| (seq, i)))
}

/// Every matching line's place, in order.
fn match_places(results: &Results) -> Vec<Place> {
    let mut out = Vec::new();
    for (seq, f) in results.files() {
        for (i, row) in f.rows.iter().enumerate() {
            if row.kind == Kind::Match {
                out.push((seq, i));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key press with `mods`.
    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    /// A screen with an empty query and default toggles.
    fn screen() -> Screen {
        let mut s = Screen::blank(Toggles {
            case: Case::Sensitive,
            word: false,
            fixed: false,
            line: false,
            context: 0,
            unrestricted: 0,
            hidden: false,
        });
        s.page = 3;
        s
    }

    /// Typing, Backspace, Ctrl-U and Ctrl-W edit the query; each edit asks
    /// for a search; cursor moves do not.
    #[test]
    fn editing_keys() {
        let (mut s, r) = (screen(), Results::new(10));
        let none = KeyModifiers::NONE;
        for c in "foo bar".chars() {
            assert_eq!(s.key(key(KeyCode::Char(c), none), false, &r), Action::Search);
        }
        assert_eq!(s.text(), "foo bar");
        assert_eq!(s.key(key(KeyCode::Backspace, none), false, &r), Action::Search);
        assert_eq!(s.text(), "foo ba");
        assert_eq!(s.key(key(KeyCode::Left, none), false, &r), Action::Redraw);
        s.key(key(KeyCode::Char('X'), none), false, &r);
        assert_eq!(s.text(), "foo bXa");
        s.key(key(KeyCode::Char('w'), KeyModifiers::CONTROL), false, &r);
        assert_eq!(s.text(), "foo a");
        s.key(key(KeyCode::Char('e'), KeyModifiers::CONTROL), false, &r);
        s.key(key(KeyCode::Char('u'), KeyModifiers::CONTROL), false, &r);
        assert_eq!(s.text(), "");
    }

    /// Alt keys toggle options (matching ones search again, walking ones
    /// walk again) and show in the flags.
    #[test]
    fn toggles() {
        let (mut s, r) = (screen(), Results::new(10));
        let alt = KeyModifiers::ALT;
        assert_eq!(s.key(key(KeyCode::Char('i'), alt), false, &r), Action::Search);
        assert_eq!(s.toggles.case, Case::Insensitive);
        s.key(key(KeyCode::Char('w'), alt), false, &r);
        s.key(key(KeyCode::Char(']'), alt), false, &r);
        assert_eq!(s.key(key(KeyCode::Char('u'), alt), false, &r), Action::Rewalk);
        assert_eq!(s.flags(), "-i -w -u -C1");
        s.key(key(KeyCode::Char('i'), alt), false, &r);
        assert_eq!(s.toggles.case, Case::Sensitive);
        let q = s.query(&Query::for_tests());
        assert!(q.matcher.word && q.searcher.before_context == 1 && q.searcher.after_context == 1);
    }

    /// Ctrl-C stops a running search and quits an idle one; Esc quits.
    #[test]
    fn ctrl_c_and_esc() {
        let (mut s, r) = (screen(), Results::new(10));
        let c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(s.key(c, true, &r), Action::Stop);
        assert_eq!(s.key(c, false, &r), Action::Quit);
        assert_eq!(s.key(key(KeyCode::Esc, KeyModifiers::NONE), true, &r), Action::Quit);
    }

    /// Until the user moves it, the selection follows the first match as
    /// results arrive out of order.
    #[test]
    fn the_selection_follows_the_first_match_until_moved() {
        let (mut s, mut r) = (screen(), Results::new(100));
        r.add(3, b"c", b"1:c\n", true);
        s.settle(&r);
        assert_eq!(s.selected, Some((3, 0)));
        r.add(1, b"a", b"5:a\n", true);
        s.settle(&r);
        assert_eq!(s.selected, Some((1, 0)));
    }

    /// The selection moves over matching lines only, saturates at the
    /// ends, survives results arriving before it, and Tab marks.
    #[test]
    fn selection_moves_over_matches() {
        let (mut s, mut r) = (screen(), Results::new(100));
        r.add(3, b"c", b"1:c\n2-ctx\n3:c\n", true);
        r.add(5, b"e", b"9:e\n", true);
        s.settle(&r);
        assert_eq!(s.selected, Some((3, 0)));
        let none = KeyModifiers::NONE;
        s.key(key(KeyCode::Down, none), false, &r);
        assert_eq!(s.selected, Some((3, 2)), "the context line is skipped");
        // An earlier file arrives: the selection the user moved stays.
        r.add(1, b"a", b"4:a\n", true);
        s.settle(&r);
        assert_eq!(s.selected, Some((3, 2)));
        s.key(key(KeyCode::End, none), false, &r);
        assert_eq!(s.selected, Some((5, 0)));
        s.key(key(KeyCode::Down, none), false, &r);
        assert_eq!(s.selected, Some((5, 0)));
        s.key(key(KeyCode::Home, none), false, &r);
        assert_eq!(s.selected, Some((1, 0)));
        s.key(key(KeyCode::Tab, none), false, &r);
        assert!(s.marks.contains(&(1, 0)));
        assert_eq!(s.selected, Some((3, 0)));
        assert_eq!(s.key(key(KeyCode::Enter, none), false, &r), Action::Open);
    }
}
