//! Narrowing: what earlier queries of a session tell a new one. When every
//! line the new query can match is a line an earlier query matched (a
//! literal extended at either end, with the same options), a file that the
//! earlier query searched without a match cannot match the new one, and is
//! not searched again. Pure rules, unit-tested; when in doubt, nothing is
//! skipped.
//!
//! Which queries narrow: a single pattern that is a literal (no regex
//! metacharacter, or -F), under the same options, with neither -v, -w, -x
//! nor -U, whose text contains the earlier literal (exactly, or ignoring
//! ASCII case when the earlier query ignored case). The empty query narrows
//! nothing but is narrowed from by every literal.

use crate::query::{Case, Query};

/// What a query's matches are, for comparing queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    /// The literal text, when the query is one narrowable literal.
    literal: Option<String>,
    /// The literal is matched ignoring case.
    insensitive: bool,
    /// Every option that changes which lines match, besides the pattern
    /// and its case (serialized).
    rest: String,
}

/// Characters that make a pattern more than a literal in the regex syntax.
const META: &str = "\\.+*?()|[]{}^$";

impl Key {
    /// The key of query `q`.
    pub(crate) fn of(q: &Query) -> Key {
        let m = &q.matcher;
        let narrowable = m.patterns.len() == 1
            && !m.word
            && !m.line_regexp
            && !m.multiline
            && !q.searcher.invert_match;
        let pat = m.patterns.first().cloned().unwrap_or_default();
        let literal = (narrowable && (m.fixed_strings || !pat.chars().any(|c| META.contains(c))))
            .then_some(pat);
        let insensitive = match m.case {
            Case::Sensitive => false,
            Case::Insensitive => true,
            Case::Smart => !literal.as_deref().unwrap_or("").chars().any(char::is_uppercase),
        };
        let mut matcher = m.clone();
        matcher.patterns.clear();
        matcher.case = Case::Sensitive;
        matcher.fixed_strings = false;
        // The printer's options change how lines look, not which match.
        let rest = serde_json::to_string(&(matcher, &q.searcher, &q.input)).unwrap_or_default();
        Key { literal, insensitive, rest }
    }

    /// True when every line `self` can match is matched by `earlier` too,
    /// so a file `earlier` searched without a match cannot match `self`.
    pub(crate) fn implies(&self, earlier: &Key) -> bool {
        let (Some(new), Some(old)) = (&self.literal, &earlier.literal) else { return false };
        if self.rest != earlier.rest {
            return false;
        }
        if old.is_empty() {
            // The empty pattern matches every line (of a non-empty file).
            return true;
        }
        match (earlier.insensitive, self.insensitive) {
            (false, false) => new.contains(old.as_str()),
            (false, true) => false,
            (true, _) if new.is_ascii() && old.is_ascii() => {
                new.to_ascii_lowercase().contains(&old.to_ascii_lowercase())
            }
            // Unicode case folding is not simple lowercasing: only an exact
            // containment is sure.
            (true, _) => new.contains(old.as_str()),
        }
    }
}

/// A set of file positions (sequence numbers), one bit each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Adds `i`.
    pub(crate) fn set(&mut self, i: u64) {
        let (w, b) = ((i / 64) as usize, i % 64);
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }

    /// True when `i` is in the set.
    pub(crate) fn has(&self, i: u64) -> bool {
        let (w, b) = ((i / 64) as usize, i % 64);
        self.words.get(w).is_some_and(|x| x & (1 << b) != 0)
    }
}

/// What one query found out: the files it searched and those that matched.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    /// The query.
    pub(crate) key: Key,
    /// Files searched to the end.
    pub(crate) searched: Bits,
    /// Of those, the files with a match.
    pub(crate) matched: Bits,
}

impl Record {
    /// A record of `key` with nothing searched yet.
    pub(crate) fn new(key: Key) -> Record {
        Record { key, searched: Bits::default(), matched: Bits::default() }
    }

    /// True when this record proves file `i` has no match.
    fn excludes(&self, i: u64) -> bool {
        self.searched.has(i) && !self.matched.has(i)
    }
}

/// The records of a session, newest first, at most `MAX_RECORDS`.
#[derive(Debug, Default)]
pub(crate) struct Knowledge {
    records: Vec<Record>,
}

/// How many queries' findings are kept.
const MAX_RECORDS: usize = 16;

impl Knowledge {
    /// Keeps `record` (dropping the oldest beyond the limit).
    pub(crate) fn keep(&mut self, record: Record) {
        self.records.insert(0, record);
        self.records.truncate(MAX_RECORDS);
    }

    /// Forgets everything (the file list changed).
    pub(crate) fn clear(&mut self) {
        self.records.clear();
    }

    /// The records that apply to a query of `key`.
    pub(crate) fn for_key(&self, key: &Key) -> Vec<Record> {
        self.records.iter().filter(|r| key.implies(&r.key)).cloned().collect()
    }
}

/// True when one of `records` (those that apply) proves file `i` cannot
/// match.
pub(crate) fn skippable(records: &[Record], i: u64) -> bool {
    records.iter().any(|r| r.excludes(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A default query for `pattern`, then changed by `f`.
    fn query(pattern: &str, f: impl FnOnce(&mut Query)) -> Query {
        let mut q = Query::for_tests();
        q.matcher.patterns = vec![pattern.to_string()];
        f(&mut q);
        q
    }

    /// The key of `pattern` with options set by `f`.
    fn key(pattern: &str, f: impl FnOnce(&mut Query)) -> Key {
        Key::of(&query(pattern, f))
    }

    /// A literal extended at either end narrows; a different one does not.
    #[test]
    fn extended_literals_narrow() {
        let k = key("kvm", |_| {});
        assert!(key("kvm_vm", |_| {}).implies(&k));
        assert!(key("x_kvm_", |_| {}).implies(&k));
        assert!(key("kvm", |_| {}).implies(&k));
        assert!(!key("kv", |_| {}).implies(&k));
        assert!(!key("kxm", |_| {}).implies(&k));
        assert!(key("anything", |_| {}).implies(&key("", |_| {})));
        assert!(!key("", |_| {}).implies(&key("a", |_| {})));
    }

    /// Regexes never narrow, unless -F makes them literal.
    #[test]
    fn regexes_do_not_narrow_but_fixed_strings_do() {
        assert!(!key("kvm.", |_| {}).implies(&key("kvm", |_| {})));
        assert!(!key("kvm|x", |_| {}).implies(&key("kvm", |_| {})));
        assert!(!key("a+b", |_| {}).implies(&key("a", |_| {})));
        let fixed = |q: &mut Query| q.matcher.fixed_strings = true;
        assert!(key("a+b", fixed).implies(&key("a+", fixed)));
    }

    /// -v, -w, -x, -U and several patterns never narrow; other options must
    /// be the same.
    #[test]
    fn some_options_forbid_narrowing() {
        let base = key("foo", |_| {});
        assert!(!key("foobar", |q| q.searcher.invert_match = true)
            .implies(&key("foo", |q| q.searcher.invert_match = true)));
        assert!(!key("foobar", |q| q.matcher.word = true)
            .implies(&key("foo", |q| q.matcher.word = true)));
        assert!(!key("foobar", |q| q.matcher.line_regexp = true)
            .implies(&key("foo", |q| q.matcher.line_regexp = true)));
        assert!(!key("foobar", |q| q.matcher.multiline = true)
            .implies(&key("foo", |q| q.matcher.multiline = true)));
        let two = query("foobar", |q| q.matcher.patterns.push("x".into()));
        assert!(!Key::of(&two).implies(&base));
        assert!(!key("foobar", |q| q.searcher.max_count = Some(1)).implies(&base));
        // Printing options do not change which lines match.
        assert!(key("foobar", |q| q.printer.column = true).implies(&base));
    }

    /// Case: a case-sensitive query narrows from an insensitive one, not the
    /// other way round; smart case follows the pattern's letters.
    #[test]
    fn case_rules() {
        let i = |q: &mut Query| q.matcher.case = Case::Insensitive;
        let smart = |q: &mut Query| q.matcher.case = Case::Smart;
        assert!(key("FooBar", i).implies(&key("foo", i)));
        assert!(key("FooBar", |_| {}).implies(&key("foo", i)));
        assert!(!key("foobar", i).implies(&key("foo", |_| {})));
        assert!(!key("Foobar", |_| {}).implies(&key("foo", |_| {})));
        // -S: "foo" ignores case, "fooB" does not: still a narrowing.
        assert!(key("fooB", smart).implies(&key("foo", smart)));
        // Non-ASCII under case folding: only exact containment counts.
        assert!(key("straße", i).implies(&key("straß", i)));
        assert!(!key("STRASSE", i).implies(&key("straß", i)));
    }

    /// A file is skipped only when an applicable record searched it and
    /// found nothing.
    #[test]
    fn records_skip_only_proven_misses() {
        let mut k = Knowledge::default();
        let mut r = Record::new(key("kv", |_| {}));
        r.searched.set(1);
        r.searched.set(2);
        r.matched.set(2);
        k.keep(r);
        let rs = k.for_key(&key("kvm", |_| {}));
        assert_eq!(rs.len(), 1);
        assert!(skippable(&rs, 1), "searched, no match");
        assert!(!skippable(&rs, 2), "matched: must be searched again");
        assert!(!skippable(&rs, 3), "never searched");
        assert!(k.for_key(&key("xyz", |_| {})).is_empty());
        k.clear();
        assert!(k.for_key(&key("kvm", |_| {})).is_empty());
    }
}
