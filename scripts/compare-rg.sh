#!/usr/bin/env bash
# Runs a list of searches with both dn and `rg --sort path` on a tree and
# reports every difference in stdout bytes and exit code.
#   usage: scripts/compare-rg.sh TREE [DN_BINARY]
# Exit status: 0 when every search agrees, 1 otherwise.
set -uo pipefail
tree=${1:?usage: compare-rg.sh TREE [DN_BINARY]}
dn=${2:-$(cd "$(dirname "$0")/.." && pwd)/target/release/dn}
command -v rg >/dev/null || { echo "rg not found (cargo install ripgrep)"; exit 2; }
cd "$tree" || exit 2
searches=(
  "PM_RESUME"
  "-i pm_resume"
  "-w [A-Z]+_SUSPEND"
  "ERR_SYS|PME_TURN_OFF|LINK_REQ_RST|CFG_BME_EVT"
  "\\w+_SUSPEND"
  "\\p{Greek}"
  "-c return"
  "--count-matches return"
  "-n -w Linus"
  "-l MODULE_AUTHOR"
  "--files-without-match SPDX"
  "-F -x }"
  "-C2 -n NR_syscalls"
  "-A1 -B3 --heading CONFIG_PM_SLEEP"
  "--vimgrep -w spin_lock_irqsave -g *.h"
  "-o -n 0x[0-9a-f]{8}\\b -t py"
  "-r XX -o kmalloc -t c -g !drivers/**"
  "--column -i torvalds"
  "-v -c a -t md"
  "--color always -n -w printk -g *.S"
  "-m2 -n EXPORT_SYMBOL_GPL"
  "--files"
  "--files -t rust"
  "-U -n static\\s+int\\s+\\w+\\(void\\)\\s*\\{"
  "--trim -n -w goto\\s+out -t sh"
  "-M 40 -n ZZZZ|copyright -i -g *.txt"
  "--null -l -S Greg"
  "-uu -l -F .gitignore"
  "--passthru -n zzqq Documentation/process/howto.rst"
  "--json -w PM_RESUME"
  "--sortr path -l -w MAINTAINERS"
  "-z -c PM_RESUME"
)
fail=0
for s in "${searches[@]}"; do
  # shellcheck disable=SC2086
  a=$("$dn" $s </dev/null 2>/dev/null | { if [[ $s == --json* ]]; then sed -E 's/"elapsed(_total)?":\{[^}]*\}//g; s/"bytes_printed":[0-9]+//g'; else cat; fi } | md5sum; echo "rc=${PIPESTATUS[0]}")
  b=$(rg --sort path $s </dev/null 2>/dev/null | { if [[ $s == --json* ]]; then sed -E 's/"elapsed(_total)?":\{[^}]*\}//g; s/"bytes_printed":[0-9]+//g'; else cat; fi } | md5sum; echo "rc=${PIPESTATUS[0]}")
  if [ "$a" == "$b" ]; then
    echo "same  $s"
  else
    echo "DIFF  $s   dn: $(echo $a)   rg: $(echo $b)"
    fail=1
  fi
done
exit $fail
