"""What the assembly scripts share (and `evals/data/make-safety-benign-real.py`, which cuts its eval set the same way):
splitting Markdown into blocks, and the overlap check against the eval fixtures.

Standard library only; import with the folder on sys.path.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from typing import Callable, Iterable

FENCE = re.compile(r"^[ \t]*(```|~~~)")


def blocks_of(text: str) -> list[tuple[str, bool]]:
    """Split at blank lines; a fenced code block is one block. Returns (text, is_code)."""
    out: list[tuple[str, bool]] = []
    cur: list[str] = []
    in_code = False
    fence = ""
    for line in text.split("\n"):
        m = FENCE.match(line)
        if in_code:
            cur.append(line)
            if m and m.group(1) == fence:
                out.append(("\n".join(cur), True))
                cur, in_code = [], False
            continue
        if m:
            if cur:
                out.append(("\n".join(cur), False))
            cur, in_code, fence = [line], True, m.group(1)
            continue
        if not line.strip():
            if cur:
                out.append(("\n".join(cur), False))
                cur = []
            continue
        cur.append(line)
    if cur:
        out.append(("\n".join(cur), in_code))
    return out


def eval_contents(patterns: Iterable[str], key: Callable[[str], str]) -> set[str]:
    """key(content) of every line of the JSONL files the glob patterns name (read for the overlap check only)."""
    keys: set[str] = set()
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        c = json.loads(line).get("content")
                    except (ValueError, AttributeError):
                        continue
                    if isinstance(c, str):
                        keys.add(key(c))
    return keys


class Repo:
    """A repository snapshot under the mirror root (`ROOT/owner+name/repo`, a bare git directory), read at `commit`
    (HEAD when None, or when the commit is absent — said on stderr)."""

    def __init__(self, root: str, name: str, commit: str | None = None):
        self.name = name
        self.dir = os.path.join(root, name.replace("/", "+"), "repo")
        ok = commit is not None and subprocess.run(["git", "-C", self.dir, "cat-file", "-e", commit + "^{commit}"], capture_output=True).returncode == 0
        self.commit = commit if ok else self.git("rev-parse", "HEAD").strip()
        if commit is not None and not ok:
            print(f"{name}: commit {commit} absent, reading HEAD {self.commit}", file=sys.stderr)
        self.paths = [p for p in self.git("ls-tree", "-r", "--name-only", "-z", self.commit).split("\0") if p]

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", self.dir, *args], check=True, capture_output=True).stdout.decode("utf-8", "replace")

    def read_many(self, paths: list[str], max_size: int | None = None) -> dict[str, str]:
        """The UTF-8 files among `paths` (at most `max_size` bytes each), by path."""
        inp = "".join(f"{self.commit}:{p}\n" for p in paths).encode()
        out = subprocess.run(["git", "-C", self.dir, "cat-file", "--batch"], input=inp, check=True, capture_output=True).stdout
        res: dict[str, str] = {}
        pos = 0
        for p in paths:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            pos = nl + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            data = out[pos:pos + size]
            pos += size + 1
            if max_size is not None and size > max_size:
                continue
            try:
                res[p] = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return res


def merge_blocks(text: str, target: int, max_chars: int, is_heading: Callable[[str], bool]) -> list[str]:
    """Chunks of Markdown: a heading starts a new chunk, paragraphs are merged up to `target` chars, a code block
    stays with the paragraph before it unless that passes `max_chars`."""
    chunks: list[str] = []
    cur: list[str] = []
    size = 0
    for b, is_code in blocks_of(text):
        start_new = (cur and not is_code and (is_heading(b) or size + len(b) > target)) or (cur and is_code and size + len(b) > max_chars)
        if start_new:
            chunks.append("\n\n".join(cur))
            cur, size = [], 0
        cur.append(b)
        size += len(b) + 2
    if cur:
        chunks.append("\n\n".join(cur))
    return chunks


def norm(s: str) -> str:
    """NFKC, lower case, whitespace runs as one space: the de-duplication key."""
    return " ".join(unicodedata.normalize("NFKC", s).lower().split())


def sha(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


def pick_round_robin(
    per_kind_files: dict[str, list[list[tuple[str, str]]]],
    want: int,
    seen: set[str],
    order: Callable[[list[str]], list[str]] = lambda kinds: kinds,
    skip: Callable[[str], bool] = lambda key: False,
) -> list[tuple[str, str, str]]:
    """Up to `want` (kind, path, chunk): each kind's files interleaved (first chunk of every file, then the second, …),
    the kinds taken in turn (`order` of the sorted kinds, a kind may repeat), a chunk whose `norm` key is in `seen`
    skipped (the key is added to `seen`), and one for which `skip(key)` holds passed over after that."""
    queues: dict[str, list[tuple[str, str]]] = {}
    for k in sorted(per_kind_files):
        per_file = per_kind_files[k]
        q: list[tuple[str, str]] = []
        for i in range(max((len(x) for x in per_file), default=0)):
            q.extend(x[i] for x in per_file if i < len(x))
        queues[k] = q
    picked: list[tuple[str, str, str]] = []
    idx = {k: 0 for k in queues}
    while len(picked) < want and any(idx[k] < len(queues[k]) for k in queues):
        for k in order(sorted(queues)):
            while idx[k] < len(queues[k]):
                p, c = queues[k][idx[k]]
                idx[k] += 1
                key = norm(c)
                if key in seen:
                    continue
                seen.add(key)
                if skip(key):
                    continue
                picked.append((k, p, c))
                break
            if len(picked) >= want:
                break
    return picked
