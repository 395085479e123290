// `heronctl completion bash|zsh`: verbs, flags, and for verbs that take a topology the names
// the controller knows (the first column of `heronctl get topologies`).
#include <iostream>

#include "cli/heronctl.h"
#include "cli/verbs.h"

namespace hgo::cli {

namespace {

constexpr char kBash[] =
    R"SH(# bash completion for heronctl; load with: source <(heronctl completion bash)
_heronctl_topologies() {
  heronctl get topologies 2>/dev/null | awk 'NR > 1 {print $1}'
}
_heronctl() {
  local cur prev verb
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  verb="${COMP_WORDS[1]}"
  local verbs="get describe diff apply delete rollout restart events import suspend resume wait validate completion version"
  if [[ ${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${verbs}" -- "${cur}")); return
  fi
  case "${prev}" in
    -f|--filename|--spool|--token-file|--config|--ca-file) COMPREPLY=($(compgen -f -- "${cur}")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "table wide json yaml" -- "${cur}")); return ;;
  esac
  case "${verb}" in
    get) [[ ${COMP_CWORD} -eq 2 ]] && COMPREPLY=($(compgen -W "topologies clusters" -- "${cur}")) && return ;;
    describe) [[ ${COMP_CWORD} -eq 2 ]] && COMPREPLY=($(compgen -W "topology" -- "${cur}")) && return ;;
    rollout) [[ ${COMP_CWORD} -eq 2 ]] && COMPREPLY=($(compgen -W "status history undo retry promote halt" -- "${cur}")) && return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "${cur}")); return ;;
  esac
  if [[ "${cur}" == -* ]]; then
    COMPREPLY=($(compgen -W "--server --token-file --ca-file --insecure-skip-tls-verify --spool --config --output --help" -- "${cur}"))
  else
    COMPREPLY=($(compgen -W "$(_heronctl_topologies)" -- "${cur}"))
  fi
}
complete -F _heronctl heronctl
)SH";

constexpr char kZsh[] = R"SH(#compdef heronctl
# zsh completion for heronctl; load with: source <(heronctl completion zsh)
_heronctl() {
  local -a verbs
  verbs=(get describe diff apply delete rollout restart events import suspend resume wait validate completion version)
  if (( CURRENT == 2 )); then
    _describe 'verb' verbs; return
  fi
  case "${words[CURRENT-1]}" in
    -f|--filename|--spool|--token-file|--config|--ca-file) _files; return ;;
    -o|--output) compadd table wide json yaml; return ;;
  esac
  case "${words[2]}" in
    get) (( CURRENT == 3 )) && { compadd topologies clusters; return } ;;
    describe) (( CURRENT == 3 )) && { compadd topology; return } ;;
    rollout) (( CURRENT == 3 )) && { compadd status history undo retry promote halt; return } ;;
    completion) compadd bash zsh; return ;;
  esac
  compadd -- ${(f)"$(heronctl get topologies 2>/dev/null | awk 'NR > 1 {print $1}')"}
}
if [[ "$funcstack[1]" = "_heronctl" ]]; then _heronctl "$@"; else compdef _heronctl heronctl; fi
)SH";

}  // namespace

int RunCompletion(std::ostream& out, std::ostream& err, const std::string& shell) {
  if (shell == "bash") {
    out << kBash;
  } else if (shell == "zsh") {
    out << kZsh;
  } else {
    err << "heronctl completion: bash or zsh, not '" << shell << "'\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace hgo::cli
