#!/usr/bin/env bash
# Fetch one agent CLI's binary, pinned, from the npm registry only; cached. The fetch of
# get-opencode.sh and get-claude.sh, written once.
#
#   npm-binary.sh TOOL VERSION PACKAGE MEMBER EXPECTED
#
# Into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/TOOL/VERSION/TOOL: MEMBER (the
# binary's path in PACKAGE's tarball), kept once `TOOL --version` prints EXPECTED (run with a
# scratch HOME, config and data directories, so that nothing of this machine's is read).
# stdout: the binary's path (last line). stderr: progress.
# Why npm pack and not npm install: unpacking the tarball is all it takes, and nothing runs
# at install time.
set -euo pipefail

TOOL="$1" VERSION="$2" PACKAGE="$3" MEMBER="$4" EXPECTED="$5"
log() { printf 'get-%s: %s\n' "${TOOL}" "$*" >&2; }
die() { printf 'get-%s: error: %s\n' "${TOOL}" "$*" >&2; exit 1; }

[[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || die "only linux/x86_64 is provided (${PACKAGE})"
DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}/${TOOL}/${VERSION}"
BIN="${DIR}/${TOOL}"
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
tar -xzf "${WORK}/${TGZ}" -C "${WORK}" "${MEMBER}" || die "no ${MEMBER} in ${TGZ}"
rm -f "${WORK}/${TGZ}"
chmod 0755 "${WORK}/${MEMBER}"
mv -f "${WORK}/${MEMBER}" "${BIN}"
GOT="$(HOME="${WORK}" XDG_CONFIG_HOME="${WORK}/c" XDG_DATA_HOME="${WORK}/d" XDG_CACHE_HOME="${WORK}/k" \
    XDG_STATE_HOME="${WORK}/s" CLAUDE_CONFIG_DIR="${WORK}/c" DISABLE_AUTOUPDATER=1 \
    "${BIN}" --version 2>/dev/null | tail -n 1)" || die "${BIN} --version failed"
[[ "${GOT}" == "${EXPECTED}" ]] || die "${BIN} --version says ${GOT}, not ${EXPECTED}"
printf '%s\n' "${PACKAGE}" >"${DIR}/.installed"
printf '%s\n' "${BIN}"
