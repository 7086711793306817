#!/usr/bin/env python3
"""Merge image entries into the catalog index, and check the index.

Usage:
    merge-index.py [FRAGMENT.json]...

index.json (next to tools/) is a JSON array with one image variant per line:
name, tags, layers (listing files: a full tree, then one layer per derived image), config
(the OCI config fields the core reads), shell ({"path", "flavour"}), fidelity (exact,
reconstructed or approximated) and source. Each FRAGMENT is an array of such entries;
an entry replaces the index's entry of the same name and first tag, or is added.

Checks, with or without fragments: every listing named exists; no tag of a name is claimed
twice; fidelity is one of the three words; every layer chain starts with a full listing
(one without whiteouts).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INDEX = os.path.join(HERE, "index.json")
KEYS = ["name", "tags", "layers", "config", "shell", "fidelity", "source"]


def main():
    images = json.load(open(INDEX)) if os.path.exists(INDEX) else []
    for fragment in sys.argv[1:]:
        for new in json.load(open(fragment)):
            key = (new["name"], new["tags"][0])
            at = [i for i, old in enumerate(images) if (old["name"], old["tags"][0]) == key]
            if at:
                images[at[0]] = new
            else:
                images.append(new)
    errors = []
    claimed = {}
    for image in images:
        missing = [k for k in KEYS if k not in image]
        if missing:
            errors.append("%s: missing %s" % (image.get("name"), ", ".join(missing)))
            continue
        if image["fidelity"] not in ("exact", "reconstructed", "approximated"):
            errors.append("%s: fidelity %r" % (image["name"], image["fidelity"]))
        for tag in image["tags"]:
            who = claimed.setdefault((image["name"], tag), image["layers"][-1])
            if who != image["layers"][-1]:
                errors.append("%s:%s is claimed by %s and %s" % (image["name"], tag, who, image["layers"][-1]))
        for n, layer in enumerate(image["layers"]):
            path = os.path.join(HERE, layer)
            if not os.path.exists(path):
                errors.append("%s: listing %s does not exist" % (image["name"], layer))
            elif n == 0 and '"whiteout"' in open(path).read():
                errors.append("%s: %s holds whiteouts: it is a layer, not a full tree" % (image["name"], layer))
    if errors:
        sys.exit("\n".join(errors))
    with open(INDEX, "w", encoding="utf-8") as out:
        out.write("[\n")
        out.write(",\n".join(json.dumps({k: image[k] for k in KEYS}) for image in images))
        out.write("\n]\n")
    print("%s: %d images, %d listings" % (INDEX, len(images), len({l for i in images for l in i["layers"]})))


if __name__ == "__main__":
    main()
