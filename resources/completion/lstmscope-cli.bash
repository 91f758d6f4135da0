# bash completion for lstmscope-cli (installed to share/bash-completion/completions; docs/PACKAGING.md).
# The commands and each command's options are read from the program's own --help, so they never fall
# behind it; paths are completed as files.
_lstmscope_cli() {
  local cur prev words cword
  _init_completion || return
  local program=${words[0]}
  if ((cword == 1)); then
    local commands
    commands=$("$program" --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }')
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    local options
    options=$("$program" "${words[1]}" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
    return
  fi
  _filedir
}
complete -F _lstmscope_cli lstmscope-cli
