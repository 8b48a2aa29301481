"""Runs the command blocks of a Markdown document against a running stack, as a newcomer would
paste them into one shell, and says which steps did not do what the document says.

A block fenced as ```sh is run. A block of commands that must not run in a test (an operator's
procedure that stops the platform or needs another machine) is fenced as ```console; output
or a layout that mentions a command is ```text; any other fence holds no commands.

The blocks of one document run in order in one bash (``set -u``: an undefined variable stops
it), in a scratch directory that shows the project's files (``docs/samples/…`` and ``.venv``
are where the reader has them; files a step writes land in the scratch). Every ``curl`` and
``.venv/bin/python`` is wrapped to record its line and HTTP status or exit code.

What a step should answer is read from its comment, as the documents write it for readers:
the trailing comment on the command's last line, else the first comment line right after the
command that starts with a status. ``# 409 {"error":{…"rule":"ATT-01"…`` means status 409 and
a body naming ATT-01 (the first rule ID in the comment); ``# exit 2`` an exit code; without
one a ``curl`` must answer 2xx and a CLI exit 0. A ``curl`` inside a shell function (``tok``,
``clock``) must answer 2xx. Bash errors (an undefined variable) and Python tracebacks fail the
document."""
import dataclasses
import os
import pathlib
import re
import subprocess
import tempfile

FENCE = re.compile(r"^```(\S*)\s*$")
STATUS = re.compile(r"^(\d{3})\b")
EXIT = re.compile(r"^exit (\d+)\b")
RULE = re.compile(r"\b([A-Z]{3}-\d{2})\b")
RUNNABLE = ("curl ", ".venv/bin/python ")

PRELUDE = r"""
set -u
curl() {
  local line=${BASH_LINENO[${#BASH_LINENO[@]}-2]} depth=${#FUNCNAME[@]} body rc
  body=$(mktemp "$DOC_TMP/body.XXXXXX")
  command curl --max-time 30 "$@" -w '%{stderr}%{http_code}' >"$body" 2>"$body.status"
  rc=$?
  printf 'curl\t%s\t%s\t%s\t%s\n' "$line" "$depth" "$(tail -c 3 "$body.status")" "$body" \
    >>"$DOC_LOG"
  cat "$body"
  return $rc
}
function .venv/bin/python {
  local line=${BASH_LINENO[${#BASH_LINENO[@]}-2]} depth=${#FUNCNAME[@]} rc
  "$DOC_ROOT/.venv/bin/python" "$@"
  rc=$?
  printf 'cli\t%s\t%s\t%s\t\n' "$line" "$depth" "$rc" >>"$DOC_LOG"
  return $rc
}
"""


@dataclasses.dataclass
class Script:
    text: str
    origin: dict          # script line (1-based) -> (document, line in it)
    lines: list


def blocks(path):
    """(info string, first line number, lines) of every fenced block."""
    out, current = [], None
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        match = FENCE.match(line)
        if current is None and match:
            current = (match.group(1), number + 1, [])
        elif current is not None and line.strip() == "```":
            out.append(current)
            current = None
        elif current is not None:
            current[2].append(line)
    return out


def untagged_commands(path):
    """Blocks that hold commands but are not fenced as sh (they would escape the test)."""
    return [first for info, first, lines in blocks(path) if info not in ("sh", "console", "text")
            and any(marker in line for marker in RUNNABLE for line in lines)]


def script(path, port):
    head = PRELUDE.strip("\n").splitlines()
    text, origin = list(head), {}
    for info, first, lines in blocks(path):
        if info != "sh":
            continue
        for offset, line in enumerate(lines):
            text.append(line.replace("localhost:8000", f"localhost:{port}"))
            origin[len(text)] = (str(path), first + offset)
    return Script("\n".join(text) + "\n", origin, text)


def annotation(lines, index):
    """The comment that says what the command starting at ``lines[index]`` answers."""
    quote = None
    for j in range(index, len(lines)):
        line, k = lines[j], 0
        while k < len(line):
            c = line[k]
            if quote == "'":
                quote = None if c == "'" else quote
            elif quote == '"':
                if c == "\\":
                    k += 1
                elif c == '"':
                    quote = None
            elif c in "'\"":
                quote = c
            elif c == "\\":
                k += 1
            elif c == "#" and (k == 0 or line[k - 1].isspace()):
                return line[k + 1:].strip()
            k += 1
        if quote is None and not line.rstrip().endswith("\\"):
            for following in lines[j + 1:]:
                if not following.lstrip().startswith("#"):
                    break
                comment = following.lstrip()[1:].strip()
                if STATUS.match(comment) or EXIT.match(comment):
                    return comment
            return ""
    return ""


@dataclasses.dataclass
class Step:
    kind: str
    line: int
    nested: bool
    got: int
    body: str


def run(path, stack, timeout=600):
    """Run the document's sh blocks against ``stack``; the list of failures (empty: it runs)."""
    s = script(path, stack.port)
    root = pathlib.Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="anchang-doc-") as tmp:
        log = pathlib.Path(tmp) / "steps.log"
        log.touch()
        env = dict(stack.env, DOC_LOG=str(log), DOC_TMP=tmp, DOC_ROOT=str(root),
                   PYTHONPATH=str(root), LC_ALL="C.UTF-8")
        (pathlib.Path(tmp) / "doc.sh").write_text(s.text)
        for entry in root.iterdir():     # the project as the reader sees it; files land in tmp
            if entry.name not in ("var", ".git", "doc.sh", "steps.log"):
                (pathlib.Path(tmp) / entry.name).symlink_to(entry)
        done = subprocess.run(["bash", "doc.sh"], cwd=tmp, env=env, capture_output=True,
                              text=True, timeout=timeout)
        if os.environ.get("DOCS_TRANSCRIPT"):     # a directory: what each document printed
            out = pathlib.Path(os.environ["DOCS_TRANSCRIPT"]) / (pathlib.Path(path).stem + ".out")
            out.write_text(done.stdout + done.stderr)
        steps = [parse(row) for row in log.read_text().splitlines()]
        return judge(s, steps, done)


def parse(row):
    kind, line, depth, got, body = row.split("\t")
    text = ""
    if body and os.path.exists(body):
        text = pathlib.Path(body).read_text(errors="replace")
    return Step(kind, int(line), int(depth) > 2, int(got) if got.isdigit() else 0, text)


def where(s, line):
    doc, number = s.origin.get(line, ("prelude", line))
    return f"{pathlib.Path(doc).name}:{number}"


def judge(s, steps, done):
    failures = []
    for step in steps:
        comment = "" if step.nested else annotation(s.lines, step.line - 1)
        command = s.lines[step.line - 1].strip()
        if step.kind == "curl":
            status = STATUS.match(comment)
            want = int(status.group(1)) if status else None
            ok = step.got == want if want else 200 <= step.got < 300
            rule = RULE.search(comment) if want else None
            if ok and rule and rule.group(1) not in step.body:
                ok = False
            if not ok:
                failures.append(f"{where(s, step.line)}: {command[:90]}\n    wanted "
                                f"{comment if want else '2xx'}"
                                f"{' (in a function)' if step.nested else ''}"
                                f"\n    got {step.got} {step.body[:300]}")
        else:
            code = EXIT.match(comment)
            want = int(code.group(1)) if code else 0
            if step.got != want:
                failures.append(f"{where(s, step.line)}: {command[:90]}\n    wanted exit "
                                f"{want}, got {step.got}")
    failures += shell_errors(s, done.stderr.splitlines())
    if done.returncode and not failures:
        failures.append(f"the shell stopped with exit code {done.returncode}")
    return failures


def shell_errors(s, lines):
    """bash's own errors (unbound variable, command not found) and Python tracebacks; a CLI's
    expected refusal (``error: …`` with ``# exit 2``) is not one."""
    out = []
    for i, line in enumerate(lines):
        bash = re.match(r"^doc\.sh: line (\d+): (.*)", line)
        if bash:
            out.append(f"{where(s, int(bash.group(1)))}: {bash.group(2)}")
        elif line.startswith("Traceback"):
            tail = next((x for x in lines[i + 1:] if x and not x.startswith(" ")), "")
            out.append(f"a Python traceback: {tail}")
    return out
