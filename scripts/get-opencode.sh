#!/usr/bin/env bash
# Fetch the real OpenCode binary, pinned, from the npm registry only (the package
# `opencode-linux-x64` ships the Bun-compiled ELF as package/bin/opencode); cached.
#
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/opencode/<version>/opencode.
# stdout: the binary's path (last line). stderr: progress.
# Why npm pack and not npm install: the package declares os/cpu and a postinstall-free
# layout; unpacking the tarball is all it takes, and nothing runs at install time.
set -euo pipefail

VERSION="${KUBECLIP_OPENCODE_VERSION:-1.18.34}"
PACKAGE="opencode-linux-x64@${VERSION}"
log() { printf 'get-opencode: %s\n' "$*" >&2; }
die() { printf 'get-opencode: error: %s\n' "$*" >&2; exit 1; }

[[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || die "only linux/x86_64 is provided (${PACKAGE})"
DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}/opencode/${VERSION}"
BIN="${DIR}/opencode"
if [[ -x "${BIN}" && -f "${DIR}/.installed" ]]; then
    printf '%s\n' "${BIN}"
    exit 0
fi
command -v npm >/dev/null 2>&1 || die "npm is needed (any version) to fetch ${PACKAGE}"
mkdir -p "${DIR}"
WORK="$(mktemp -d "${DIR}/.fetch.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT
log "npm pack ${PACKAGE}"
TGZ="$(cd "${WORK}" && npm pack --silent --loglevel=error "${PACKAGE}" | tail -n 1)"
[[ -f "${WORK}/${TGZ}" ]] || die "npm pack printed no tarball"
tar -xzf "${WORK}/${TGZ}" -C "${WORK}" package/bin/opencode || die "no package/bin/opencode in ${TGZ}"
chmod 0755 "${WORK}/package/bin/opencode"
mv -f "${WORK}/package/bin/opencode" "${BIN}"
GOT="$(HOME="${WORK}" XDG_CONFIG_HOME="${WORK}/c" XDG_DATA_HOME="${WORK}/d" XDG_CACHE_HOME="${WORK}/k" \
    XDG_STATE_HOME="${WORK}/s" "${BIN}" --version 2>/dev/null | tail -n 1)" || die "${BIN} --version failed"
[[ "${GOT}" == "${VERSION}" ]] || die "${BIN} --version says ${GOT}, not ${VERSION}"
printf '%s\n' "${PACKAGE}" >"${DIR}/.installed"
printf '%s\n' "${BIN}"
