#!/usr/bin/env python3
"""Write the file listing of a root filesystem directory as JSONL.

Usage:
    tree-to-jsonl.py ROOT OUT.jsonl [--exclude PATTERN]... [--prefer PATH]...

One JSON object per line, keys sorted, in the format of ../alpine-3.20.jsonl:

    path     absolute path inside the image ("/" itself is not listed)
    type     dir | file | symlink | hardlink
    mode     4-digit octal string with setuid/setgid/sticky bits ("0755", "1777", "4755")
    uid, gid numeric owner
    size, sha256            regular files: size and digest of the real bytes
    content                 regular files under /etc smaller than 4 KiB that are valid UTF-8
                            text (no NUL byte)
    target                  symlinks: the link text; hard links: the absolute path of the
                            name that is listed as the file

Entries are sorted by path, so every directory comes before its children. Files with
several names (hard links) are listed once as a file, under the first name in sort order
(as `tar --sort=name` stores them) unless --prefer names another member of the group; the
other names follow as `hardlink` entries. The preferred name is moved up to the place of
the group's first member so that every hard link comes after its target.

--hide-text-with STRING keeps the text of files that contain STRING out of the listing
(they keep their size and digest).

--exclude takes tar-style patterns relative to ROOT, e.g. "./var/cache/apt/**" (the
directory itself stays, only what is below it goes) or "./etc/machine-id".

Device nodes, FIFOs and sockets are refused: none belongs in these listings.
"""

import argparse
import fnmatch
import hashlib
import json
import os
import stat
import sys

CONTENT_LIMIT = 4096


def matches(rel, patterns):
    """True when the ./-relative path matches one of the tar-style exclude patterns."""
    for p in patterns:
        if p.endswith("/**"):
            base = p[:-3]
            if rel.startswith(base + "/"):
                return True
        elif fnmatch.fnmatchcase(rel, p):
            return True
    return False


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def text_content(path, size):
    if size >= CONTENT_LIMIT:
        return None
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data:  # binary (e.g. a TZif /etc/localtime), even when it decodes
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def walk(root, excludes):
    """Yield (image_path, real_path, lstat) for every entry below root, unsorted."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            real = os.path.join(dirpath, name)
            rel = "./" + os.path.relpath(real, root)
            if matches(rel, excludes):
                if name in dirnames:
                    dirnames.remove(name)
                continue
            yield rel[1:], real, os.lstat(real)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root")
    ap.add_argument("out")
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--prefer", action="append", default=[],
                    help="name to list as the file of its hard-link group")
    ap.add_argument("--hide-text-with", action="append", default=[], metavar="STRING",
                    help="list files whose text contains STRING by size and digest only")
    args = ap.parse_args()

    entries = sorted(walk(args.root, args.exclude))

    # Hard-link groups: (dev, ino) -> names in sort order.
    groups = {}
    for path, _, st in entries:
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            groups.setdefault((st.st_dev, st.st_ino), []).append(path)
    primary = {}  # (dev, ino) -> the name listed as the file
    for key, names in groups.items():
        preferred = [n for n in names if n in args.prefer]
        primary[key] = preferred[0] if preferred else names[0]

    lines = []
    files = dirs = links = hard = 0
    total = 0
    by_path = {path: (real, st) for path, real, st in entries}
    emitted_primary = set()

    def file_record(path, real, st):
        size = st.st_size
        rec = {"path": path, "type": "file", "mode": "%04o" % stat.S_IMODE(st.st_mode),
               "uid": st.st_uid, "gid": st.st_gid, "size": size, "sha256": sha256_of(real)}
        if path.startswith("/etc/"):
            text = text_content(real, size)
            if text is not None and not any(h in text for h in args.hide_text_with):
                rec["content"] = text
        return rec

    for path, real, st in entries:
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in path):
            sys.exit("non-UTF-8 file name: %r" % path)
        mode = st.st_mode
        base = {"path": path, "mode": "%04o" % stat.S_IMODE(mode), "uid": st.st_uid, "gid": st.st_gid}
        if stat.S_ISDIR(mode):
            lines.append(dict(base, type="dir"))
            dirs += 1
        elif stat.S_ISLNK(mode):
            lines.append(dict(base, type="symlink", target=os.readlink(real)))
            links += 1
        elif stat.S_ISREG(mode):
            key = (st.st_dev, st.st_ino)
            if key in primary:
                first = primary[key]
                if key not in emitted_primary:
                    # The group's first name in sort order: list the file here (under the
                    # preferred name), then this name as a link unless it is that name.
                    preal, pst = by_path[first]
                    lines.append(file_record(first, preal, pst))
                    files += 1
                    total += pst.st_size
                    emitted_primary.add(key)
                if path != first:
                    lines.append(dict(base, type="hardlink", target=first))
                    hard += 1
            else:
                lines.append(file_record(path, real, st))
                files += 1
                total += st.st_size
        else:
            sys.exit("unsupported file type at %s (mode %o)" % (path, mode))

    with open(args.out, "w", encoding="utf-8") as out:
        for rec in lines:
            out.write(json.dumps(rec, sort_keys=True) + "\n")
    print("%s: %d entries (%d files, %d dirs, %d symlinks, %d hard links), %d file bytes"
          % (args.out, len(lines), files, dirs, links, hard, total))


if __name__ == "__main__":
    main()
