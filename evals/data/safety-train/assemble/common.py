"""What the assembly scripts share (and `evals/data/make-safety-benign-real.py`, which cuts its eval set the same way):
splitting Markdown into blocks, and the overlap check against the eval fixtures.

Standard library only; import with the folder on sys.path.
"""
from __future__ import annotations

import glob
import json
import re
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
