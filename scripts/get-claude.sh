#!/usr/bin/env bash
# Fetch the real Claude Code CLI, pinned, from the npm registry only: the package
# `@anthropic-ai/claude-code-linux-x64` ships the native ELF (no Node needed) as
# package/claude, the one `@anthropic-ai/claude-code` installs on linux/x86_64; cached.
#
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/claude/<version>/claude.
# stdout: the binary's path (last line). stderr: progress.
# Why npm pack and not npm install: unpacking the tarball is all it takes, and nothing
# runs at install time (the wrapper package's postinstall only picks this binary).
set -euo pipefail

VERSION="${KUBECLIP_CLAUDE_VERSION:-2.1.332}"
PACKAGE="@anthropic-ai/claude-code-linux-x64@${VERSION}"
log() { printf 'get-claude: %s\n' "$*" >&2; }
die() { printf 'get-claude: error: %s\n' "$*" >&2; exit 1; }

[[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || die "only linux/x86_64 is provided (${PACKAGE})"
DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}/claude/${VERSION}"
BIN="${DIR}/claude"
if [[ -x "${BIN}" && -f "${DIR}/.installed" ]]; then
    printf '%s\n' "${BIN}"
    exit 0
fi
command -v npm >/dev/null 2>&1 || die "npm is needed (any version) to fetch ${PACKAGE}"
mkdir -p "${DIR}"
WORK="$(mktemp -d "${DIR}/.fetch.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT
log "npm pack ${PACKAGE} (~190 MB)"
TGZ="$(cd "${WORK}" && npm pack --silent --loglevel=error "${PACKAGE}" | tail -n 1)"
[[ -f "${WORK}/${TGZ}" ]] || die "npm pack printed no tarball"
tar -xzf "${WORK}/${TGZ}" -C "${WORK}" package/claude || die "no package/claude in ${TGZ}"
rm -f "${WORK}/${TGZ}"
chmod 0755 "${WORK}/package/claude"
mv -f "${WORK}/package/claude" "${BIN}"
GOT="$(HOME="${WORK}" CLAUDE_CONFIG_DIR="${WORK}/c" DISABLE_AUTOUPDATER=1 "${BIN}" --version \
    2>/dev/null | tail -n 1)" || die "${BIN} --version failed"
[[ "${GOT}" == "${VERSION} (Claude Code)" ]] || die "${BIN} --version says ${GOT}, not ${VERSION}"
printf '%s\n' "${PACKAGE}" >"${DIR}/.installed"
printf '%s\n' "${BIN}"
