#!/usr/bin/env bash
# The man page and the shell completions against the built binary: every subcommand and every
# option that `--help` lists is documented in tcptune(1) and known to both completions; every
# command's --help has an example; the man page renders without warnings; bash completion
# really completes subcommands, formats, states and severities.
# Usage: docs_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$(realpath "$1") src=$(realpath "$2")
man=$src/packaging/man/tcptune.1
bashc=$src/packaging/completions/tcptune.bash
zshc=$src/packaging/completions/_tcptune
export TCPTUNE_DATADIR=$src NO_COLOR=1

# Subcommands: the lines between "Subcommands:" and the next blank line of `tcptune --help`.
mapfile -t commands < <("$bin" --help | awk '/^Subcommands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
[ "${#commands[@]}" -ge 4 ] && pass "${#commands[@]} subcommands: ${commands[*]}" || fail "no subcommands parsed"

# Long options of a help text (the option column only, not the descriptions).
options_of() { awk '/^Options:/ { on = 1; next } /^[A-Z][a-z]+:/ { on = 0 } on && /^  -/ { print $1 }' \
  | tr ',' '\n' | sed -n 's/^\(--[a-z][a-z-]*\).*/\1/p' | sort -u; }

check_option() {  # command option
  local roff=${2//-/\\-}
  grep -qF -- "$roff" "$man" || fail "man page lacks $2 of ${1:-tcptune}"
  grep -qE -- "(^|[ \"])$2( |\"|$)" "$bashc" || fail "bash completion lacks $2 of ${1:-tcptune}"
  grep -qE -- "(^|[ '{,()*])$2([=\[',}]|$)" "$zshc" || fail "zsh completion lacks $2 of ${1:-tcptune}"
}

for opt in $("$bin" --help | options_of); do [ "$opt" = --help ] || check_option "" "$opt"; done
for cmd in "${commands[@]}"; do
  help=$("$bin" "$cmd" --help)
  grep -qF ".SS \"tcptune $cmd" "$man" && pass "man section for $cmd" || fail "man page has no section for $cmd"
  grep -qE "(^|[ \"])$cmd( |\"|$)" "$bashc" || fail "bash completion lacks command $cmd"
  grep -qE "^ *$cmd\\\\:" "$zshc" || fail "zsh completion lacks command $cmd"
  # The command's own example, not only the inherited footer of `tcptune --help`.
  grep -qE "^(Example: +|  )tcptune $cmd( |$)" <<<"$help" || fail "'tcptune $cmd --help' has no example of $cmd"
  for opt in $(options_of <<<"$help"); do
    case $opt in --help|--root|--no-color) ;; *) check_option "$cmd" "$opt" ;; esac
  done
done

# Every exit code and environment variable is in the man page.
for code in 0 1 2 3; do grep -qx ".B $code" "$man" || fail "man page lacks exit status $code"; done
for var in TCPTUNE_DATADIR NO_COLOR; do grep -q "^.B $var" "$man" || fail "man page lacks $var"; done

# The page renders cleanly.
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null || true)
  [ -z "$warnings" ] && pass "man page renders without warnings" || fail "man warnings: $warnings"
fi

bash -n "$bashc" && pass "bash completion parses" || fail "bash -n $bashc"
if command -v zsh >/dev/null; then zsh -n "$zshc" && pass "zsh completion parses" || fail "zsh -n $zshc"; fi

# Drive the bash completion function as bash does (needs bash-completion's _init_completion).
if [ -r /usr/share/bash-completion/bash_completion ]; then
  complete_words() {  # words... (the last one is being completed)
    PATH="$(dirname "$bin"):$PATH" bash -c '
      . /usr/share/bash-completion/bash_completion; . "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _tcptune; printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" "$@"
  }
  expect_completion() {  # expected-word words...
    local want=$1; shift
    local offered; offered=$(complete_words "$@") || true
    grep -qx -- "$want" <<<"$offered" && pass "completes '$*' with $want" \
      || fail "'$*' does not offer $want; offered: $(tr '\n' ' ' <<<"$offered")"
  }
  expect_completion audit tcptune ""
  expect_completion sockets tcptune so
  expect_completion prometheus tcptune audit --format ""
  expect_completion critical tcptune audit --fail-on cr
  expect_completion time-wait tcptune sockets --state time
  expect_completion close-wait tcptune --root / sockets --state ""
  expect_completion --fail-on tcptune audit --f
  expect_completion net.ipv4.tcp_fin_timeout tcptune explain net.ipv4.tcp_fin
  if "$bin" profiles >/dev/null 2>&1; then
    first=$("$bin" profiles | awk 'NR == 2 { print $1 }')
    expect_completion "$first" tcptune apply --profile ""
  fi
fi
finish
