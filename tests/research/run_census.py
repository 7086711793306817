#!/usr/bin/env python3
"""Census of what RUN instructions run in the real-world Dockerfile corpus.

Reads every Dockerfile through Stagecraft's own parser (`stagecraft parse --format json`, so
continuations, heredocs and the exec form are split exactly as BuildKit splits them), then lexes
each RUN's shell script with a small POSIX-sh lexer (quotes, escapes, comments, `$(...)`,
backticks, `$((...))`, `${...}`, here-documents inside the script) and walks the tokens to find
every simple command (skipping assignments, redirections and reserved words; looking through
`sudo`, `env`, `nohup`, `time`, `exec`, `xargs`, `find -exec`, `sh -c '...'`).

Prints: the number of RUN instructions, the top commands with counts and their share of RUN
instructions, the share of RUNs that use each tool family, the shell features used, and a
greedy build order with the command sets that cover 50%, 75% and 90% of RUN instructions
(a RUN is covered when every command in it is covered).

Usage: python3 run_census.py [CORPUS_DIR] [STAGECRAFT_BINARY]
"""

import collections
import json
import os
import re
import subprocess
import sys

CORPUS = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/realworld"
BINARY = sys.argv[2] if len(sys.argv) > 2 else "/work/main/target/release/stagecraft"

# Issue 5's "builtins with exact semantics", plus `[[` (listed among the bash features).
BUILTINS = set("""
echo printf cd pwd export unset set shift read true false : test [ exit return eval exec command
mkdir rmdir touch rm cp mv ln chmod chown chgrp cat tee head tail wc sort uniq cut tr sed grep
find xargs basename dirname realpath readlink env id whoami sleep tar gzip gunzip base64
sha256sum md5sum install mktemp seq ls stat du which useradd adduser groupadd addgroup chpasswd
update-alternatives [[
""".split())

# Issue 5's tool models, by family (normalised command names).
FAMILIES = collections.OrderedDict([
    ("apt-get/apt", {"apt-get", "apt"}),
    ("apk", {"apk"}),
    ("pip", {"pip", "pip3"}),
    ("npm/yarn/pnpm", {"npm", "yarn", "pnpm"}),
    ("go", {"go"}),
    ("cargo", {"cargo"}),
    ("mvn/gradle", {"mvn", "mvnw", "gradle", "gradlew"}),
    ("curl/wget", {"curl", "wget"}),
    ("git", {"git"}),
    ("make", {"make"}),
])
TOOL_MODELS = set().union(*FAMILIES.values()) | {
    "dpkg", "dotnet", "openssl", "tsc", "webpack", "vite",
}

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case",
            "esac", "{", "}", "!", "in", "function", "select"}
SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}
OPS = ["&&", "||", ";;", "<<-", "&>>", "<<<", "<<", ">>", ">&", "<&", ">|", "<>", "&>", "|&",
       ";", "|", "&", "(", ")", "<", ">"]
REDIRS = {"<<-", "<<<", "<<", ">>", ">&", "<&", ">|", "<>", "&>", "&>>", "<", ">"}
SEPARATORS = {"&&", "||", ";;", ";", "|", "&", "|&", "\n", "(", ")"}
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")


class Script:
    """Features found while lexing one script (shared with nested substitutions)."""

    def __init__(self):
        self.features = collections.Counter()
        self.commands = []  # normalised names, in order


def find_close(s, i, open_ch, close_ch):
    """Index just past the `close_ch` matching an already consumed `open_ch` at s[i-1]."""
    depth = 1
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = s.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i = skip_double(s, i + 1)
            continue
        if c == "`":
            j = i + 1
            while j < n and s[j] != "`":
                j += 2 if s[j] == "\\" else 1
            i = j + 1
            continue
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def skip_double(s, i):
    """Index just past the closing double quote (s[i-1] was the opening one)."""
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if s.startswith("$(", i):
            i = find_close(s, i + 2, "(", ")")
            continue
        if c == "`":
            j = i + 1
            while j < n and s[j] != "`":
                j += 2 if s[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return n


def scan_dollar(s, i, sc, nested):
    """s[i] == '$': consume an expansion, record features; return the new index."""
    if s.startswith("$((", i):
        sc.features["arithmetic $((...))"] += 1
        return find_close(s, i + 3, "(", ")") + 1 if False else find_arith_end(s, i + 3)
    if s.startswith("$(", i):
        sc.features["command substitution $(...)"] += 1
        end = find_close(s, i + 2, "(", ")")
        nested.append(s[i + 2:end - 1])
        return end
    if s.startswith("${", i):
        end = find_close(s, i + 2, "{", "}")
        body = s[i + 2:end - 1]
        if re.search(r"^#?[A-Za-z_0-9@*#?$!-]+(:?[-=+?]|##?|%%?|//?|:[0-9 ]|\^|,)", body):
            sc.features["parameter expansion with operator ${x:-..} ${x#..} .."] += 1
        else:
            sc.features["parameter expansion ${x} / $x"] += 1
        return end
    if i + 1 < len(s) and (s[i + 1].isalnum() or s[i + 1] in "_@*#?$!-"):
        sc.features["parameter expansion ${x} / $x"] += 1
        j = i + 1
        if s[j].isalpha() or s[j] == "_":
            while j < len(s) and (s[j].isalnum() or s[j] == "_"):
                j += 1
            return j
        return j + 1
    return i + 1


def find_arith_end(s, i):
    depth = 2
    n = len(s)
    while i < n:
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def lex(s, sc, nested):
    """Tokens of one script: ('w', text, quoted) words, ('op', text) operators, ('io', n)."""
    toks = []
    i = 0
    n = len(s)
    pending_heredocs = []
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "\n":
            toks.append(("op", "\n"))
            i += 1
            for delim, strip in pending_heredocs:
                # Skip the body up to the delimiter line.
                while i < n:
                    j = s.find("\n", i)
                    line = s[i:] if j < 0 else s[i:j]
                    i = n if j < 0 else j + 1
                    if (line.lstrip("\t") if strip else line) == delim:
                        break
            pending_heredocs = []
            continue
        if c == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        op = next((o for o in OPS if s.startswith(o, i)), None)
        if op:
            toks.append(("op", op))
            i += len(op)
            if op in ("<<", "<<-"):
                # The delimiter word follows (possibly after blanks).
                while i < n and s[i] in " \t":
                    i += 1
                start = i
                while i < n and s[i] not in " \t\n;&|()<>":
                    if s[i] == "'":
                        i = s.find("'", i + 1) + 1 or n
                    elif s[i] == '"':
                        i = skip_double(s, i + 1)
                    else:
                        i += 1
                raw = s[start:i]
                delim = raw.replace("'", "").replace('"', "").replace("\\", "")
                pending_heredocs.append((delim, op == "<<-"))
                toks.append(("w", delim, True))
                sc.features["here-document in the script (<<)"] += 1
            continue
        # A word.
        start = i
        quoted = False
        while i < n:
            c = s[i]
            if c in " \t\r\n;&|()<>":
                break
            if c == "\\":
                if i + 1 < n and s[i + 1] == "\n":
                    i += 2
                    continue
                quoted = True
                i += 2
                continue
            if c == "'":
                quoted = True
                j = s.find("'", i + 1)
                i = n if j < 0 else j + 1
                continue
            if c == '"':
                quoted = True
                end = skip_double(s, i + 1)
                inner = s[i + 1:end - 1]
                k = 0
                while k < len(inner):
                    if inner[k] == "\\":
                        k += 2
                    elif inner[k] == "$":
                        k = scan_dollar(inner, k, sc, nested)
                    elif inner[k] == "`":
                        j = inner.find("`", k + 1)
                        j = len(inner) if j < 0 else j
                        sc.features["backticks `...`"] += 1
                        nested.append(inner[k + 1:j])
                        k = j + 1
                    else:
                        k += 1
                i = end
                continue
            if c == "$":
                i = scan_dollar(s, i, sc, nested)
                continue
            if c == "`":
                j = i + 1
                while j < n and s[j] != "`":
                    j += 2 if s[j] == "\\" else 1
                sc.features["backticks `...`"] += 1
                nested.append(s[i + 1:j])
                i = j + 1
                continue
            i += 1
        word = s[start:i]
        if word.isdigit() and i < n and s[i] in "<>":
            toks.append(("io", word))
        else:
            toks.append(("w", word, quoted))
    return toks


def unquote(w):
    return re.sub(r"""\\(.)|['"]""", lambda m: m.group(1) or "", w)


def normalise(word):
    w = unquote(word)
    if not w:
        return None
    if re.fullmatch(r"\$\{?[A-Za-z_@*0-9]+\}?", w):
        return "$VAR"
    rel = w.startswith("./") or w.startswith("../")
    base = w.rstrip("/").rsplit("/", 1)[-1] if "/" in w else w
    if rel:
        return "./" + base
    if re.fullmatch(r"python[0-9.]*", base):
        return "python"
    if re.fullmatch(r"pip[0-9.]*", base):
        return "pip"
    return base


def command_words(toks, sc):
    """Split tokens into simple commands; yield each command's word list (unnormalised)."""
    i = 0
    n = len(toks)
    expect_cmd = True
    case_stack = []  # True while reading a case pattern
    current = []
    after_redir = False

    def flush():
        nonlocal current
        if current:
            yield_list.append(current)
        current = []

    yield_list = []
    while i < n:
        t = toks[i]
        if t[0] == "io":
            i += 1
            continue
        if t[0] == "op":
            op = t[1]
            if op in REDIRS:
                sc.features["redirection (> >> < 2>&1 ...)"] += 1
                if op in (">&", "<&") and i + 1 < n and toks[i + 1][0] == "w" and toks[i + 1][1] in ("1", "2", "-"):
                    sc.features["fd duplication (2>&1, >&2)"] += 1
                if i + 1 < n and toks[i + 1][0] == "w" and toks[i + 1][1] == "/dev/null":
                    sc.features["redirection to /dev/null"] += 1
                i += 2  # the target word (or heredoc delimiter)
                continue
            if case_stack and case_stack[-1] and op == ")":
                case_stack[-1] = False
                expect_cmd = True
                i += 1
                continue
            if case_stack and case_stack[-1] and op in ("(", "|"):
                i += 1
                continue
            flush()
            if op == ";;":
                if case_stack:
                    case_stack[-1] = True
            elif op == "|" or op == "|&":
                sc.features["pipeline |"] += 1
            elif op == "&&":
                sc.features["&&"] += 1
            elif op == "||":
                sc.features["||"] += 1
            elif op == ";":
                sc.features["; separator"] += 1
            elif op == "&":
                sc.features["background &"] += 1
            elif op == "(" and expect_cmd:
                sc.features["subshell ( ... )"] += 1
            expect_cmd = True
            i += 1
            continue
        word, quoted = t[1], t[2]
        if case_stack and case_stack[-1]:
            if word == "esac" and not quoted:
                case_stack.pop()
                expect_cmd = False
            i += 1
            continue
        if expect_cmd and not quoted and word in RESERVED:
            if word == "if":
                sc.features["if"] += 1
            elif word in ("while", "until"):
                sc.features["while/until"] += 1
            elif word == "!":
                sc.features["! negation"] += 1
            elif word == "{":
                sc.features["brace group { ...; }"] += 1
            elif word == "function":
                sc.features["function definition"] += 1
                i += 2
                continue
            elif word in ("for", "select"):
                sc.features["for"] += 1
                # Skip the header up to `do`.
                while i < n and not (toks[i][0] == "w" and toks[i][1] == "do"):
                    i += 1
                i += 1
                expect_cmd = True
                continue
            elif word == "case":
                sc.features["case"] += 1
                i += 3  # case WORD in
                case_stack.append(True)
                continue
            elif word == "esac" and case_stack:
                case_stack.pop()
            i += 1
            expect_cmd = word not in ("fi", "done", "esac", "}")
            continue
        if expect_cmd and i + 2 < n and toks[i + 1] == ("op", "(") and toks[i + 2] == ("op", ")"):
            sc.features["function definition"] += 1
            i += 3
            expect_cmd = True
            continue
        if word == "[[" and expect_cmd:
            sc.features["[[ ... ]] (bash)"] += 1
        current.append(word)
        expect_cmd = False
        i += 1
    flush()
    return yield_list


def analyse(script, sc, depth=0):
    """Lex and walk one script, appending to sc.commands."""
    nested = []
    toks = lex(script, sc, nested)
    for words in command_words(toks, sc):
        simple_command(words, sc, depth)
    for sub in nested:
        if depth < 8:
            analyse(sub, sc, depth + 1)


def simple_command(words, sc, depth):
    # Leading assignments.
    k = 0
    while k < len(words) and ASSIGN.match(words[k]):
        k += 1
    if k:
        sc.features["assignment"] += 1
    words = words[k:]
    while words:
        name = normalise(words[0])
        if name is None:
            return
        args = [unquote(w) for w in words[1:]]
        if name == "sudo":
            j = 0
            while j < len(args) and args[j].startswith("-"):
                j += 2 if args[j] in ("-u", "-g") else 1
            words = words[1 + j:]
            continue
        if name in ("env",) and args:
            j = 0
            while j < len(args) and (args[j].startswith("-") or ASSIGN.match(args[j])):
                j += 2 if args[j] in ("-u",) else 1
            if j < len(args):
                words = words[1 + j:]
                continue
        if name in ("nohup", "time") and args:
            words = words[1:]
            continue
        if name == "set":
            flags = " ".join(args)
            if re.search(r"(^| )-[a-z]*e", flags):
                sc.features["set -e"] += 1
            if "pipefail" in flags:
                sc.features["set -o pipefail"] += 1
        if name in SHELLS and "-c" in args:
            idx = args.index("-c")
            sc.features["sh -c / bash -c"] += 1
            if idx + 1 < len(args) and depth < 8:
                analyse(args[idx + 1], sc, depth + 1)
            return
        sc.commands.append(name)
        if name == "exec" and args:
            words = words[1:]
            continue
        if name == "xargs":
            j = 0
            while j < len(args) and args[j].startswith("-"):
                j += 2 if args[j] in ("-I", "-n", "-P", "-d", "-L", "-a", "-E", "-s") else 1
            inner = words[1 + j:]
            if inner:
                words = inner
                continue
            return
        if name == "find" and "-exec" in args:
            for m, a in enumerate(args):
                if a in ("-exec", "-execdir") and m + 1 < len(args):
                    inner = normalise(args[m + 1])
                    if inner and inner != "{}":
                        sc.commands.append(inner)
        return


def run_script_of(ins):
    """The shell script a RUN runs, or (None, interpreter) for a modeled interpreter heredoc."""
    value = ins["value"]
    if ins["json"]:
        if value and normalise(value[0]) in SHELLS and "-c" in value:
            idx = value.index("-c")
            return (value[idx + 1] if idx + 1 < len(value) else ""), None
        return None, [normalise(value[0]) if value else "exec-form"]
    text = value[0] if value else ""
    if ins["heredocs"]:
        rest = re.sub(r"<<-?\s*(['\"]?)[A-Za-z0-9_.-]+\1", "", text).strip()
        first = rest.split()[0] if rest.split() else ""
        if not rest or (normalise(first) in SHELLS and all(w.startswith("-") for w in rest.split()[1:])):
            return ins["heredocs"][0]["content"], None
        # `RUN python3 <<EOF`: an interpreter reading the heredoc; `RUN cat <<EOF > f`: the shell
        # runs the line and the heredoc is its standard input (BuildKit passes both to the shell).
        full = text + "\n" + "".join(h["content"] + h["name"] + "\n" for h in ins["heredocs"])
        return full, None
    return text, None


def main():
    files = sorted(f for f in os.listdir(CORPUS) if f not in ("README.md", "MANIFEST.tsv"))
    out = subprocess.run([BINARY, "parse", "--format", "json", *files], cwd=CORPUS,
                         capture_output=True, text=True, check=False).stdout
    runs = []  # dicts: file, commands (list), features (Counter), shell
    for line in out.splitlines():
        d = json.loads(line)
        # Windows files: their RUNs go to cmd or PowerShell, not to a POSIX shell.
        windows = d.get("directives", {}).get("escape") == "`" or any(
            ins["cmd"] == "FROM" and re.search(r"windows|nanoserver|servercore|dotnet/framework", " ".join(ins["value"]), re.I)
            for ins in d["instructions"]) or "windows" in d["file"].lower() or "dotnet-framework" in d["file"]
        shell = "/bin/sh"
        for ins in d["instructions"]:
            if ins["cmd"] == "FROM":
                shell = "/bin/sh"
            elif ins["cmd"] == "SHELL":
                shell = ins["value"][0] if ins["value"] else shell
            elif ins["cmd"] == "RUN":
                sc = Script()
                if ins["heredocs"]:
                    sc.features["Dockerfile heredoc (RUN <<EOF)"] += 1
                if any(f.startswith("--mount") for f in ins["flags"]):
                    sc.features["RUN --mount"] += 1
                if ins["json"]:
                    sc.features["exec form RUN [...]"] += 1
                if "\n" in (ins["value"][0] if ins["value"] else "") or ins["heredocs"]:
                    pass
                if windows or "powershell" in shell.lower():
                    sc.features["Windows shell (PowerShell)"] += 1
                    sc.commands.append("<powershell>")
                else:
                    script, interp = run_script_of(ins)
                    if interp:
                        sc.commands.extend(interp)
                    else:
                        analyse(script, sc)
                    if "bash" in shell:
                        sc.features["stage SHELL is bash"] += 1
                runs.append({"file": d["file"], "commands": sc.commands, "features": sc.features})
                if os.environ.get("CENSUS_DUMP"):
                    print("RUN", d["file"], ins["start_line"], sc.commands, dict(sc.features), file=sys.stderr)

    total = len(runs)
    print(f"Dockerfiles: {len(files)}  RUN instructions (all stages): {total}")
    cmd_count = collections.Counter()
    cmd_runs = collections.Counter()
    for r in runs:
        cmd_count.update(r["commands"])
        cmd_runs.update(set(r["commands"]))
    print(f"commands found: {sum(cmd_count.values())}, distinct: {len(cmd_count)}, "
          f"mean per RUN: {sum(cmd_count.values()) / total:.1f}")

    def kind(c):
        if c in BUILTINS:
            return "builtin"
        if c in TOOL_MODELS:
            return "tool model"
        return ""

    print("\n## Top 80 commands (count = occurrences; RUNs = RUN instructions that use it)\n")
    print("| # | command | count | RUNs | share of RUNs | issue 5 |")
    print("|---|---|---|---|---|---|")
    for rank, (c, k) in enumerate(sorted(cmd_runs.items(), key=lambda x: (-x[1], -cmd_count[x[0]], x[0]))[:80], 1):
        print(f"| {rank} | `{c}` | {cmd_count[c]} | {k} | {100 * k / total:.1f}% | {kind(c)} |")

    print("\n## Share of RUN instructions using each tool family\n")
    print("| family | RUNs | share |")
    print("|---|---|---|")
    for fam, names in FAMILIES.items():
        k = sum(1 for r in runs if names & set(r["commands"]))
        print(f"| {fam} | {k} | {100 * k / total:.1f}% |")
    only = sum(1 for r in runs if r["commands"] and set(r["commands"]) <= BUILTINS)
    print(f"| only issue-5 builtins | {only} | {100 * only / total:.1f}% |")
    empty = sum(1 for r in runs if not r["commands"])
    print(f"| no command at all | {empty} | {100 * empty / total:.1f}% |")

    print("\n## Shell features by share of RUN instructions\n")
    print("| feature | RUNs | share |")
    print("|---|---|---|")
    feat_runs = collections.Counter()
    for r in runs:
        feat_runs.update(set(r["features"]))
    for f, k in feat_runs.most_common():
        print(f"| {f.replace('|', chr(92) + '|')} | {k} | {100 * k / total:.1f}% |")

    # Greedy build order: repeatedly add the set of missing commands (of size <= 3, taken from
    # some uncovered RUN) that completes the most RUNs per command added.
    print("\n## Greedy build order (a RUN is covered when all its commands are)\n")
    sets = [frozenset(r["commands"]) for r in runs]
    windows = sum(1 for s in sets if "<powershell>" in s)
    posix = total - windows
    print(f"Windows RUNs (PowerShell/cmd, never coverable by a POSIX shell): {windows}; "
          f"the ceiling is {100 * posix / total:.1f}% of all RUNs. Percentages below are of all "
          f"{total} RUNs, and in brackets of the {posix} POSIX-shell RUNs.\n")
    scope = BUILTINS | TOOL_MODELS
    in_scope = sum(1 for s in sets if s <= scope)
    print(f"Issue 5's whole list (builtins + tool models) covers {in_scope} RUNs: "
          f"{100 * in_scope / total:.1f}% ({100 * in_scope / posix:.1f}%).\n")
    # Generic classes beyond issue 5's lists: scripts the shell itself can interpret once they
    # are in the simulated filesystem, and read-only probes (no filesystem effect).
    def script_like(c):
        return c.startswith("./") or c.endswith((".sh", ".bash")) or c in ("sh", "bash", ".", "source")
    probes = {"uname", "nproc", "date", "arch", "getconf", "ldd", "dpkg-architecture", "dpkg-query",
              "gpg", "gpgconf", "sha512sum", "sha384sum", "awk", "diff", "true", "false", "yes",
              "printf", "test", "readlink", "getent", "apt-mark", "apt-key", "update-ca-certificates",
              "nm", "sysctl", "umask", "eval", "dirname", "sort", "stat", "usermod", "userdel",
              "locale-gen", "ldconfig", "setcap", "tree", "node", "python", "php", "unzip", "rsync", "jar"}
    extended = scope | probes
    k1 = sum(1 for s in sets if all(c in scope or script_like(c) for c in s))
    k2 = sum(1 for s in sets if all(c in extended or script_like(c) for c in s))
    print(f"Issue 5's list + scripts run from the filesystem (./x, x.sh, sh x, . x): {k1} RUNs, "
          f"{100 * k1 / total:.1f}% ({100 * k1 / posix:.1f}%).")
    print(f"... + {len(probes)} small utilities and read-only probes ({' '.join(sorted(probes))}): "
          f"{k2} RUNs, {100 * k2 / total:.1f}% ({100 * k2 / posix:.1f}%).\n")
    sets = [s for s in sets if "<powershell>" not in s]
    covered_cmds = set()
    order = []
    done = sum(1 for s in sets if not s)
    marks = [50, 75, 90, 95]
    print("| step | add | kind | RUNs covered | cumulative |")
    print("|---|---|---|---|---|")
    step = 0
    reached = {}
    while True:
        missing = collections.Counter()
        for s in sets:
            m = s - covered_cmds
            if m and len(m) <= 3:
                missing[frozenset(m)] += 0
        if not missing:
            break
        best, best_score, best_gain = None, -1.0, 0
        for m in missing:
            gain = sum(1 for s in sets if (s - covered_cmds) and (s - covered_cmds) <= m)
            freq = sum(cmd_runs[c] for c in m)
            score = (gain / len(m), freq)
            if best is None or score > best_score:
                best, best_score, best_gain = m, score, gain
        covered_cmds |= best
        done += best_gain
        step += 1
        added = sorted(best, key=lambda c: -cmd_runs[c])
        order.extend(added)
        pct = 100 * done / total
        print(f"| {step} | {', '.join('`' + c + '`' for c in added)} | "
              f"{', '.join(kind(c) or 'other' for c in added)} | +{best_gain} | {done} ({pct:.1f}%; {100 * done / posix:.1f}%) |")
        for mk in marks:
            if mk not in reached and pct >= mk:
                reached[mk] = (len(covered_cmds), list(order))
        if step > 300:
            break
    print()
    for mk in marks:
        if mk in reached:
            k, cmds = reached[mk]
            print(f"{mk}% of all RUN instructions: {k} commands: {' '.join(cmds)}\n")
    # What blocks the rest.
    blockers = collections.Counter()
    for s in sets:
        m = s - covered_cmds
        if m:
            blockers.update(m)
    print("Commands still blocking uncovered RUNs:",
          ", ".join(f"{c} ({k})" for c, k in blockers.most_common(40)))


if __name__ == "__main__":
    main()
