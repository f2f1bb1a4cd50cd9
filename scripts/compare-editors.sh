#!/usr/bin/env bash
# Runs the exact command lines that editors pass to ripgrep (VS Code, telescope.nvim, Neovim's
# grepprg, fzf.vim, fzf-lua, consult, deadgrep, Emacs xref; see
# shared/research/users-and-editors.md section 2) with both dn and `rg --sort path` on a tree,
# and prints same/DIFF per command line. Compared: stdout bytes (for --json with the
# `elapsed`/`elapsed_total` objects removed), exit code, and stderr (with the `rg: `/`dn: `
# prefix and the tool's name in "not available in this build of ..." made equal).
#   usage: scripts/compare-editors.sh TREE [DN_BINARY]
# Exit status: 0 when every command line agrees, 1 otherwise, 2 on a usage problem.
set -uo pipefail
tree=${1:?usage: compare-editors.sh TREE [DN_BINARY]}
dn=${2:-$(cd "$(dirname "$0")/.." && pwd)/target/release/dn}
command -v rg >/dev/null || { echo "rg not found (cargo install ripgrep)"; exit 2; }
[ -x "$dn" ] || { echo "dn binary not found: $dn (cargo build --release)"; exit 2; }
cd "$tree" || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# VS Code's default excludes (files.exclude + search.exclude), as getRgArgs passes them.
vsx="-g '!**/.git' -g '!**/.svn' -g '!**/.hg' -g '!**/CVS' -g '!**/.DS_Store'"
vsx="$vsx -g '!**/Thumbs.db' -g '!**/node_modules' -g '!**/bower_components' -g '!**/*.code-search'"
vs="--hidden --no-require-git --ignore-case"

# name|arguments (shell words, split with eval). A name starting with `xargs-` reads a
# NUL-separated file list from `rg --files -0 --sort path` with the given glob and runs the
# command through `xargs -0`, as Emacs xref does.
lines=(
  "vscode-regex|$vs $vsx --no-ignore-parent --crlf --engine auto --regexp 'pm_resume\\w*\\(.*\$' --no-config --no-ignore-global --json -- ."
  "vscode-includes|$vs -g '!*' -g /drivers -g '/drivers/**' -g '/drivers/**/*.h' -g '/drivers/**/*.h/**' -g '**/Kconfig' $vsx --no-ignore-parent --crlf --engine auto --regexp 'PM_RESUME|CONFIG_PM_SLEEP' --no-config --no-ignore-global --json -- ."
  "vscode-fixed|$vs $vsx --no-ignore-parent --crlf --fixed-strings --no-config --no-ignore-global --json --before-context 1 --after-context 1 -- 'pm_runtime_resume(&' ."
  "vscode-multiline|$vs $vsx --no-ignore-parent --crlf --engine auto --regexp 'static int \\w+_suspend\\(struct device \\*dev\\)\\r?\\n\\{' --no-config --no-ignore-global --json --multiline -- ."
  "vscode-word|--hidden --no-require-git --case-sensitive $vsx --no-ignore-parent --crlf --regexp '\\bTorvalds\\b' --no-config --no-ignore-global --json -- ."
  "vscode-bad-regex|$vs $vsx --no-ignore-parent --crlf --engine auto --regexp 'pm_resume(' --no-config --no-ignore-global --json -- ."
  "vscode-files|--files --hidden --case-sensitive --no-require-git $vsx --no-ignore-parent --follow --no-config --no-ignore-global"
  "telescope|--color=never --no-heading --with-filename --line-number --column --smart-case -- pm_resume"
  "telescope-upper|--color=never --no-heading --with-filename --line-number --column --smart-case -- PM_RESUME"
  "telescope-bad-regex|--color=never --no-heading --with-filename --line-number --column --smart-case -- 'pm_resume('"
  "telescope-files|--files --color never"
  "neovim-grepprg|--vimgrep -uu PM_RESUME"
  "consult|--null --line-buffered --color=never --max-columns=1000 --path-separator / --smart-case --no-heading --with-filename --line-number --search-zip -e 'pm_resume|PM_RESUME'"
  "fzf.vim|--column --line-number --no-heading --color=always --smart-case -- Torvalds"
  "fzf-lua|--column --line-number --no-heading --color=always --smart-case --max-columns=4096 -e 'EXPORT_SYMBOL_GPL\\(pm_'"
  "fzf-lua-files|--color=never --files -g '!.git' -g '!.jj'"
  "deadgrep|--no-config --color=ansi --line-number --no-heading --no-column --with-filename --smart-case --glob=!/.git/ -- pm_resume ."
  "deadgrep-fixed|--no-config --color=ansi --line-number --no-heading --no-column --with-filename --fixed-strings --word-regexp --case-sensitive --type=c --before-context=1 --after-context=1 --glob=!/.git/ -- pm_runtime_resume ."
  "xargs-xref|--null -nH --no-heading --no-messages -g '!*/' -e 'pm_(suspend|resume)'"
  "plain-json|--json PM_RESUME"
)

# Runs one side; $1 is the program (an array name), the rest its arguments.
run_side() {
  local out=$1 err=$2 json=$3 xref=$4
  shift 4
  if [ "$xref" = 1 ]; then
    rg --files -0 --sort path -g 'include/linux/pm*.h' | xargs -0 "$@" >"$out.raw" 2>"$err.raw"
  else
    "$@" </dev/null >"$out.raw" 2>"$err.raw"
  fi
  local rc=$?
  if [ "$json" = 1 ]; then
    sed -E 's/"elapsed(_total)?":\{[^}]*\}//g' "$out.raw" >"$out"
  else
    cp "$out.raw" "$out"
  fi
  sed -E 's/^(rg|dn): //; s/this build of (ripgrep|dn)$/this build of TOOL/' "$err.raw" >"$err"
  echo "$rc"
}

fail=0
for line in "${lines[@]}"; do
  name=${line%%|*}
  words=${line#*|}
  eval "args=($words)"
  json=0
  [[ " $words " == *" --json "* ]] && json=1
  xref=0
  [[ $name == xargs-* ]] && xref=1
  a=$(run_side "$work/dn.out" "$work/dn.err" $json $xref "$dn" "${args[@]}")
  b=$(run_side "$work/rg.out" "$work/rg.err" $json $xref rg --sort path "${args[@]}")
  what=()
  [ "$a" == "$b" ] || what+=("exit dn=$a rg=$b")
  cmp -s "$work/dn.out" "$work/rg.out" || what+=("stdout ($(wc -c <"$work/dn.out") vs $(wc -c <"$work/rg.out") bytes)")
  cmp -s "$work/dn.err" "$work/rg.err" || what+=("stderr")
  if [ ${#what[@]} -eq 0 ]; then
    printf 'same  %-20s %s bytes, exit %s\n' "$name" "$(wc -c <"$work/rg.out")" "$b"
  else
    fail=1
    printf 'DIFF  %-20s %s\n' "$name" "$(IFS=';'; echo "${what[*]}")"
    printf '      args: %s\n' "$words"
    for s in out err; do
      if ! cmp -s "$work/dn.$s" "$work/rg.$s"; then
        diff "$work/rg.$s" "$work/dn.$s" | head -6 | cut -c1-200 | sed "s/^/      $s (<rg >dn) /"
      fi
    done
  fi
done
exit $fail
