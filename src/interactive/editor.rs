//! Opening a result in the user's editor: `$VISUAL`, else `$EDITOR`, else
//! `vi`, each with its own way of saying "at this line" (`+LINE FILE` for
//! vi, vim, nvim, emacs, nano and most others, `-g FILE:LINE` for VS Code,
//! `FILE:LINE` for helix, Sublime Text and micro).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The command line that opens `path` at `line` with `editor` (the value of
/// $VISUAL or $EDITOR: a program and its own arguments, split at spaces).
pub(crate) fn command_line(editor: &str, path: &[u8], line: u64) -> Vec<OsString> {
    let mut words: Vec<OsString> = editor.split_whitespace().map(OsString::from).collect();
    if words.is_empty() {
        words.push("vi".into());
    }
    let program = Path::new(&words[0]).file_name().map(|n| n.to_string_lossy().into_owned());
    let file = OsStr::from_bytes(path).to_os_string();
    let mut at = file.clone();
    at.push(format!(":{line}"));
    match program.as_deref().unwrap_or("") {
        "code" | "code-insiders" | "codium" | "vscodium" | "cursor" => {
            words.push("-g".into());
            words.push(at);
        }
        "hx" | "helix" | "subl" | "sublime_text" | "micro" | "zed" => words.push(at),
        _ => {
            words.push(format!("+{line}").into());
            words.push(file);
        }
    }
    words
}

/// The editor the user asked for: $VISUAL, else $EDITOR, else vi.
pub(crate) fn chosen() -> String {
    let pick = |var| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    pick("VISUAL").or_else(|| pick("EDITOR")).unwrap_or_else(|| "vi".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line syntax of each editor family.
    fn line_of(editor: &str) -> Vec<String> {
        command_line(editor, b"src/a b.rs", 42)
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect()
    }

    /// Each editor gets its own way of naming the line; arguments in the
    /// variable are kept; a path with a space stays one argument.
    #[test]
    fn editors_get_their_line_syntax() {
        assert_eq!(line_of("vim"), ["vim", "+42", "src/a b.rs"]);
        assert_eq!(line_of("/usr/bin/nvim"), ["/usr/bin/nvim", "+42", "src/a b.rs"]);
        assert_eq!(line_of("emacsclient -t"), ["emacsclient", "-t", "+42", "src/a b.rs"]);
        assert_eq!(line_of("nano"), ["nano", "+42", "src/a b.rs"]);
        assert_eq!(line_of("code --wait"), ["code", "--wait", "-g", "src/a b.rs:42"]);
        assert_eq!(line_of("hx"), ["hx", "src/a b.rs:42"]);
        assert_eq!(line_of("helix"), ["helix", "src/a b.rs:42"]);
        assert_eq!(line_of(""), ["vi", "+42", "src/a b.rs"]);
    }
}
