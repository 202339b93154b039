#!/usr/bin/env bash
# Fetch the real OpenCode binary, pinned, from the npm registry only (the package
# `opencode-linux-x64` ships the Bun-compiled ELF as package/bin/opencode); cached.
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/opencode/<version>/opencode
# (scripts/npm-binary.sh). stdout: the binary's path (last line). stderr: progress.
set -euo pipefail

VERSION="${KUBECLIP_OPENCODE_VERSION:-1.18.34}"
exec "$(dirname "$0")/npm-binary.sh" opencode "${VERSION}" "opencode-linux-x64@${VERSION}" \
    package/bin/opencode "${VERSION}"
