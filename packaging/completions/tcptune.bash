# bash completion for tcptune(1)
# Subcommands, options, profile names (from `tcptune profiles`), state names, sysctl keys
# (from `tcptune explain --list`) and option values.

_tcptune_profiles() {
    # First column of the `tcptune profiles` table: after the header, up to the blank line.
    tcptune profiles 2>/dev/null | awk 'NR > 1 && !NF { exit } NR > 1 { print $1 }'
}

_tcptune() {
    local cur prev words cword
    _init_completion || return

    local commands="audit snapshot explain sockets profiles recommend apply rollback generate diff fleet trace"
    local global_opts="--root --no-color --version --help"
    local states="established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait close close-wait last-ack listen closing"

    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            --root) ((i++)) ;;
            -*) ;;
            *) cmd="${words[i]}"; break ;;
        esac
    done

    case "$prev" in
        --root|--rules|--profiles|--state-dir)
            _filedir -d; return ;;
        -o|--output|--snapshot)
            _filedir; return ;;
        --format)
            if [[ "$cmd" == audit ]]; then
                COMPREPLY=($(compgen -W "text json prometheus" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "text json" -- "$cur"))
            fi
            return ;;
        --fail-on)
            COMPREPLY=($(compgen -W "info warning critical" -- "$cur")); return ;;
        --state)
            COMPREPLY=($(compgen -W "$states" -- "$cur")); return ;;
        --by)
            COMPREPLY=($(compgen -W "state port remote process" -- "$cur")); return ;;
        --source)
            COMPREPLY=($(compgen -W "auto sock_diag proc" -- "$cur")); return ;;
        --profile)
            COMPREPLY=($(compgen -W "$(_tcptune_profiles)" -- "$cur")); return ;;
        --port|--top|--watch|--interval|--prometheus-top|--label|--group-by)
            return ;;
    esac

    local opts
    case "$cmd" in
        "")
            if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            fi
            return ;;
        audit)     opts="--format --fail-on --output -o --snapshot --rules --no-census --set --profile --interval --processes --trace --config --list-thresholds --verbose -v --prometheus-top --netns --netns-pid --all-netns" ;;
        snapshot)  opts="--output -o --label --netns --netns-pid --all-netns" ;;
        explain)
            opts="--list --list-rules --format"
            if [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -W "$(tcptune explain --list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
                return
            fi ;;
        trace)     opts="--seconds --format --output -o --netns --netns-pid" ;;
        sockets)   opts="--state --port --by --top --format --watch --interval --source --netns --netns-pid --all-netns" ;;
        profiles)
            opts="--profiles"
            if [[ "$cur" != -* ]]; then
                if [[ "${words[cword-1]}" == show ]]; then
                    COMPREPLY=($(compgen -W "$(_tcptune_profiles)" -- "$cur"))
                else
                    COMPREPLY=($(compgen -W "show" -- "$cur"))
                fi
                return
            fi ;;
        recommend) opts="--profile --auto --interval --snapshot --format --profiles" ;;
        apply)     opts="--profile --dry-run --yes -y --persist --state-dir --profiles" ;;
        rollback)  opts="--dry-run --yes -y --state-dir" ;;
        generate)  opts="--profile --output -o --snapshot --profiles" ;;
        diff)
            opts="--format --output -o --exit-code"
            if [[ "$cur" != -* ]]; then _filedir; return; fi ;;
        fleet)
            opts="--group-by --format --output -o --rules --profile"
            if [[ "$cur" != -* ]]; then _filedir; return; fi ;;
    esac
    COMPREPLY=($(compgen -W "$opts --root --no-color --help" -- "$cur"))
}
complete -F _tcptune tcptune
