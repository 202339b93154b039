#!/usr/bin/env bash
# Fetch the real Codex CLI, pinned, from the npm registry only: the package
# `@openai/codex@<version>-linux-x64` (~170 MB packed) is the one `@openai/codex` installs on
# linux/x86_64 (its optional dependency `@openai/codex-linux-x64`); its static musl binary,
# package/vendor/x86_64-unknown-linux-musl/bin/codex, runs without Node (the package's
# bin/codex.js launcher only finds and starts it); cached.
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/codex/<version>/codex
# (scripts/npm-binary.sh). stdout: the binary's path (last line). stderr: progress.
set -euo pipefail

VERSION="${KUBECLIP_CODEX_VERSION:-0.171.0}"
exec "$(dirname "$0")/npm-binary.sh" codex "${VERSION}" \
    "@openai/codex@${VERSION}-linux-x64" package/vendor/x86_64-unknown-linux-musl/bin/codex \
    "codex-cli ${VERSION}"
