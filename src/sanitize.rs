//! Makes bytes from files (their lines and their names) harmless on a
//! terminal: every control character but tab and newline (C0, DEL, and the
//! C1 controls, whether encoded in UTF-8 or as lone bytes) is shown in a
//! visible notation instead of being sent, so no file can move the cursor,
//! hide a line, set the clipboard or forge a link. A carriage return just
//! before a newline (a CRLF line end) is harmless and kept.
//!
//! Used only when the output is a terminal; piped output is never touched.

/// What to write around each escaped character (to set it apart), if
/// anything: reverse video, for output that is coloured.
pub(crate) const MARK_ON: &[u8] = b"\x1b[7m";
/// Ends what `MARK_ON` started.
pub(crate) const MARK_OFF: &[u8] = b"\x1b[27m";

/// True when no byte of `bytes` could need escaping (plain ASCII text with
/// tabs and newlines): the fast path, checked 32 bytes at a time without
/// branches, so it vectorizes.
pub(crate) fn is_clean(bytes: &[u8]) -> bool {
    let bad = |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') | (b >= 0x7f);
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |acc, &b| acc | bad(b)) {
            return false;
        }
    }
    !chunks.remainder().iter().any(|&b| bad(b))
}

/// Appends `bytes` to `out` with every control character escaped; `mark`
/// says whether to set escapes apart in reverse video. Valid UTF-8 and
/// invalid bytes that are not controls pass unchanged.
pub(crate) fn escape_into(out: &mut Vec<u8>, bytes: &[u8], mark: bool) {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (seq_len, escaped) = classify(bytes, i);
        match escaped {
            Some(code) => {
                if mark {
                    out.extend_from_slice(MARK_ON);
                }
                notation(out, code, seq_len == 1 && b >= 0x80);
                if mark {
                    out.extend_from_slice(MARK_OFF);
                }
            }
            None => out.extend_from_slice(&bytes[i..i + seq_len]),
        }
        i += seq_len;
    }
}

/// Returns `bytes` escaped (a convenience for messages and the screen).
pub(crate) fn escaped(bytes: &[u8]) -> Vec<u8> {
    if is_clean(bytes) {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len() + 8);
    escape_into(&mut out, bytes, false);
    out
}

/// Looks at the character starting at `bytes[i]`: its length in bytes,
/// and the control code it stands for when it must be escaped.
fn classify(bytes: &[u8], i: usize) -> (usize, Option<u32>) {
    let b = bytes[i];
    match b {
        b'\t' | b'\n' => (1, None),
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => (1, None),
        0x00..=0x1f | 0x7f => (1, Some(u32::from(b))),
        0x20..=0x7e => (1, None),
        _ => match utf8_len(&bytes[i..]) {
            // U+0080..U+009F, the C1 controls, as UTF-8 (C2 80..C2 9F).
            Some(2) if b == 0xc2 && (0x80..=0x9f).contains(&bytes[i + 1]) => {
                (2, Some(u32::from(bytes[i + 1])))
            }
            Some(n) => (n, None),
            // A lone byte 0x80..0x9F is a C1 control to an 8-bit terminal.
            None if (0x80..=0x9f).contains(&b) => (1, Some(u32::from(b))),
            None => (1, None),
        },
    }
}

/// The length of the valid UTF-8 sequence at the start of `bytes`, if one
/// starts there.
fn utf8_len(bytes: &[u8]) -> Option<usize> {
    let n = match bytes[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let seq = bytes.get(..n)?;
    std::str::from_utf8(seq).ok().map(|_| n)
}

/// Writes the visible form of control `code`: caret notation for C0 and
/// DEL (`^[`, `^M`, `^?`), `\u009b` for a C1 character, `\x9b` for a lone
/// byte.
fn notation(out: &mut Vec<u8>, code: u32, lone_byte: bool) {
    match code {
        0x00..=0x1f => out.extend_from_slice(&[b'^', (code as u8) + 0x40]),
        0x7f => out.extend_from_slice(b"^?"),
        _ if lone_byte => out.extend_from_slice(format!("\\x{code:02x}").as_bytes()),
        _ => out.extend_from_slice(format!("\\u{code:04x}").as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaped form of `bytes`, without marks.
    fn esc(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        escape_into(&mut out, bytes, false);
        String::from_utf8(out).unwrap()
    }

    /// Every escape sequence of the attacks on record becomes inert text.
    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(esc(b"a\x1b]52;c;ZXZpbA==\x07b"), "a^[]52;c;ZXZpbA==^Gb");
        assert_eq!(esc(b"ok\x1b[2K\rgone\n"), "ok^[[2K^Mgone\n");
        assert_eq!(
            esc(b"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "^[]8;;http://x^[\\link^[]8;;^[\\"
        );
        assert_eq!(esc(b"del\x7f nul\x00"), "del^? nul^@");
    }

    /// C1 controls are escaped in UTF-8 and as lone bytes; other UTF-8
    /// (whose continuation bytes can be 0x80..0x9F) and invalid bytes pass.
    #[test]
    fn c1_controls_are_escaped_and_other_text_passes() {
        assert_eq!(esc("csi\u{9b}2J".as_bytes()), "csi\\u009b2J");
        assert_eq!(esc(b"lone\x9bx"), "lone\\x9bx");
        assert_eq!(esc("€ é ü 日本".as_bytes()), "€ é ü 日本");
        let mut out = Vec::new();
        escape_into(&mut out, b"bad\xff\xfe", false);
        assert_eq!(out, b"bad\xff\xfe");
    }

    /// Tabs, newlines and CRLF line ends are kept; a lone CR is not.
    #[test]
    fn tabs_newlines_and_crlf_are_kept() {
        assert_eq!(esc(b"a\tb\r\nc\rd\n"), "a\tb\r\nc^Md\n");
    }

    /// The fast check says clean only when nothing needs escaping, at any
    /// position in a long buffer.
    #[test]
    fn the_fast_check_finds_any_bad_byte() {
        let mut text = b"fn main() {\n\tlet x = 1;\n}\n".repeat(10);
        assert!(is_clean(&text));
        for at in [0, 31, 32, 33, text.len() - 1] {
            let keep = text[at];
            text[at] = 0x1b;
            assert!(!is_clean(&text), "missed at {at}");
            text[at] = keep;
        }
        assert!(!is_clean("é".as_bytes()), "non-ASCII takes the careful path");
    }

    /// With marks, each escape is set apart in reverse video.
    #[test]
    fn marks_wrap_each_escape() {
        let mut out = Vec::new();
        escape_into(&mut out, b"x\x1by", true);
        assert_eq!(out, b"x\x1b[7m^[\x1b[27my");
    }
}
