#!/usr/bin/env bash
# Runs ripgrep 15.2.0's own integration test suite (its tests/ directory, the
# `integration` test target) against dn, as the judge of dn's drop-in claim.
#
#   usage: scripts/rg-suite.sh [options]
#
#   --work-dir DIR       where everything is fetched/built/run
#                        (default: $DN_RG_SUITE_DIR or ${TMPDIR:-/tmp}/dn-rg-suite)
#   --binary PATH        test PATH instead of building dn (e.g. a real rg)
#   --binary-pcre2 PATH  binary for the pcre2 build (default: the --binary one)
#   --reference          test the rg that ripgrep's own build produced (self-check)
#   --quick              skip the pcre2 build (also: DN_RG_SUITE_QUICK=1)
#   --record             rewrite the pass list from this run
#   --pass-file FILE     pass list (default: scripts/rg-suite-pass.txt)
#   --test-threads N     libtest threads (default: libtest's choice)
#   --timeout SECS       limit for one run of a test executable (default 1800)
#   -h, --help
#
# What it does: fetches ripgrep 15.2.0 from crates.io with `cargo fetch` (a
# throwaway project that depends on it), copies the crate into the work dir,
# builds its `integration` test executable twice (without and with the
# `pcre2` feature, in separate target dirs), builds dn (`cargo build
# --release` here) and copies it to where ripgrep's harness runs `rg` from
# (<test exe dir>/../rg, i.e. <target>/debug/rg), then runs every test.
#
# Failures that are only due to dn's `dn:` message prefix (where rg says
# `rg:`) count as passes, but are counted separately: each failing test is run
# again with dn (to catch flaky ones), then with a wrapper as `rg` that runs
# dn with `dn:` at the start of stderr lines rewritten to `rg:`; a test that
# fails both times with dn but passes with the wrapper is "prefix-only".
#
# Pass list: lines "BUILD TEST" (BUILD is default or pcre2); any listed test
# that does not pass (prefix-only counts as passing) is a regression.
# Exit status: 0 no regression (or no pass list), 1 regression, 2 setup error.
# Logs: WORK/logs/. The machine's decompression tools (xz, gzip, bzip2, lz4,
# brotli, zstd, uncompress) are installed with apt-get when missing (as root),
# since ripgrep's -z tests silently pass without them; DN_RG_SUITE_NO_APT=1
# turns that off.
set -euo pipefail
export LC_COLLATE=C  # sort/comm/join agree

RG_VERSION=15.2.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

work=${DN_RG_SUITE_DIR:-${TMPDIR:-/tmp}/dn-rg-suite}
pass_file=$here/rg-suite-pass.txt
binary=
binary_pcre2=
reference=0
record=0
quick=${DN_RG_SUITE_QUICK:-0}
threads=
timeout_s=${DN_RG_SUITE_TIMEOUT:-1800}

say() { printf '[rg-suite] %s\n' "$*" >&2; }
die() { printf '[rg-suite] error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --work-dir) work=${2:?--work-dir needs a value}; shift 2 ;;
    --binary) binary=${2:?--binary needs a value}; shift 2 ;;
    --binary-pcre2) binary_pcre2=${2:?--binary-pcre2 needs a value}; shift 2 ;;
    --reference) reference=1; shift ;;
    --quick) quick=1; shift ;;
    --record) record=1; shift ;;
    --pass-file) pass_file=${2:?--pass-file needs a value}; shift 2 ;;
    --test-threads) threads=${2:?--test-threads needs a value}; shift 2 ;;
    --timeout) timeout_s=${2:?--timeout needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $quick == 1 ]] && builds=(default) || builds=(default pcre2)
[[ -n $binary && $reference == 1 ]] && die "--binary and --reference exclude each other"
abspath() { [[ $1 == /* ]] && printf '%s\n' "$1" || printf '%s/%s\n' "$PWD" "$1"; }
if [[ -n $binary ]]; then binary=$(abspath "$binary"); [[ -x $binary ]] || die "not executable: $binary"; fi
if [[ -n $binary_pcre2 ]]; then binary_pcre2=$(abspath "$binary_pcre2"); [[ -x $binary_pcre2 ]] || die "not executable: $binary_pcre2"; fi
pass_file=$(abspath "$pass_file")

command -v cargo >/dev/null || die "cargo not found"
mkdir -p "$work"
work=$(cd "$work" && pwd)
logs=$work/logs
mkdir -p "$logs" "$work/bin" "$work/home/.config"

# One run at a time per work dir.
if command -v flock >/dev/null; then
  exec 9>"$work/.lock"
  flock -n 9 || { say "waiting for another run using $work"; flock 9; }
fi

declare -A phase_secs=()
phase_order=()
phase() { # NAME CMD...: runs CMD, records its wall time
  local name=$1 t0=$SECONDS; shift
  "$@"
  phase_secs[$name]=$((SECONDS - t0)); phase_order+=("$name")
  say "$name took ${phase_secs[$name]}s"
}

# ---------------------------------------------------------------- tools
ensure_tools() {
  local -A pkg_of=([xz]=xz-utils [xzcat]=xz-utils [gzip]=gzip [uncompress]=gzip
                   [bzip2]=bzip2 [lz4]=lz4 [brotli]=brotli [zstd]=zstd [cc]=gcc)
  local t missing=() pkgs=()
  for t in cc xz xzcat gzip uncompress bzip2 lz4 brotli zstd; do
    command -v "$t" >/dev/null || { missing+=("$t"); pkgs+=("${pkg_of[$t]}"); }
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ ${DN_RG_SUITE_NO_APT:-0} != 1 && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing missing tools (${missing[*]}) with apt-get"
    local u=$(printf '%s\n' "${pkgs[@]}" | sort -u)
    # shellcheck disable=SC2086
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $u >"$logs/apt.log" 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$logs/apt.log" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $u >>"$logs/apt.log" 2>&1 || true
    fi
  fi
  missing=()
  for t in xz xzcat gzip uncompress bzip2 lz4 brotli zstd; do
    command -v "$t" >/dev/null && "$t" --help >/dev/null 2>&1 || missing+=("$t")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    say "warning: missing ${missing[*]}: ripgrep's tests for those formats will pass without testing anything"
  fi
  command -v cc >/dev/null || say "warning: no C compiler (cc): the pcre2 build will fail"
  return 0
}

# ---------------------------------------------------------------- fetch
src=$work/ripgrep-$RG_VERSION
fetch_source() {
  if [[ -f $src/.rg-suite-ready ]]; then say "reusing $src"; return; fi
  local f=$work/fetch
  mkdir -p "$f/src"
  cat >"$f/Cargo.toml" <<EOF
[package]
name = "dn-rg-suite-fetch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
ripgrep = "=$RG_VERSION"

[workspace]
EOF
  echo 'fn main() {}' >"$f/src/main.rs"
  say "fetching ripgrep $RG_VERSION from crates.io (cargo fetch)"
  (cd "$f" && cargo fetch) >"$logs/fetch.log" 2>&1 || { cat "$logs/fetch.log" >&2; die "cargo fetch failed"; }
  local manifest
  manifest=$(cd "$f" && cargo metadata --format-version 1 2>>"$logs/fetch.log" |
    grep -o "\"manifest_path\":\"[^\"]*/ripgrep-$RG_VERSION/Cargo.toml\"" | head -n1 |
    sed 's/^"manifest_path":"//; s/"$//') || true
  local crate=${manifest%/Cargo.toml}
  if [[ -z $manifest || ! -d $crate/tests ]]; then
    crate=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"ripgrep-$RG_VERSION" 2>/dev/null | head -n1) || true
  fi
  [[ -n $crate && -f $crate/tests/util.rs ]] || die "could not find ripgrep-$RG_VERSION's source with tests/ (see $logs/fetch.log)"
  say "copying $crate to $src"
  rm -rf "$src.tmp"
  cp -R "$crate" "$src.tmp"
  chmod -R u+w "$src.tmp"
  # Standalone package, whatever directory the work dir is under.
  grep -q '^\[workspace\]' "$src.tmp/Cargo.toml" || printf '\n[workspace]\n' >>"$src.tmp/Cargo.toml"
  touch "$src.tmp/.rg-suite-ready"
  rm -rf "$src"
  mv "$src.tmp" "$src"
}

# ---------------------------------------------------------------- builds
# Executable path of the artifact whose JSON line matches all given patterns.
artifact_exe() { # JSONFILE PATTERN...
  local file=$1; shift
  local lines
  lines=$(grep '"reason":"compiler-artifact"' "$file") || return 1
  local p
  for p in "$@"; do lines=$(grep -F -- "$p" <<<"$lines") || return 1; done
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' <<<"$lines" | tail -n1
}

declare -A test_exe=() rg_path=() ref_rg=()
build_suite() { # BUILD
  local b=$1 feats=()
  [[ $b == pcre2 ]] && feats=(--features pcre2)
  local tgt=$work/target-$b json=$logs/build-$b.json log=$logs/build-$b.log
  say "building ripgrep's integration tests ($b) in $tgt"
  if ! (cd "$src" && CARGO_TARGET_DIR=$tgt cargo test --no-run --locked --test integration \
        "${feats[@]}" --message-format=json-render-diagnostics) >"$json" 2>"$log"; then
    say "locked build failed; retrying without --locked"
    (cd "$src" && CARGO_TARGET_DIR=$tgt cargo test --no-run --test integration \
      "${feats[@]}" --message-format=json-render-diagnostics) >"$json" 2>>"$log" ||
      { tail -n 30 "$log" >&2; die "building ripgrep's tests ($b) failed (see $log)"; }
  fi
  local exe
  exe=$(artifact_exe "$json" '"name":"integration"' '"kind":["test"]') || true
  [[ -n $exe && -x $exe ]] || die "no integration test executable in $json"
  test_exe[$b]=$exe
  # The harness runs env::current_exe().parent()/../rg (tests/util.rs, Dir::bin).
  rg_path[$b]=$(cd "$(dirname "$exe")/.." && pwd)/rg
  # ripgrep's own rg (kept for --reference): the deps/ copy, which the
  # installs below never write to (they replace target/debug/rg by rename).
  local built
  built=$(artifact_exe "$json" '"name":"rg"' '"kind":["bin"]') || true
  local dep
  dep=$(ls -t "$(dirname "$exe")"/rg-* 2>/dev/null | grep -v '\.d$' | head -n1) || true
  if [[ -n $dep && -x $dep ]]; then ref_rg[$b]=$dep; else ref_rg[$b]=$built; fi
}

dn_bin=
build_dn() {
  local json=$logs/build-dn.json log=$logs/build-dn.log
  say "building dn (cargo build --release in $repo)"
  (cd "$repo" && cargo build --release --message-format=json-render-diagnostics) >"$json" 2>"$log" ||
    { tail -n 30 "$log" >&2; die "building dn failed (see $log; --binary PATH tests an existing build)"; }
  local exe
  exe=$(artifact_exe "$json" '"name":"dn"' '"kind":["bin"]') || true
  [[ -n $exe ]] || exe=$repo/target/release/dn
  [[ -x $exe ]] || die "dn binary not found after build ($exe)"
  # Snapshot it so a concurrent rebuild cannot change what is being tested.
  cp "$exe" "$work/bin/dn.tmp" && mv -f "$work/bin/dn.tmp" "$work/bin/dn"
  dn_bin=$work/bin/dn
}

install_as_rg() { # SRC DEST: a copy, never writing through a hard link
  cp "$1" "$2.tmp.$$"
  chmod 755 "$2.tmp.$$"
  mv -f "$2.tmp.$$" "$2"
}

make_wrapper() { # BIN OUT
  cat >"$2" <<EOF
#!/usr/bin/env bash
# rg-suite wrapper: runs $1 with "dn:" at the start of stderr lines turned into "rg:".
exec 2> >(LC_ALL=C exec sed -u 's/^dn:/rg:/' >&2)
exec '$1' "\$@"
EOF
  chmod 755 "$2"
}

# ---------------------------------------------------------------- runs
run_exe() { # BUILD TAG LOG [libtest args...]: runs the suite, prints "name result" lines
  local b=$1 tag=$2 log=$3; shift 3
  local tmp=$work/tmp-$b-$tag
  rm -rf "$tmp"; mkdir -p "$tmp"
  local targs=()
  [[ -n $threads ]] && targs=(--test-threads "$threads")
  set +e
  (cd "$src" && env -u RIPGREP_CONFIG_PATH -u CROSS_RUNNER -u XDG_CONFIG_HOME -u GIT_DIR \
      TMPDIR="$tmp" HOME="$work/home" RUST_BACKTRACE=0 \
      timeout -k 30 "$timeout_s" "${test_exe[$b]}" "${targs[@]}" "$@") >"$log" 2>&1 </dev/null
  local rc=$?
  set -e
  [[ $rc == 124 || $rc == 137 ]] && say "warning: $b/$tag run hit the ${timeout_s}s timeout"
  sed -n -E 's/^test ([^ ]+) \.\.\. (ok|FAILED|ignored)$/\1 \2/p' "$log"
}

declare -A n_total=() n_pass=() n_prefix=() n_fail=() n_ignored=()
declare -A failed_list=() prefix_list=() flaky_list=() passing_list=() hung_list=()
run_build() { # BUILD
  local b=$1 bin
  if [[ $reference == 1 ]]; then bin=${ref_rg[$b]}
  elif [[ $b == pcre2 && -n $binary_pcre2 ]]; then bin=$binary_pcre2
  elif [[ -n $binary ]]; then bin=$binary
  else bin=$dn_bin; fi
  say "$b: running as rg: $bin"
  # Test a snapshot, so a rebuild during the run cannot change what is tested.
  cp "$bin" "$work/bin/under-test-$b.tmp" && mv -f "$work/bin/under-test-$b.tmp" "$work/bin/under-test-$b"
  bin=$work/bin/under-test-$b
  install_as_rg "$bin" "${rg_path[$b]}"

  local all=$work/$b.list res=$work/$b.results
  "${test_exe[$b]}" --list 2>/dev/null | sed -n 's/: test$//p' | sort >"$all"
  [[ -s $all ]] || die "$b: the test executable lists no tests"
  run_exe "$b" main "$logs/run-$b.log" | sort -u >"$res"

  # Tests without a result (a hang killed by the timeout): run each alone.
  rm -f "$work/$b.hung"
  local missing
  missing=$(join -v1 "$all" <(cut -d' ' -f1 "$res") || true)
  if [[ -n $missing ]]; then
    say "$b: $(wc -l <<<"$missing") tests gave no result; running them one by one"
    local t old=$timeout_s; timeout_s=${DN_RG_SUITE_TEST_TIMEOUT:-120}
    rm -f "$logs/run-$b-singles.log"
    while read -r t; do
      local r
      r=$(run_exe "$b" single "$logs/run-$b-single.log" --exact "$t" | sed -n "s/^$t //p")
      cat "$logs/run-$b-single.log" >>"$logs/run-$b-singles.log"
      echo "$t ${r:-FAILED}" >>"$res"
      if [[ -z $r ]]; then say "$b: $t gave no result (hang?)"; echo "$t" >>"$work/$b.hung"; fi
    done <<<"$missing"
    timeout_s=$old
    sort -u -o "$res" "$res"
  fi

  local fails
  fails=$(awk '$2 == "FAILED" {print $1}' "$res")
  local hung
  hung=$(sed '/^$/d' "$work/$b.hung" 2>/dev/null | sort -u || true)
  local prefix= flaky= still=
  if [[ -n $fails ]]; then
    # Hung tests are not re-run (they would only hang again).
    local retry
    retry=$(comm -23 <(printf '%s\n' "$fails") <(printf '%s\n' "$hung") | sed '/^$/d' || true)
    local again=
    if [[ -n $retry ]]; then
      local -a ra; mapfile -t ra <<<"$retry"
      say "$b: ${#ra[@]} failed; re-running them with the same binary"
      local aok
      aok=$(run_exe "$b" again "$logs/run-$b-again.log" --exact "${ra[@]}" | awk '$2 == "ok" {print $1}' | sort)
      flaky=$(comm -12 <(printf '%s\n' "${ra[@]}") <(printf '%s\n' "$aok") | sed '/^$/d' || true)
      again=$(comm -23 <(printf '%s\n' "${ra[@]}") <(printf '%s\n' "$aok") | sed '/^$/d' || true)
    fi
    if [[ -n $again ]]; then
      local -a aa; mapfile -t aa <<<"$again"
      say "$b: re-running ${#aa[@]} with the dn:->rg: stderr wrapper as rg"
      make_wrapper "$bin" "$work/bin/rg-wrapper-$b"
      install_as_rg "$work/bin/rg-wrapper-$b" "${rg_path[$b]}"
      local wpass
      wpass=$(run_exe "$b" wrapper "$logs/run-$b-wrapper.log" --exact "${aa[@]}" | awk '$2 == "ok" {print $1}' | sort)
      install_as_rg "$bin" "${rg_path[$b]}"
      prefix=$(comm -12 <(printf '%s\n' "${aa[@]}") <(printf '%s\n' "$wpass") | sed '/^$/d' || true)
    fi
    still=$(comm -23 <(printf '%s\n' "$fails") <(printf '%s\n' "$prefix") | sed '/^$/d' || true)
  fi
  hung_list[$b]=$hung
  cnt() { [[ -z $1 ]] && echo 0 || wc -l <<<"$1" | tr -d ' '; }
  n_total[$b]=$(wc -l <"$all" | tr -d ' ')
  n_pass[$b]=$(awk '$2 == "ok"' "$res" | wc -l | tr -d ' ')
  n_ignored[$b]=$(awk '$2 == "ignored"' "$res" | wc -l | tr -d ' ')
  n_prefix[$b]=$(cnt "$prefix")
  n_fail[$b]=$(cnt "$still")
  failed_list[$b]=$still
  prefix_list[$b]=$prefix
  flaky_list[$b]=$flaky
  passing_list[$b]=$( { awk '$2 == "ok" {print $1}' "$res"; printf '%s\n' "$prefix"; } | sed '/^$/d' | sort -u)
}

# ---------------------------------------------------------------- main
phase tools ensure_tools
phase fetch fetch_source
for b in "${builds[@]}"; do phase "build-$b" build_suite "$b"; done
if [[ -z $binary && $reference == 0 ]]; then phase build-dn build_dn; fi
for b in "${builds[@]}"; do phase "run-$b" run_build "$b"; done

echo
echo "ripgrep $RG_VERSION integration suite ($work)"
for b in "${builds[@]}"; do
  printf '%-8s total %s | pass %s (of which prefix-only %s) | fail %s' \
    "$b:" "${n_total[$b]}" "$(( n_pass[$b] + n_prefix[$b] ))" "${n_prefix[$b]}" "${n_fail[$b]}"
  if [[ ${n_ignored[$b]} != 0 ]]; then printf ' | ignored %s' "${n_ignored[$b]}"; fi
  echo
done
for b in "${builds[@]}"; do
  if [[ -n ${prefix_list[$b]} ]]; then
    echo "$b: prefix-only (pass once dn: reads rg:):"; sed 's/^/  /' <<<"${prefix_list[$b]}"
  fi
  if [[ -n ${failed_list[$b]} ]]; then
    echo "$b: failed:"
    while read -r t; do
      if grep -qxF "$t" <<<"${flaky_list[$b]}"; then echo "  $t (flaky: passed on re-run)"
      elif grep -qxF "$t" <<<"${hung_list[$b]}"; then echo "  $t (no result: hung past the timeout)"
      else echo "  $t"; fi
    done <<<"${failed_list[$b]}"
  fi
done
if [[ " ${builds[*]} " == *" default "* && " ${builds[*]} " == *" pcre2 "* && -n ${failed_list[pcre2]} ]]; then
  only=$(comm -13 <(printf '%s\n' "${failed_list[default]}" | sed '/^$/d' | sort) <(printf '%s\n' "${failed_list[pcre2]}" | sort) | wc -l)
  echo "pcre2: $only of its failures pass in the default build (i.e. fail only with --pcre2)"
fi
printf 'times:'
for p in "${phase_order[@]}"; do printf ' %s %ss;' "$p" "${phase_secs[$p]}"; done
echo
echo "logs: $logs"

status=0
if [[ $record == 1 ]]; then
  tmpf=$pass_file.tmp.$$
  {
    echo "# ripgrep $RG_VERSION integration tests that must pass (a prefix-only failure counts as a pass)."
    echo "# Written by scripts/rg-suite.sh --record; one \"BUILD TEST\" per line."
    for b in default pcre2; do
      if [[ " ${builds[*]} " == *" $b "* ]]; then
        if [[ -n ${passing_list[$b]} ]]; then sed "s/^/$b /" <<<"${passing_list[$b]}"; fi
      elif [[ -f $pass_file ]]; then
        grep "^$b " "$pass_file" || true
      fi
    done
  } >"$tmpf"
  mv -f "$tmpf" "$pass_file"
  echo "recorded $(grep -vc '^#' "$pass_file") passing tests in $pass_file"
elif [[ -f $pass_file ]]; then
  regress=() newpass=0
  for b in "${builds[@]}"; do
    listed=$(sed -n "s/^$b //p" "$pass_file" | sort -u)
    [[ -z $listed ]] && continue
    while read -r t; do if [[ -n $t ]]; then regress+=("$b $t"); fi; done < <(comm -23 <(printf '%s\n' "$listed") <(printf '%s\n' "${passing_list[$b]}"))
    newpass=$((newpass + $(comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "${passing_list[$b]}" | sed '/^$/d') | wc -l)))
  done
  if [[ ${#regress[@]} -gt 0 ]]; then
    echo "REGRESSIONS: ${#regress[@]} tests in $(basename "$pass_file") no longer pass:"
    printf '  %s\n' "${regress[@]}"
    status=1
  else
    echo "no regressions against $(basename "$pass_file")"
  fi
  if [[ $newpass -gt 0 ]]; then echo "$newpass passing tests are not in the pass list yet (--record adds them)"; fi
else
  echo "no pass list at $pass_file (--record writes one)"
fi
exit $status
