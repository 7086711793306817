#!/usr/bin/env bash
# Rebuild the Debian-derived base-image listings of ../ (core/catalog-data):
#
#   debian-bookworm.jsonl, debian-bookworm-slim.jsonl   debootstrap minbase + debuerreotype rules
#   busybox-<major.minor>.jsonl                           docker-library/busybox "glibc" layout
#   distroless-static-debian12.jsonl                      distroless static, from the same debs
#   distroless-base-debian12.jsonl                        + libc6, libssl3
#
# Needs: Debian 12 (amd64), root, apt able to reach the machine's configured Debian mirror.
# Nothing here names a mirror: it is read from the system's deb822 sources file.
#
#   sudo core/catalog-data/tools/build-debian-listings.sh            # all listings
#   sudo core/catalog-data/tools/build-debian-listings.sh debian     # only one part:
#                                                                    #   debian | busybox | distroless
# Environment: WORK (scratch directory, default /tmp/debian-listings, emptied first),
#              OUT (where the .jsonl files go, default: the directory above this script),
#              SOURCES (default /etc/apt/sources.list.d/debian.sources).
#
# Each tree is assembled as a plain directory and listed by tree-to-jsonl.py (next to this
# script). The listings record sizes and sha256 digests of the real bytes, and the text of
# small /etc files; nothing else of the packages is copied into the repository.

set -Eeuo pipefail
umask 022
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$(dirname "$HERE")}"
WORK="${WORK:-/tmp/debian-listings}"
SOURCES="${SOURCES:-/etc/apt/sources.list.d/debian.sources}"
SUITE=bookworm
LIST="python3 $HERE/tree-to-jsonl.py"

[ "$(id -u)" = 0 ] || { echo >&2 "run as root (debootstrap, chroot, file owners)"; exit 1; }
case "$WORK" in /|/tmp|/tmp/|'') echo >&2 "refusing WORK=$WORK"; exit 1 ;; esac
[ -s "$SOURCES" ] || { echo >&2 "no deb822 sources file at $SOURCES"; exit 1; }

# The machine's Debian mirror: the first URIs: line of its deb822 sources file.
MIRROR="$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")"
MIRROR_HOST="$(echo "$MIRROR" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')"

parts=("$@")
[ "${#parts[@]}" -gt 0 ] || parts=(debian busybox distroless)

mounted=()
cleanup() { local m; for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || :; done; }
trap cleanup EXIT

# Refuse to leave the machine's mirror host anywhere in a listing.
check_clean() {
	if grep -qF "$MIRROR_HOST" "$1"; then
		echo >&2 "error: $1 mentions the local mirror host"; exit 1
	fi
}

# apt-get download into a directory (one batched call).
download() {
	local dir="$1"; shift
	mkdir -p "$dir"
	chown _apt "$dir" 2> /dev/null || : # lets apt download without its sandbox warning
	(cd "$dir" && apt-get download -qq "$@")
}
deb_of() { ls "$1"/"$2"_*.deb; }

########################################################################################
# 1. debian:bookworm and debian:bookworm-slim
#
# debuerreotype (github debuerreotype/debuerreotype, examples/debian.sh and scripts/*),
# replayed step by step: debootstrap --variant=minbase --merged-usr, "apt-mark auto .*",
# hostname/resolv.conf/shadow fixes (debuerreotype-init), the minimizing config,
# apt-get update + full-upgrade, the deb822 debian.sources, debuerreotype-slimify for
# slim, then the tar excludes of debuerreotype-tar / .tar-exclude / create_artifacts.
########################################################################################
build_debian() {
	local base="$WORK/debian" root slim
	root="$base/rootfs"; slim="$base/rootfs-slim"
	mkdir -p "$base"
	apt-get install -y -qq debootstrap > /dev/null

	debootstrap --variant=minbase --merged-usr "$SUITE" "$root" "$MIRROR" > "$base/debootstrap.log"

	# Point the chroot's apt at the machine's mirror (updates and security included) for
	# the update/upgrade steps; the image's own debian.sources is written afterwards.
	rm -f "$root/etc/apt/sources.list"
	cp "$SOURCES" "$root/etc/apt/sources.list.d/debian.sources"
	mount -t proc proc "$root/proc"; mounted+=("$root/proc")
	chroot "$root" apt-get update -qq
	# debuerreotype-init: everything in minbase is essential or a dependency of it
	chroot "$root" apt-mark auto '.*' > /dev/null

	# The snapshot the image describes: the date of the suite's Release file.
	local released epoch serial
	released="$(awk -F': ' '$1 == "Date" { print $2; exit }' "$root"/var/lib/apt/lists/*_dists_${SUITE}_InRelease)"
	epoch="$(date -d "$released" +%s)"
	serial="$(date -u -d "@$epoch" +%Y%m%d)T000000Z"

	# debuerreotype-init: hostname, machine-id (excluded from the tar later), shadow's
	# "last change" field clamped to the epoch (https://bugs.debian.org/857803).
	echo 'debuerreotype' > "$root/etc/hostname"
	echo "$epoch" | md5sum | cut -f1 -d' ' > "$root/etc/machine-id"
	chmod 0644 "$root/etc/hostname" "$root/etc/machine-id"
	local sp_lstchg=$(( epoch / 60 / 60 / 24 )) f
	for f in etc/shadow etc/shadow-; do
		[ -e "$root/$f" ] || continue
		awk -F: -v OFS=: -v d="$sp_lstchg" '{ if ($3 > d) $3 = d; print }' "$root/$f" > "$root/$f.new"
		cat "$root/$f.new" > "$root/$f"; rm -f "$root/$f.new"
	done

	# debuerreotype-minimizing-config (texts as in the published bookworm images)
	cat > "$root/usr/sbin/policy-rc.d" <<-'EOF'
		#!/bin/sh

		# For most Docker users, "apt-get install" only happens during "docker build",
		# where starting services doesn't work and often fails in humorous ways. This
		# prevents those failures by stopping the services from attempting to start.

		exit 101
	EOF
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cat > "$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup" <<-'EOF'
		# For most Docker users, package installs happen during "docker build", which
		# doesn't survive power loss and gets restarted clean afterwards anyhow, so
		# this minor tweak gives us a nice speedup (much nicer on spinning disks,
		# obviously).

		force-unsafe-io
	EOF
	cat > "$root/etc/apt/apt.conf.d/docker-autoremove-suggests" <<-'EOF'
		# Since Docker users are looking for the smallest possible final images, the
		# following emerges as a very common pattern:

		#   RUN apt-get update \
		#       && apt-get install -y <packages> \
		#       && <do some compilation work> \
		#       && apt-get purge -y --auto-remove <packages>

		# By default, APT will actually _keep_ packages installed via Recommends or
		# Depends if another package Suggests them, even and including if the package
		# that originally caused them to be installed is removed.  Setting this to
		# "false" ensures that APT is appropriately aggressive about removing the
		# packages it added.

		# https://aptitude.alioth.debian.org/doc/en/ch02s05s05.html#configApt-AutoRemove-SuggestsImportant
		Apt::AutoRemove::SuggestsImportant "false";
	EOF
	cat > "$root/etc/apt/apt.conf.d/docker-clean" <<-'EOF'
		# Since for most Docker users, package installs happen in "docker build" steps,
		# they essentially become individual layers due to the way Docker handles
		# layering, especially using CoW filesystems.  What this means for us is that
		# the caches that APT keeps end up just wasting space in those layers, making
		# our layers unnecessarily large (especially since we'll normally never use
		# these caches again and will instead just "docker build" again and make a brand
		# new image).

		# Ideally, these would just be invoking "apt-get clean", but in our testing,
		# that ended up being cyclic and we got stuck on APT's lock, so we get this fun
		# creation that's essentially just "apt-get clean".
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };

		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";

		# Note that we do realize this isn't the ideal way to do this, and are always
		# open to better suggestions (https://github.com/debuerreotype/debuerreotype/issues).
	EOF
	cat > "$root/etc/apt/apt.conf.d/docker-gzip-indexes" <<-'EOF'
		# Since Docker users using "RUN apt-get update && apt-get install -y ..." in
		# their Dockerfiles don't go delete the lists files afterwards, we want them to
		# be as small as possible on-disk, so we explicitly request that Apt keep them
		# compressed on-disk too instead of decompressing them.

		# For comparison, an "apt-get update" layer without this on a pristine
		# "debian:wheezy" base image was "29.88 MB", where with this it was only
		# "8.273 MB".

		Acquire::GzipIndexes "true";
	EOF
	cat > "$root/etc/apt/apt.conf.d/docker-no-languages" <<-'EOF'
		# In Docker, we don't often need the "Translations" files, so we're just wasting
		# time and space by downloading them, and this inhibits that.  For users that do
		# need them, it's a simple matter to delete this file and "apt-get update". :)

		Acquire::Languages "none";
	EOF
	chmod 0644 "$root"/etc/dpkg/dpkg.cfg.d/docker-apt-speedup "$root"/etc/apt/apt.conf.d/docker-*

	# examples/debian.sh: update and full-upgrade to the point release of the build date
	chroot "$root" apt-get update -qq
	chroot "$root" apt-get full-upgrade -yqq > "$base/full-upgrade.log"
	umount "$root/proc"; mounted=()

	# The image's sources: deb822, the public archive, with the snapshot it was built from
	# in comments (debuerreotype-debian-sources-list --deb822, non-snapshot form). This
	# machine's own sources file is that very file of a published debian:bookworm image,
	# so it is reused with the snapshot date replaced (no archive name is written here).
	sed -E "s#(/archive/debian(-security)?/)[0-9]{8}T[0-9]{6}Z#\1$serial#" "$SOURCES" \
		> "$root/etc/apt/sources.list.d/debian.sources"
	if ! grep -qx "Suites: $SUITE $SUITE-updates" "$root/etc/apt/sources.list.d/debian.sources" \
		|| ! grep -qx "Suites: $SUITE-security" "$root/etc/apt/sources.list.d/debian.sources" \
		|| [ "$(grep -c "^# http.*/archive/debian.*/$serial\$" "$root/etc/apt/sources.list.d/debian.sources")" != 2 ]; then
		echo >&2 "warning: $SOURCES is not laid out like the image's debian.sources; the listed one differs"
	fi
	chmod 0644 "$root/etc/apt/sources.list.d/debian.sources"

	# debuerreotype-init's resolv.conf (written last here: the chroot needed the
	# machine's resolver for the steps above)
	{
		echo '# https://1.1.1.1 (privacy-focused, highly-available DNS service)'
		echo 'nameserver 1.1.1.1'
		echo 'nameserver 1.0.0.1'
	} > "$root/etc/resolv.conf"
	chmod 0644 "$root/etc/resolv.conf"

	# The slim variant: a copy, then debuerreotype-slimify.
	mkdir "$slim"
	tar -cC "$root" . | tar -xC "$slim"
	slimify "$slim"

	# debuerreotype-fixup, then the tar's excludes (.tar-exclude, ./dev/**, apt caches,
	# create_artifacts' ./etc/machine-id).
	local r
	for r in "$root" "$slim"; do
		rm -f "$r/var/log/dpkg.log" "$r/var/log/bootstrap.log" "$r/var/log/alternatives.log" \
			"$r/var/cache/ldconfig/aux-cache" "$r/run/mount/utab"
		rmdir "$r/run/mount" 2> /dev/null || :
	done
	local excludes=(
		--exclude './debuerreotype-epoch' --exclude './proc/**' --exclude './sys/**' --exclude './dev/**'
		--exclude './var/cache/apt/**' --exclude './var/lib/apt/lists/**'
		--exclude './etc/apt/apt.conf.d/01autoremove-kernels'
		--exclude './var/log/apt/history.log' --exclude './var/log/apt/term.log'
		--exclude './run/motd.dynamic' --exclude './etc/machine-id'
	)
	# debian.sources names the archive host: listed by size and digest, without its text.
	excludes+=(--hide-text-with "$MIRROR_HOST")
	$LIST "$root" "$OUT/debian-$SUITE.jsonl" "${excludes[@]}"
	$LIST "$slim" "$OUT/debian-$SUITE-slim.jsonl" "${excludes[@]}"
	check_clean "$OUT/debian-$SUITE.jsonl"; check_clean "$OUT/debian-$SUITE-slim.jsonl"
	chroot "$root" dpkg-query -W > "$base/manifest"
	echo "packages: $(wc -l < "$base/manifest") ($base/manifest)"
}

# debuerreotype-slimify with its .slimify-excludes and .slimify-includes: delete what
# dpkg would not have installed under the path-exclude/path-include rules it writes to
# /etc/dpkg/dpkg.cfg.d/docker, then empty directories and dangling links.
slimify() {
	local t="$1" cfg="$1/etc/dpkg/dpkg.cfg.d/docker" ex inc out
	set -o noglob # the patterns below are dpkg's, not the shell's
	local excludes=(/usr/share/doc/* /usr/share/groff/* /usr/share/info/* /usr/share/linda/*
		/usr/share/lintian/overrides/* /usr/share/locale/* /usr/share/man/*)
	local includes=(/usr/share/doc/*/copyright /usr/share/doc/kde/HTML/C/* /usr/share/gnome/help/*/C/*
		/usr/share/locale/all_languages /usr/share/locale/currency/* /usr/share/locale/l10n/*
		/usr/share/locale/languages /usr/share/locale/locale.alias /usr/share/omf/*/*-C.emf)
	local match=()
	for inc in "${includes[@]}"; do
		[ "${#match[@]}" -eq 0 ] || match+=(-o)
		match+=(-path "$inc")
	done
	{
		echo '# This is the "slim" variant of the Debian base image.'
		echo '# Many files which are normally unnecessary in containers are excluded,'
		echo '# and this configuration file keeps them that way.'
	} > "$cfg"
	for ex in "${excludes[@]}"; do
		{
			echo
			echo "# dpkg -S '$ex'"
			if out="$(chroot "$t" dpkg -S "$ex" 2>&1)"; then
				echo "$out" | sed 's/: .*//g; s/, /\n/g' | sort -u | xargs
			else
				echo "$out"
			fi | fold -w 76 -s | sed 's/^/#  /'
			echo "path-exclude $ex"
		} >> "$cfg"
		if [ -d "$t/$(dirname "$ex")" ]; then
			chroot "$t" find "$(dirname "$ex")" -depth -mindepth 1 \
				-not \( "${match[@]}" \) -not \( -type d -o -type l \) -exec rm -f '{}' ';'
			while [ "$(chroot "$t" find "$(dirname "$ex")" -depth -mindepth 1 \
				\( -empty -o -xtype l \) -exec rm -rf '{}' ';' -printf '.' | wc -c)" -gt 0 ]; do :; done
		fi
	done
	{
		echo
		for inc in "${includes[@]}"; do echo "path-include $inc"; done
	} >> "$cfg"
	set +o noglob
	chmod 0644 "$cfg"
}

########################################################################################
# 2. busybox, the layout of docker-library/busybox latest/glibc/Dockerfile.builder
#
# The official image builds BusyBox from source (dynamically linked against glibc); here
# the binary is Debian's statically linked busybox-static of the same suite. Around it:
# /bin/getconf (Debian libc-bin), /lib with the glibc libraries the builder copies
# (libnss*, libpthread and the ldd closure of busybox and getconf), /lib64 -> lib, the
# builder's /etc/nsswitch.conf, buildroot's passwd/group/shadow (root's password
# starred), buildroot's device_table modes, home directories, /usr/bin/env -> ../../bin/env,
# /etc/localtime = UTC, and one hard link per applet in /bin ("busybox --install /bin").
########################################################################################
build_busybox() {
	local base="$WORK/busybox" debs="$WORK/busybox/debs" x="$WORK/busybox/x" root
	root="$base/rootfs"
	mkdir -p "$root" "$x"
	download "$debs" busybox-static libc6 libc-bin tzdata
	local p
	for p in busybox-static libc6 libc-bin tzdata; do
		dpkg-deb -x "$(deb_of "$debs" "$p")" "$x/$p"
	done
	local version
	version="$(dpkg-deb -f "$(deb_of "$debs" busybox-static)" Version)"
	version="${version#*:}"; version="$(echo "$version" | cut -d. -f1,2)"

	mkdir -p "$root/bin" "$root/etc" "$root/lib"
	install -m 0755 "$x/busybox-static/bin/busybox" "$root/bin/busybox"
	install -m 0755 "$x/libc-bin/usr/bin/getconf" "$root/bin/getconf"
	cp "$x/libc-bin/usr/share/libc-bin/nsswitch.conf" "$root/etc/nsswitch.conf"
	ln -sT lib "$root/lib64"
	local multiarch="$x/libc6/lib/x86_64-linux-gnu" lib
	for lib in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libresolv.so.2 libpthread.so.0 \
		libnss_compat.so.2 libnss_dns.so.2 libnss_files.so.2 libnss_hesiod.so.2; do
		cp -L --preserve=mode "$multiarch/$lib" "$root/lib/$lib"
	done

	# "busybox --install /bin": a hard link per applet (existing names such as getconf stay).
	local applet
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln "$root/bin/busybox" "$root/bin/$applet"
	done

	# buildroot system/skeleton/etc/{passwd,group,shadow}; sed 's/^root::/root:*:/' on shadow
	cat > "$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		bin:x:2:2:bin:/bin:/bin/false
		sys:x:3:3:sys:/dev:/bin/false
		sync:x:4:100:sync:/bin:/bin/sync
		mail:x:8:8:mail:/var/spool/mail:/bin/false
		www-data:x:33:33:www-data:/var/www:/bin/false
		operator:x:37:37:Operator:/var:/bin/false
		nobody:x:65534:65534:nobody:/home:/bin/false
	EOF
	cat > "$root/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		bin:x:2:
		sys:x:3:
		adm:x:4:
		tty:x:5:
		disk:x:6:
		lp:x:7:
		mail:x:8:
		kmem:x:9:
		wheel:x:10:root
		cdrom:x:11:
		dialout:x:18:
		floppy:x:19:
		video:x:28:
		audio:x:29:
		tape:x:32:
		www-data:x:33:
		operator:x:37:
		utmp:x:43:
		plugdev:x:46:
		staff:x:50:
		lock:x:54:
		netdev:x:82:
		users:x:100:
		nobody:x:65534:
	EOF
	cat > "$root/etc/shadow" <<-'EOF'
		root:*:::::::
		daemon:*:::::::
		bin:*:::::::
		sys:*:::::::
		sync:*:::::::
		mail:*:::::::
		www-data:*:::::::
		operator:*:::::::
		nobody:*:::::::
	EOF
	# buildroot system/device_table.txt, applied as the builder does (mkdir + chmod only)
	mkdir -p "$root/dev" "$root/tmp" "$root/root" "$root/var/www"
	chmod 755 "$root/dev" "$root/etc" "$root/var/www"
	chmod 1777 "$root/tmp"
	chmod 700 "$root/root"
	chmod 600 "$root/etc/shadow"
	chmod 644 "$root/etc/passwd" "$root/etc/group"
	# missing home directories, owned by their user
	local uid gid home
	while IFS=: read -r _ _ uid gid _ home _; do
		[ -d "$root/${home#/}" ] && continue
		mkdir -p "$root/${home#/}"
		chown "$uid:$gid" "$root/${home#/}"
		chmod 755 "$root/${home#/}"
	done < "$root/etc/passwd"
	mkdir -p "$root/usr/bin"
	ln -s ../../bin/env "$root/usr/bin/env"
	# ln -vL /usr/share/zoneinfo/UTC rootfs/etc/localtime (a copy of the builder's file)
	cp -L "$x/tzdata/usr/share/zoneinfo/Etc/UTC" "$root/etc/localtime"
	chmod 0644 "$root/etc/localtime"

	$LIST "$root" "$OUT/busybox-$version.jsonl" --prefer /bin/busybox --hide-text-with "$MIRROR_HOST"
	check_clean "$OUT/busybox-$version.jsonl"
}

########################################################################################
# 3. distroless static-debian12 and base-debian12 (github GoogleContainerTools/distroless
# static/static.bzl, base/config.bzl, common/BUILD.bazel, common/variables.bzl, and
# rules_distroless' deb_import, dpkg_statusd, cacerts, os_release, passwd, group, home).
#
# Every package's data.tar is added whole (distroless does not run maintainer scripts and
# rules_distroless' deb_import keeps the data tar as it is, documentation included), with
# its control file and md5sums under /var/lib/dpkg/status.d/; then the generated files of
# //common. DISTROLESS_DOCS=copyright keeps only usr/share/doc/*/copyright instead.
########################################################################################
build_distroless() {
	local base="$WORK/distroless" debs="$WORK/distroless/debs"
	download "$debs" base-files netbase tzdata media-types ca-certificates libc6 libssl3

	local static="$base/static" full="$base/base"
	distroless_packages "$static" "$debs" base-files netbase tzdata media-types
	distroless_common "$static" "$debs"
	$LIST "$static" "$OUT/distroless-static-debian12.jsonl" --hide-text-with "$MIRROR_HOST"

	# base = static + libc6 + libssl3 (base/config.bzl BASE_PACKAGES["debian12"])
	mkdir -p "$full"
	tar -cC "$static" . | tar -xC "$full"
	distroless_packages "$full" "$debs" libc6 libssl3
	$LIST "$full" "$OUT/distroless-base-debian12.jsonl" --hide-text-with "$MIRROR_HOST"
	check_clean "$OUT/distroless-static-debian12.jsonl"; check_clean "$OUT/distroless-base-debian12.jsonl"
}

# deb.package(): the data tar, plus status.d/<pkg> (control) and status.d/<pkg>.md5sums
distroless_packages() {
	local root="$1" debs="$2" p deb ctl; shift 2
	mkdir -p "$root"
	for p in "$@"; do
		deb="$(deb_of "$debs" "$p")"
		dpkg-deb -x "$deb" "$root"
		if [ "${DISTROLESS_DOCS:-all}" = copyright ] && [ -d "$root/usr/share/doc" ]; then
			find "$root/usr/share/doc" -mindepth 2 -not -type d -not -name copyright -delete
			find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
		fi
		ctl="$(mktemp -d)"
		dpkg-deb -e "$deb" "$ctl"
		mkdir -p "$root/var/lib/dpkg/status.d"
		install -m 0644 "$ctl/control" "$root/var/lib/dpkg/status.d/$p"
		[ ! -f "$ctl/md5sums" ] || install -m 0644 "$ctl/md5sums" "$root/var/lib/dpkg/status.d/$p.md5sums"
		rm -rf "$ctl"
	done
}

# //common:rootfs, passwd, home, group, tmp, static/nsswitch.tar, os_release_debian12,
# cacerts_debian12_amd64
distroless_common() {
	local root="$1" debs="$2"
	chmod 0755 "$root"
	install -d -m 0755 "$root/etc"
	printf '%s\n' \
		'root:x:0:0:root:/root:/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
		'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' > "$root/etc/group"
	chmod 0644 "$root/etc/passwd" "$root/etc/group"
	install -d -m 0700 "$root/root"
	install -d -m 0755 "$root/home"
	install -d -m 0700 -o 65532 -g 65532 "$root/home/nonroot"
	install -d -m 1777 "$root/tmp"; chmod 1777 "$root/tmp"
	cat > "$root/etc/nsswitch.conf" <<-'EOF'
		# /etc/nsswitch.conf
		#
		# Example configuration of GNU Name Service Switch functionality.
		# If you have the `glibc-doc-reference' and `info' packages installed, try:
		# `info libc "Name Service Switch"' for information about this file.

		passwd:         compat
		group:          compat
		shadow:         compat
		gshadow:        files

		hosts:          files dns
		networks:       files

		protocols:      db files
		services:       db files
		ethers:         db files
		rpc:            db files

		netgroup:       nis
	EOF
	chmod 0644 "$root/etc/nsswitch.conf"
	# os_release(): /usr/lib/os-release, mode 0755 as rules_distroless writes it;
	# base-files' /etc/os-release -> ../usr/lib/os-release points at it.
	install -d -m 0755 "$root/usr/lib"
	printf '%s\n' \
		'PRETTY_NAME="Distroless"' \
		'NAME="Debian GNU/Linux"' \
		'ID="debian"' \
		'VERSION_ID="12"' \
		'VERSION="Debian GNU/Linux 12 (bookworm)"' \
		'HOME_URL="https://github.com/GoogleContainerTools/distroless"' \
		'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"' \
		'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"' \
		> "$root/usr/lib/os-release"
	chmod 0755 "$root/usr/lib/os-release"
	# cacerts(): every file under the ca-certificates package's usr/share/ca-certificates,
	# in sorted order, concatenated into one bundle (mode 0555), plus its copyright.
	local x
	x="$(mktemp -d)"
	dpkg-deb -x "$(deb_of "$debs" ca-certificates)" "$x"
	install -d -m 0755 "$root/etc/ssl" "$root/etc/ssl/certs" "$root/usr/share/doc/ca-certificates"
	find "$x/usr/share/ca-certificates" -type f -print0 | sort -z | xargs -0 cat > "$root/etc/ssl/certs/ca-certificates.crt"
	install -m 0555 "$x/usr/share/doc/ca-certificates/copyright" "$root/usr/share/doc/ca-certificates/copyright"
	chmod 0555 "$root/etc/ssl/certs/ca-certificates.crt"
	rm -rf "$x"
}

########################################################################################

if [ -e "$WORK" ]; then
	# a previous run's proc mount, then the old scratch tree
	umount "$WORK/debian/rootfs/proc" 2> /dev/null || :
	rm -rf --one-file-system "$WORK"
fi
mkdir -p "$WORK" "$OUT"
apt-get update -qq
for part in "${parts[@]}"; do
	case "$part" in
		debian) build_debian ;;
		busybox) build_busybox ;;
		distroless) build_distroless ;;
		*) echo >&2 "unknown part: $part"; exit 1 ;;
	esac
done
