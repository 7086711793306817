#!/usr/bin/env python3
"""Write the layer that turns one file listing into another, as a listing of its own.

Usage:
    diff-listings.py PARENT.jsonl CHILD.jsonl OUT.jsonl

PARENT and CHILD are full listings made by tree-to-jsonl.py (the base image's tree and the
derived image's tree). OUT holds what the derived image's layers changed, in the same line
format, sorted by path:

  - every entry of CHILD that PARENT lacks or lists differently (type, mode, owner, size,
    digest, content or target): a changed file or directory is listed again, whole;
  - `{"path": P, "type": "whiteout"}` for every path of PARENT that CHILD lacks, once per
    deleted subtree (the topmost deleted directory stands for what is below it);
  - a hard link whose file changed is listed again, so the names stay one file.

Applied over PARENT's tree (the catalog does this when an image names a parent), OUT gives
CHILD's tree exactly. The script checks that before it writes anything.
"""

import json
import sys


def load(path):
    entries = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                rec = json.loads(line)
                if rec["path"] in entries:
                    sys.exit("%s:%d: %s listed twice" % (path, n, rec["path"]))
                entries[rec["path"]] = rec
    return entries


def under(path, dirs):
    """True when path lies below one of the (sorted) deleted directories."""
    parent = path.rsplit("/", 1)[0]
    while parent:
        if parent in dirs:
            return True
        parent = parent.rsplit("/", 1)[0]
    return False


def diff(parent, child):
    out = {}
    for path, rec in child.items():
        if parent.get(path) != rec:
            out[path] = rec
    # Hard links follow their file: if the file is relisted, so are its other names.
    for path, rec in child.items():
        if rec["type"] == "hardlink" and rec["target"] in out:
            out[path] = rec
    deleted = set()
    for path in sorted(parent):
        if path not in child and not under(path, deleted):
            out[path] = {"path": path, "type": "whiteout"}
            if parent[path]["type"] == "dir":
                deleted.add(path)
    # A path whose type changed from a directory in PARENT drops the old subtree first.
    for path, rec in child.items():
        old = parent.get(path)
        if old is not None and old["type"] == "dir" and rec["type"] != "dir":
            deleted.add(path)
    return [out[p] for p in sorted(out)]


def apply(parent, layer):
    """The tree PARENT becomes with LAYER applied (what the catalog loader does)."""
    tree = dict(parent)
    for rec in layer:
        path = rec["path"]
        old = tree.get(path)
        if rec["type"] == "whiteout" or (old is not None and old["type"] == "dir" and rec["type"] != "dir"):
            for p in [p for p in tree if p == path or p.startswith(path + "/")]:
                del tree[p]
        if rec["type"] != "whiteout":
            tree[path] = rec
    return tree


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    parent, child = load(sys.argv[1]), load(sys.argv[2])
    layer = diff(parent, child)
    if apply(parent, layer) != child:
        sys.exit("internal error: the layer does not rebuild %s" % sys.argv[2])
    with open(sys.argv[3], "w", encoding="utf-8") as out:
        for rec in layer:
            out.write(json.dumps(rec, sort_keys=True) + "\n")
    kinds = {}
    for rec in layer:
        kinds[rec["type"]] = kinds.get(rec["type"], 0) + 1
    added = sum(1 for r in layer if r["path"] not in parent)
    print("%s: %d entries (%d new, %d changed, %d whiteouts) %s"
          % (sys.argv[3], len(layer), added, len(layer) - added - kinds.get("whiteout", 0),
             kinds.get("whiteout", 0), json.dumps(kinds, sort_keys=True)))


if __name__ == "__main__":
    main()
