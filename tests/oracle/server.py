"""The official Dockerfile parser (BuildKit's Go parser through the PyPI package
`dockerfile`) as a line-oriented oracle for Stagecraft's differential tests.

Reads one JSON request per line on stdin ({"text": "..."}) and answers one JSON line on
stdout: {"ok": [command, ...]} or {"error": "...", "type": "..."}.
"""
import json
import sys

import dockerfile


def command(c):
    return {
        "cmd": c.cmd,
        "sub_cmd": c.sub_cmd,
        "json": c.json,
        "original": c.original,
        "start_line": c.start_line,
        "end_line": c.end_line,
        "flags": list(c.flags),
        "value": list(c.value),
        "heredocs": [
            {"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content}
            for h in c.heredocs
        ],
    }


def main():
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": [command(c) for c in dockerfile.parse_string(request["text"])]}
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answer = {"error": str(e), "type": type(e).__name__}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
