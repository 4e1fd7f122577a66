#!/usr/bin/env python3
"""Build evals/data/safety-benign-real.jsonl: real, third-party benign developer text.

Reads files of public GitHub repositories (permissive licences) from the bare git
snapshots under /work/.mirror/<owner>+<name>/repo (brought there by the `fetch` tool),
cuts them into chunks of one to a few paragraphs and writes one safety-eval line per
chunk (label "benign"). Deterministic: the same snapshots give the same file,
byte for byte. No classifier is run and nothing is filtered by any score.

    python3 evals/data/make-safety-benign-real.py [--mirror /work/.mirror] [--out FILE]

Cutting rules (see NOTICE.md):
  * YAML front matter and leading MDX import/export lines are removed; CRLF -> LF;
    otherwise text is unchanged (HTML comments in templates are kept).
  * A file is split into blocks at blank lines; fenced code blocks (``` or ~~~) are one
    block and are glued to the paragraph before them (and a short paragraph after them).
  * Blocks are merged into chunks of up to ~900 chars; a heading starts a new chunk.
    Chunks of 80..1500 chars are kept; a chunk must hold >= 40 chars outside code fences.
  * De-duplicated on lower-cased, whitespace-collapsed text (first by sort order wins).
  * At most 150 chunks a repository, picked round-robin over families and, within a
    family, round-robin over files ordered by sha256(path) (a stable pseudo-random order).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "safety-train", "assemble"))
from common import Repo, merge_blocks, pick_round_robin, sha  # noqa: E402

CAP_PER_REPO = 150
MAX_FILES_PER_FAMILY = 120
MIN_CHARS, MAX_CHARS, TARGET = 80, 1500, 900

# repo -> (SPDX licence of the used files, include regex, exclude regex or None, llm repo?)
REPOS: list[tuple[str, str, str, str | None, bool]] = [
    ("fastapi/fastapi", "MIT",
     r"^(\.github/(ISSUE_TEMPLATE|DISCUSSION_TEMPLATE)/.*\.ya?ml|docs/[a-z-]+/docs/.*\.md)$",
     r"(/docs/(img|js|css)/|/_llm-test\.md$|fastapi-people|external-links|translation-banner)", False),
    ("dair-ai/Prompt-Engineering-Guide", "MIT",
     r"^(ar-)?pages/.*\.[a-z]{2}\.mdx$|^guides/.*\.md$|^(README|CONTRIBUTING)\.md$", None, True),
    ("nodejs/nodejs.org", "MIT",
     r"^(apps/site/pages/.*\.mdx?|\.github/.*TEMPLATE.*\.(md|ya?ml)|CONTRIBUTING\.md|SECURITY\.md|docs/.*\.md)$",
     r"/blog/(weekly|uncategorized|community|npm|video|events)/", False),
    ("tldr-pages/tldr", "CC-BY-4.0",
     r"^(pages(\.(zh|ko|es|ja|ru|de|fr|pt_BR|it|uk|tr))?/(common|linux|osx)/[^/]+\.md|CONTRIBUTING\.md|\.github/.*TEMPLATE.*\.md)$",
     None, False),
    ("volta-cli/volta", "BSD-2-Clause", r"^([^/]+\.md|\.github/.*\.(md|ya?ml)|docs/.*\.md)$", r"^\.github/workflows/", False),
    ("cure53/DOMPurify", "Apache-2.0", r"^([^/]+\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|CODE_OF_CONDUCT", False),
    ("NVIDIA/NeMo-Guardrails", "Apache-2.0",
     r"^(docs/.*\.md|[^/]+\.md|\.github/.*TEMPLATE.*\.(md|ya?ml)|nemoguardrails/llm/prompts/.*\.ya?ml|examples/.*README\.md)$",
     r"^docs/api/|CODE_OF_CONDUCT|CLAUDE\.md|AGENTS\.md", True),
    ("pypa/pip", "MIT",
     r"^(docs/html/.*\.(md|rst)|news/.*\.rst|NEWS\.rst|\.github/.*TEMPLATE.*\.(md|ya?ml)|[^/]+\.md|SECURITY\.md)$",
     r"docs/html/(cli|reference)/.*\.rst$|ux-research-design/research-results/", False),
    ("encode/httpx", "BSD-3-Clause", r"^(docs/.*\.md|CHANGELOG\.md|README\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/", False),
    ("simonw/datasette", "Apache-2.0", r"^(docs/.*\.(rst|md)|\.github/.*TEMPLATE.*|README\.md)$", r"docs/(cli-reference|plugin_hooks)\.rst$", False),
    ("vuejs/pinia", "MIT", r"^(packages/docs/.*\.md|\.github/.*\.(md|ya?ml)|packages/pinia/CHANGELOG\.md|[^/]+\.md)$",
     r"packages/docs/(zh/)?api/|^\.github/workflows/|CODE_OF_CONDUCT", False),
    ("docsifyjs/docsify", "MIT", r"^(docs/.*\.md|[^/]+\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|_sidebar|_navbar|_coverpage|_media/", False),
    ("nuxt/nuxt", "MIT", r"^(docs/.*\.md|\.github/ISSUE_TEMPLATE/.*|\.github/PULL_REQUEST_TEMPLATE.*|CONTRIBUTING\.md|SECURITY\.md|README\.md)$",
     r"^docs/4\.api/", False),
    ("dottxt-ai/outlines", "Apache-2.0", r"^(docs/.*\.md|examples/prompts/.*|\.github/.*TEMPLATE.*|README\.md)$", None, True),
    ("guardrails-ai/guardrails", "Apache-2.0",
     r"^(docs/.*\.(md|mdx)|[^/]+\.md|\.github/.*TEMPLATE.*)$", r"^docs/api_reference|CLAUDE\.md|CODE_OF_CONDUCT", True),
    ("helmetjs/helmet", "MIT", r"^([^/]+\.md|middlewares/.*README\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|CODE_OF_CONDUCT", False),
    ("BurntSushi/ripgrep", "MIT", r"^([^/]+\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|RELEASE-CHECKLIST", False),
    ("sharkdp/bat", "MIT OR Apache-2.0", r"^([^/]+\.md|doc/.*\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|sponsors|release-checklist", False),
    ("cli/cli", "MIT", r"^(docs/.*\.md|[^/]+\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/|\.github/(dependabot|licenses)", False),
    ("alacritty/alacritty", "MIT OR Apache-2.0", r"^([^/]+\.md|docs/.*\.md|\.github/.*\.(md|ya?ml))$", r"^\.github/workflows/", False),
    ("jesseduffield/lazygit", "MIT", r"^(docs/.*\.md|[^/]+\.md|\.github/.*\.(md|ya?ml))$",
     r"^docs/keybindings/|^\.github/workflows/|CODE-OF-CONDUCT|VISION", False),
    ("microsoft/prompt-engine", "MIT", r"^([^/]+\.md|examples/.*)$", r"CODE_OF_CONDUCT", True),
    ("reactjs/ko.react.dev", "CC-BY-4.0", r"^src/content/.*\.md$", None, False),
    ("usebruno/bruno", "MIT", r"^(docs/(readme|contributing|publishing)/.*\.md|[^/]+\.md|\.github/.*TEMPLATE.*)$", r"CODING_STANDARDS|license\.md", False),
    ("Kong/insomnia", "Apache-2.0", r"^([^/]+\.md|\.github/.*TEMPLATE.*|packages/[^/]+/[^/]+\.md)$", None, False),
    ("chartjs/Chart.js", "MIT", r"^(docs/.*\.md|\.github/.*TEMPLATE.*|[^/]+\.md)$", r"^docs/samples/|LICENSE", False),
    ("umami-software/umami", "MIT", r"^([^/]+\.md|\.github/.*TEMPLATE.*|podman/.*\.md)$", None, False),
    ("protectai/llm-guard", "MIT", r"^(docs/.*\.md|[^/]+\.md|\.github/.*TEMPLATE.*)$", None, True),
    ("vercel/swr-site", "Apache-2.0", r"^(content/.*\.mdx|README\.md)$", r"^content/examples/", False),
    ("payloadcms/payload", "MIT", r"^(docs/.*\.mdx?|\.github/.*TEMPLATE.*|[^/]+\.md)$", None, False),
]

ALWAYS_EXCLUDE = re.compile(r"CODE[_-]OF[_-]CONDUCT|dependabot\.ya?ml$|FUNDING\.ya?ml$|^\.github/workflows/|(^|/)(AGENTS|CLAUDE)\.md$", re.I)
LANG = r"cn|bn|pl|sk|ua|zhtw|ka|zh|zh-cn|zh-tw|zh-hant|ja|jp|ko|kr|es|fr|de|pt|pt-br|pt_BR|ru|uk|tr|it|ar|fa|id|ro|ta|hi|fi|ca|nl"
LANG_PATH = re.compile(
    rf"(^|/)({LANG})/|^docs/(?:readme|contributing|publishing)/[a-z]+_({LANG})\.md$|\.({LANG})\.mdx?$|^pages\.({LANG})/|^ar-pages/|README-({LANG})\.md$|^src/content/")
NONLATIN = {"cn", "zhtw", "bn", "ka", "ua", "zh", "zh-cn", "zh-tw", "zh-hant", "ja", "jp", "ko", "kr", "ru", "uk", "ar", "fa", "hi", "ta"}

FAMILY_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("issue_template", re.compile(r"ISSUE_TEMPLATE|DISCUSSION_TEMPLATE|issue_template", re.I)),
    ("pr_template", re.compile(r"PULL_REQUEST_TEMPLATE|pull_request_template", re.I)),
    ("injection_docs", re.compile(r"adversarial|injection|jailbreak|prompt-leaking|red-team|redteam", re.I)),
    ("security_doc", re.compile(r"security|vulnerab|advisory|xss|middlewares/|DOMPurify/README", re.I)),
    ("contributing", re.compile(r"contribut|docs/dev/|development/|maintain|governance", re.I)),
    ("support_doc", re.compile(r"SUPPORT\.md|help-fastapi|/getting-help", re.I)),
    ("troubleshooting", re.compile(r"faq|troubleshoot|debug|known-issues|errors?/", re.I)),
    ("changelog", re.compile(r"CHANGELOG|CHANGES|HISTORY\.md|RELEASES\.md|NEWS\.rst|^news/|release-notes|blog/release/|changelog", re.I)),
    ("migration_guide", re.compile(r"migrat|upgrad|bridge/|deprecat", re.I)),
    ("install_docs", re.compile(r"install|download|getting-started|getting_started|deployment|virtual-environments|setup", re.I)),
]


def family_for(repo: str, path: str, llm: bool) -> str:
    if repo == "tldr-pages/tldr" and path.startswith("pages/"):
        return "cli_docs"  # command pages: their file names are command names, not kinds
    for fam, rx in FAMILY_RULES:
        if rx.search(path):
            return fam
    if llm:
        return "llm_docs"
    if repo == "tldr-pages/tldr":
        return "cli_docs"
    return "docs"


def lang_of(path: str) -> str | None:
    m = LANG_PATH.search(path)
    if not m:
        return None
    if path.startswith("src/content/"):
        return "ko"
    if path.startswith("ar-pages/"):
        return "ar"
    return next(g for g in m.groups()[1:] if g)


def clean(text: str, path: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            text = text[end + 4:].split("\n", 1)[1] if "\n" in text[end + 4:] else ""
    if path.endswith(".mdx"):
        lines = text.split("\n")
        i = 0
        while i < len(lines) and (lines[i].startswith(("import ", "export ")) or not lines[i].strip()):
            i += 1
        text = "\n".join(lines[i:])
    return text


def is_heading(b: str) -> bool:
    return b.startswith("#") or bool(re.match(r"^[^\n]{1,200}\n[=\-~^]{3,}$", b))


def chunks_of(text: str) -> list[str]:
    chunks = merge_blocks(text, TARGET, MAX_CHARS, is_heading)
    keep = []
    for c in chunks:
        c = c.strip("\n")
        if not (MIN_CHARS <= len(c) <= MAX_CHARS):
            continue
        prose = re.sub(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1", "", c)
        if sum(ch.isalpha() for ch in prose) < 40:
            continue
        keep.append(c)
    return keep


def product_for(family: str) -> tuple[str, str]:
    return {
        "issue_template": ("github", "issue"),
        "pr_template": ("github", "pull_request"),
        "changelog": ("github", "release"),
    }.get(family, ("github", "docs"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "safety-benign-real.jsonl"))
    args = ap.parse_args()

    seen: set[str] = set()
    rows: list[dict] = []
    for name, licence, inc, exc, llm in REPOS:
        repo = Repo(args.mirror, name)
        inc_rx, exc_rx = re.compile(inc), re.compile(exc) if exc else None
        paths = [p for p in repo.paths if inc_rx.search(p) and not (exc_rx and exc_rx.search(p)) and not ALWAYS_EXCLUDE.search(p)]
        by_fam_files: dict[str, list[str]] = {}
        for p in paths:
            lang = lang_of(p)
            fam = "non_english_docs" if lang else family_for(name, p, llm)
            by_fam_files.setdefault(fam, []).append(p)
        # a stable pseudo-random subset of files per family
        for fam in by_fam_files:
            by_fam_files[fam] = sorted(by_fam_files[fam], key=lambda p: sha(name + ":" + p))[:MAX_FILES_PER_FAMILY]
        texts = repo.read_many(sorted(p for ps in by_fam_files.values() for p in ps))
        per_fam: dict[str, list[list[tuple[str, str]]]] = {}
        for fam in sorted(by_fam_files):
            per_file = []
            for p in by_fam_files[fam]:
                if p not in texts:
                    continue
                cs = []
                lang = lang_of(p)
                for c in chunks_of(clean(texts[p], p)):
                    if lang in NONLATIN and sum(ord(ch) > 0x2FF for ch in c) < 10:
                        continue  # an untranslated (English) passage in a translated file
                    cs.append((p, c))
                per_file.append(cs)
            per_fam[fam] = per_file
        picked = [{"family": fam, "path": p, "content": c} for fam, p, c in pick_round_robin(per_fam, CAP_PER_REPO, seen)]
        for r in picked:
            sp, st = product_for(r["family"])
            rows.append({
                "source_product": sp,
                "source_type": st,
                "content": r["content"],
                "label": "benign",
                "family": r["family"],
                "origin": f"{name}@{repo.commit}:{r['path']}",
                "licence": licence,
            })
        print(f"{name}@{repo.commit} files={len(paths)} lines={len(picked)}", file=sys.stderr)

    rows.sort(key=lambda r: sha(r["origin"] + "\n" + r["content"]))
    with open(args.out, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows, 1):
            line = {"id": f"b{i:04d}", **r}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    fams: dict[str, int] = {}
    for r in rows:
        fams[r["family"]] = fams.get(r["family"], 0) + 1
    print(f"wrote {len(rows)} lines to {args.out}", file=sys.stderr)
    for k in sorted(fams):
        print(f"  {k:20s} {fams[k]}", file=sys.stderr)


if __name__ == "__main__":
    main()
