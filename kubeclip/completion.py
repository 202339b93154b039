"""`kubeclip completion bash|zsh|fish`: shell completion generated from the CLI's own parser,
so that a new command or flag completes without anyone writing it twice."""

from __future__ import annotations

import argparse


def _commands(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Every subcommand with its option strings."""
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return {
                name: sorted(o for a in sub._actions for o in a.option_strings)
                for name, sub in action.choices.items()
            }
    return {}


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    commands = _commands(parser)
    if shell == "fish":
        lines = [f"complete -c kubeclip -f -n __fish_use_subcommand -a {' '.join(commands)}"]
        for name, options in commands.items():
            for option in options:
                flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
                lines.append(f"complete -c kubeclip -n '__fish_seen_subcommand_from {name}' "
                             f"{flag}")  # fmt: skip
        return "\n".join(lines) + "\n"
    cases = "".join(
        f"        {name}) opts=\"{' '.join(options)}\" ;;\n" for name, options in commands.items()
    )
    body = (
        "_kubeclip() {\n"
        '    local cur="${COMP_WORDS[COMP_CWORD]}" cmd="${COMP_WORDS[1]}" opts\n'
        "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
        f"        COMPREPLY=($(compgen -W \"{' '.join(commands)}\" -- \"$cur\")); return\n"
        "    fi\n"
        '    case "$cmd" in\n'
        f"{cases}"
        "        *) opts=\"\" ;;\n"
        "    esac\n"
        '    case "$cur" in\n'
        '        -*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;\n'
        '        *) COMPREPLY=($(compgen -f -- "$cur")) ;;\n'
        "    esac\n"
        "}\n"
        "complete -F _kubeclip kubeclip\n"
    )
    if shell == "zsh":  # zsh runs bash completions through bashcompinit
        return "autoload -U +X bashcompinit && bashcompinit\n" + body
    return body
