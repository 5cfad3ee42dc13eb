# cfbench.bash -- bash completion for cfbench: subcommands, their options,
# workloads, suites and parameter names.  The words come from the program
# itself (`cfbench --complete KIND`, its own tables), so they cannot drift.
# Use: source harness/cfbench.bash (or install as
# /usr/share/bash-completion/completions/cfbench).
_cfbench() {
  local cur prev cmd words i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local prog=${COMP_WORDS[0]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="$("$prog" --complete commands 2>/dev/null) --help --version"
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  cmd=${COMP_WORDS[1]}
  case $prev in
  --workload)
    local done=${cur%,*} last=${cur##*,}
    [ "$done" = "$cur" ] && done="" || done="$done,"
    COMPREPLY=($(compgen -P "$done" -W "$("$prog" --complete workloads 2>/dev/null)" -- "$last"))
    return ;;
  --suite)
    COMPREPLY=($(compgen -W "$("$prog" --complete suites 2>/dev/null)" -- "$cur"))
    return ;;
  --param)
    local wls=()
    for ((i = 2; i < COMP_CWORD; i++)); do
      [ "${COMP_WORDS[i]}" = --workload ] && IFS=, read -ra wls <<<"${COMP_WORDS[i+1]}"
    done
    compopt -o nospace 2>/dev/null
    COMPREPLY=($(compgen -W "$("$prog" --complete params "${wls[@]}" 2>/dev/null)" -- "$cur"))
    return ;;
  --backend) COMPREPLY=($(compgen -W "thread process thread,process" -- "$cur")); return ;;
  --pin) COMPREPLY=($(compgen -W "none compact scatter list:" -- "$cur")); return ;;
  --mode) COMPREPLY=($(compgen -W "map submit roundtrip" -- "$cur")); return ;;
  --format) COMPREPLY=($(compgen -W "text md json" -- "$cur")); return ;;
  --metric) COMPREPLY=($(compgen -W "wall cpu" -- "$cur")); return ;;
  --out) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  --history-db|--db) COMPREPLY=($(compgen -f -- "$cur")); return ;; # a SQLite file (or a postgresql:// URL)
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$("$prog" --complete options "$cmd" 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -d -- "$cur")) # plot, report, compare take result directories
  fi
}
complete -F _cfbench cfbench
