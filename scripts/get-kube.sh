#!/usr/bin/env bash
# Provide a real Kubernetes control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd) and a real node (kubelet, Debian's containerd and runc, the pause and
# agent images) for the test tier in tests/realkube/, from Debian's packages only.
#
# Why a build: no package registry reachable here ships a kube-apiserver binary. Debian
# bookworm's `kubernetes` source package (1.20.2) carries a complete vendor/ tree and builds
# offline with Debian's golang-1.19-go in GOPATH mode; etcd comes from Debian's etcd-server.
# What the build needs beyond `go build` (all facts in ../shared/reference/real-control-plane.md):
#   - GOPATH mode (GO111MODULE=off): module mode wants go.mod updates under go 1.19;
#   - pkg/generated/openapi is generated at build time upstream and not in the tarball: we run
#     the vendored openapi-gen over every package that carries a +k8s:openapi-gen= tag;
#   - the vendored modern-go/reflect2 v1.0.1 crashes under Go >= 1.18 on any JSON body that
#     holds a map (the Python client's requests); Debian ships the fixed v1.0.2, which we
#     put in its place in our extracted copy;
#   - the version is stamped through the GOPATH-mode -X path, so /version says v1.20.2.
#
# Cached: ${KUBECLIP_TOOLS_DIR:-$HOME/.cache/kubeclip-tools}/kube/bin, and the Go build cache
# next to it (cold ~5 min on 2 cores, ~1 min with a warm cache, instant when installed).
# Needs root (apt-get) unless the Debian packages are already installed.
#
# stdout: the directory holding the binaries (last line). stderr: progress.
set -euo pipefail

KUBE_VERSION="v1.20.2"
RECIPE="3"  # bump when the build changes: a cached build of another recipe is rebuilt
SRC_PACKAGE="kubernetes"
APT_PACKAGES=(golang-1.19-go etcd-server golang-github-modern-go-reflect2-dev dpkg-dev openssl containerd runc musl-tools busybox-static)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"  # the build cd's away: an absolute path
log() { printf 'get-kube: %s\n' "$*" >&2; }
die() { printf 'get-kube: error: %s\n' "$*" >&2; exit 1; }

TOOLS_DIR="${KUBECLIP_TOOLS_DIR:-${HOME}/.cache/kubeclip-tools}"
KUBE_DIR="${TOOLS_DIR}/kube"
BIN_DIR="${KUBE_DIR}/bin"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet)

installed() {
    local b
    for b in "${BINARIES[@]}"; do
        [[ -x "${BIN_DIR}/${b}" ]] || return 1
    done
    [[ -x "${BIN_DIR}/etcd" ]] || return 1
    [[ "$(cat "${KUBE_DIR}/recipe" 2>/dev/null)" == "${RECIPE}" ]] || return 1
    "${BIN_DIR}/kube-apiserver" --version 2>/dev/null | grep -q "${KUBE_VERSION}"
}

# The node's images: pause (from the same source tree) and the agent images, built here
# (scripts/node_images.py; no registry is reachable), cached by a stamp of their inputs.
images() {
    local pause="${KUBE_DIR}/gopath/src/k8s.io/kubernetes/build/pause/linux/pause.c"
    python3 "${HERE}/node_images.py" --pause-src "${pause}" --out "${KUBE_DIR}/images" >&2 \
        || die "building the node's images failed"
}

packages_missing() {
    local p
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed" || return 0
    done
    return 1
}

if installed && ! packages_missing; then
    images
    log "already installed: $("${BIN_DIR}/kube-apiserver" --version) in ${BIN_DIR}"
    printf '%s\n' "${BIN_DIR}"
    exit 0
fi

[[ "$(uname -s)" == "Linux" ]] || die "needs Linux (this is $(uname -s))"
[[ -r /etc/debian_version ]] || die "needs a Debian machine (apt-get source ${SRC_PACKAGE}); none here"

start="$(date +%s)"
mkdir -p "${KUBE_DIR}"

# --- Debian packages: toolchain, etcd, the fixed reflect2, and the deb-src entry ----------
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "${p}" 2>/dev/null | grep -q "install ok installed" || missing+=("${p}")
done
need_src=1
if compgen -G "${KUBE_DIR}/src/${SRC_PACKAGE}_*.dsc" >/dev/null; then need_src=0; fi
if (( ${#missing[@]} > 0 || need_src )); then
    [[ "$(id -u)" == "0" ]] || die "run as root once (apt-get install ${missing[*]:-} / apt-get source ${SRC_PACKAGE})"
    sources=/etc/apt/sources.list.d/kubeclip-deb-src.sources
    if [[ ! -e "${sources}" ]]; then
        log "adding a deb-src entry for bookworm (${sources})"
        cat >"${sources}" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    if (( ${#missing[@]} > 0 )); then
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
            || die "apt-get install ${missing[*]} failed"
    fi
fi

GO=/usr/lib/go-1.19/bin/go
[[ -x "${GO}" ]] || die "${GO} missing (golang-1.19-go)"
[[ -x /usr/bin/etcd ]] || die "/usr/bin/etcd missing (etcd-server)"
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
[[ -d "${REFLECT2}" ]] || die "${REFLECT2} missing (golang-github-modern-go-reflect2-dev)"

# --- the source ----------------------------------------------------------------------------
mkdir -p "${KUBE_DIR}/src"
if (( need_src )); then
    log "apt-get source --download-only ${SRC_PACKAGE} (bookworm)"
    (cd "${KUBE_DIR}/src" && apt-get source -qq --download-only "${SRC_PACKAGE}/bookworm" >&2) \
        || (cd "${KUBE_DIR}/src" && apt-get source -qq --download-only "${SRC_PACKAGE}" >&2) \
        || die "apt-get source ${SRC_PACKAGE} failed"
fi
dsc="$(ls "${KUBE_DIR}"/src/${SRC_PACKAGE}_*.dsc | head -n1)"
GOPATH="${KUBE_DIR}/gopath"
TREE="${GOPATH}/src/k8s.io/kubernetes"
if [[ ! -f "${TREE}/.kubeclip-prepared" ]]; then
    log "unpacking $(basename "${dsc}")"
    rm -rf "${GOPATH}" && mkdir -p "${GOPATH}/src/k8s.io"
    dpkg-source --no-check -x "${dsc}" "${TREE}" >/dev/null 2>&1 || die "dpkg-source -x failed"

    # reflect2 1.0.1 -> Debian's 1.0.2 (the Go >= 1.18 map crash)
    vend="${TREE}/vendor/github.com/modern-go/reflect2"
    rm -f "${vend}"/*.go
    find "${REFLECT2}" -maxdepth 1 -name '*.go' ! -name '*_test.go' -exec cp {} "${vend}/" \;
    touch "${TREE}/.kubeclip-prepared"
fi

export GOPATH GO111MODULE=off CGO_ENABLED=0 GOFLAGS=
export GOCACHE="${TOOLS_DIR}/gocache"
cd "${TREE}"

if [[ ! -f pkg/generated/openapi/zz_generated.openapi.go ]]; then
    log "generating pkg/generated/openapi (openapi-gen)"
    "${GO}" build -o "${KUBE_DIR}/openapi-gen" k8s.io/kubernetes/vendor/k8s.io/kube-openapi/cmd/openapi-gen
    # every package whose Go files carry the tag; vendor/k8s.io/* are symlinks into staging/
    inputs="$(
        grep -Rl --include='*.go' --exclude='*_test.go' -e '+k8s:openapi-gen=' \
            pkg cmd plugin vendor 2>/dev/null \
        | xargs -r -n1 dirname | sort -u \
        | grep -v -e '^vendor/k8s.io/code-generator' -e '^vendor/k8s.io/sample-apiserver' \
        | sed 's#^#k8s.io/kubernetes/#' | paste -sd, -
    )"
    [[ -n "${inputs}" ]] || die "no package carries a +k8s:openapi-gen tag (unexpected tree)"
    "${KUBE_DIR}/openapi-gen" -i "${inputs}" \
        -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
        -h hack/boilerplate/boilerplate.generatego.txt \
        --report-filename "${KUBE_DIR}/openapi-violations.txt" >&2 \
        || die "openapi-gen failed"
fi

log "building ${BINARIES[*]} (go 1.19, GOPATH mode; cold ~5 min on 2 cores)"
# both version packages, as upstream's hack/lib/version.sh does: --version reads
# component-base, the apiserver's /version reads client-go's
ldflags="-s -w"
for vpkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version \
            k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${vpkg}.gitVersion=${KUBE_VERSION} -X ${vpkg}.gitMajor=1 -X ${vpkg}.gitMinor=20"
    ldflags+=" -X ${vpkg}.gitTreeState=clean -X ${vpkg}.buildDate=2021-01-13T00:00:00Z"
done
mkdir -p "${BIN_DIR}"
pkgs=()
for b in "${BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/${b}"); done
"${GO}" build -o "${BIN_DIR}/" -ldflags "${ldflags}" "${pkgs[@]}" || die "go build failed"
ln -sf /usr/bin/etcd "${BIN_DIR}/etcd"
printf '%s\n' "${RECIPE}" >"${KUBE_DIR}/recipe"

installed || die "the built kube-apiserver does not report ${KUBE_VERSION}"
images
log "built $("${BIN_DIR}/kube-apiserver" --version) in $(( $(date +%s) - start )) s"
printf '%s\n' "${BIN_DIR}"
