#!/usr/bin/env bash
# Fetch the real Claude Code CLI, pinned, from the npm registry only: the package
# `@anthropic-ai/claude-code-linux-x64` (~190 MB) ships the native ELF (no Node needed) as
# package/claude, the one `@anthropic-ai/claude-code` installs on linux/x86_64; cached.
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/claude/<version>/claude
# (scripts/npm-binary.sh). stdout: the binary's path (last line). stderr: progress.
set -euo pipefail

VERSION="${KUBECLIP_CLAUDE_VERSION:-2.1.332}"
exec "$(dirname "$0")/npm-binary.sh" claude "${VERSION}" \
    "@anthropic-ai/claude-code-linux-x64@${VERSION}" package/claude "${VERSION} (Claude Code)"
