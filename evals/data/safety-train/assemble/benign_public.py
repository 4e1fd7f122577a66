#!/usr/bin/env python3
"""Rebuild evals/data/safety-train/benign-public.jsonl (benign developer texts) from the
79 public repositories listed in ../SOURCES-benign.md, each read at the commit listed there.

Python 3 stdlib only; runs no code from the repositories; deterministic (the same snapshots
give the same file, byte for byte).

Reproduce:
    for each row "owner/name | commit" of SOURCES-benign.md:
        git clone https://github.com/owner/name MIRROR/owner+name/repo
        git -C MIRROR/owner+name/repo checkout COMMIT      # any clone holding COMMIT works
    python3 evals/data/safety-train/assemble/benign_public.py --mirror-root MIRROR \
        --out evals/data/safety-train/benign-public.jsonl
(MIRROR/owner+name/repo may be a bare git directory or a normal clone; files are read with
`git cat-file` at the listed commit, never from a work tree. If a commit is absent, HEAD is
read and the script says so on stderr.)

Which files: issue/PR/discussion templates, CONTRIBUTING/SUPPORT/SECURITY/FAQ/troubleshooting
pages, changelogs and release notes, docs pages (Markdown, MDX, reStructuredText), Jupyter
notebooks (LLM cookbooks: docs quoting prompts), and a few test-fixture files holding stack
traces or CLI error output (jest e2e snapshots, deno spec .out files, error-stack-parser's
captured errors). Skipped by path: red-teaming, guardrails, safety, attacks, injections,
jailbreaks; codes of conduct, licences, CI workflows, agent instruction files, vendored and
translated copies, API reference dumps.

How texts are cut (as SOURCES-benign.md says): files split at headings/paragraphs (a fenced
code block stays with the paragraph before it), notebook cells, YAML form blocks
(`- type:` items), code blocks for test fixtures (top-level statements / snapshot entries).
Kept: 20..3,000 chars, prose-bearing, no secrets-like strings, no injection/jailbreak phrasing.
Deduplicated on normalised text (NFKC, case, whitespace), also against every `content` of
evals/data/safety-*.jsonl. Per repository, chunks are taken round-robin over kinds and, within
a kind, over files in sha256(repo:path) order, up to that repository's count in SOURCES
(never more than 400). Text is unchanged apart from CRLF->LF, tabs->4 spaces, runs of blank
lines collapsed and Markdown front matter removed.

Output lines: {"text", "kind", "origin": "owner/repo path", "licence"}.

Second table (benign-public2.jsonl, 43 other repositories, at most 150 lines each):
    python3 evals/data/safety-train/assemble/benign_public.py \
        --sources evals/data/safety-train/SOURCES-benign2.md --mirror-root MIRROR \
        --out evals/data/safety-train/benign-public2.jsonl
Repositories not in SOURCES-benign.md keep translated docs (kind non_english), sort auth/CSRF/XSS/
secrets pages into security_doc and CI pages into ci_docs, and weight those kinds in the round-robin
(KIND_WEIGHT_V2); the first table's output is unchanged (same sha256 as before this change).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Repo, blocks_of, eval_contents, merge_blocks, norm, pick_round_robin, sha  # noqa: E402


HERE = os.path.dirname(os.path.abspath(__file__))
SAFETY_TRAIN = os.path.dirname(HERE)
EVALS_DATA = os.path.dirname(SAFETY_TRAIN)

CAP_PER_REPO = 400
MAX_FILES_PER_KIND = 80
MIN_CHARS, MAX_CHARS, TARGET = 20, 3000, 1200

# The 30 repositories of the eval set evals/data/safety-benign-real.jsonl: never read here.
EVAL_REPOS = {
    "BurntSushi/ripgrep", "Kong/insomnia", "NVIDIA/NeMo-Guardrails", "alacritty/alacritty", "chartjs/Chart.js",
    "cli/cli", "cure53/DOMPurify", "dair-ai/Prompt-Engineering-Guide", "docsifyjs/docsify", "dottxt-ai/outlines",
    "encode/httpx", "fastapi/fastapi", "guardrails-ai/guardrails", "helmetjs/helmet", "jesseduffield/lazygit",
    "microsoft/prompt-engine", "nodejs/nodejs.org", "nuxt/nuxt", "payloadcms/payload", "protectai/llm-guard",
    "pypa/pip", "reactjs/ko.react.dev", "sharkdp/bat", "simonw/datasette", "tldr-pages/tldr",
    "umami-software/umami", "usebruno/bruno", "vercel/swr-site", "volta-cli/volta", "vuejs/pinia",
}

# LLM-tooling repositories: their plain docs pages are kind "llm_docs" (docs quoting prompts).
LLM_REPOS = {
    "microsoft/promptflow", "vercel/ai", "continuedev/continue", "microsoft/autogen", "crewAIInc/crewAI",
    "ollama/ollama", "mem0ai/mem0", "deepset-ai/haystack", "microsoft/semantic-kernel", "stanfordnlp/dspy",
    "langchain-ai/langchainjs", "567-labs/instructor", "huggingface/smolagents", "simonw/llm",
    "openai/openai-python", "openai/openai-node", "anthropics/anthropic-cookbook", "guidance-ai/guidance",
    "langchain-ai/langgraph", "anthropics/anthropic-sdk-python", "mckaywrigley/chatbot-ui",
}

# Test-fixture files holding stack traces / CLI error output (kind "stack_trace").
FIXTURES: dict[str, str] = {
    "jestjs/jest": r"^e2e/__tests__/__snapshots__/[^/]+\.snap$",
    "denoland/deno": r"^tests/specs/.*\.out$",
    "stacktracejs/error-stack-parser": r"^spec/fixtures/captured-errors\.js$",
}

TEMPLATE = r"\.github/(ISSUE_TEMPLATE|DISCUSSION_TEMPLATE|PULL_REQUEST_TEMPLATE)/[^/]+\.(md|ya?ml)|\.github/[^/]*(PULL_REQUEST_TEMPLATE|pull_request_template|ISSUE_TEMPLATE|issue_template)[^/]*"
INCLUDE = re.compile(rf"^({TEMPLATE}|.*\.(md|mdx|rst|ipynb)|(.*/)?(CHANGELOG|CHANGES|HISTORY|RELEASES|NEWS)(\.txt)?)$")
EXCLUDE_BASE = (
    r"red[-_ ]?team|guardrail|safety|attack|jailbreak|injection|adversar"
    r"|CODE[_-]OF[_-]CONDUCT|(^|/)LICEN[CS]E|(^|/)NOTICE|(^|/)(AGENTS|CLAUDE|GEMINI|copilot-instructions)\.md$"
    r"|^\.github/workflows/|dependabot|FUNDING|(^|/)\.(claude|cursor|continue/rules)/"
    r"|(^|/)(node_modules|vendor|third_party|third-party|thirdparty|deps|__fixtures__|fixtures?|testdata|test-fixtures|snapshots)/"
    r"|(^|/)(tests?|__tests__|spec|specs|e2e|benchmarks?)/")
EXCLUDE_LANG = (
    r"(^|/)(i18n|locales?|translations?)/"
    r"|(^|/)(zh|zh-cn|zh-tw|zh-hans|zh-hant|zh_CN|zh_TW|ja|jp|ko|kr|es|fr|de|pt|pt-br|pt_BR|ru|uk|tr|it|ar|fa|id|pl|hi|vi|nl|cn)/"
    r"|[._-](zh|zh-CN|zh_CN|ja|ko|es|fr|de|pt-BR|pt_BR|ru|tr|it|vi|id)\.mdx?$")
EXCLUDE_TAIL = (
    r"|(^|/)api[-_]?reference/|(^|/)reference/api/|/generated[-_]code[-_]samples/|(^|/)_(static|build)/"
    r"|\.snap$|(^|/)(SECURITY-INSIGHTS|PATENTS)")
EXCLUDE = re.compile(EXCLUDE_BASE + "|" + EXCLUDE_LANG + EXCLUDE_TAIL, re.I)

# Second table (SOURCES-benign2.md): repositories not in SOURCES-benign.md are read with the extended
# rules below -- translated docs are KEPT as kind "non_english" (whole-repo translations listed in
# TRANSLATED_REPOS by their content folder), and auth/CSRF/XSS/secrets pages count as security_doc,
# CI pages as ci_docs. The first table keeps exactly the rules it was built with.
EXCLUDE_V2 = re.compile(EXCLUDE_BASE + EXCLUDE_TAIL + r"|(^|/)ref/|(^|/)\.(agents|github/(skills|prompts|instructions))/", re.I)  # API stubs; agent skill files
LANG_PATH = re.compile(EXCLUDE_LANG + r"|(^|/)README[._-](CN|JA|KO|zh|ja|ko|es|fr|de)[^/]*\.md$|[._-]cn\.md$", re.I)
TRANSLATED_REPOS = {
    "reactjs/zh-hans.react.dev": r"^src/content/", "reactjs/ja.react.dev": r"^src/content/",
    "reactjs/es.react.dev": r"^src/content/",
}
KIND_RULES_V2: list[tuple[str, re.Pattern[str]]] = [
    ("security_doc", re.compile(r"(^|/|[-_])(auth\w*|csrf|xss|secrets?|cors|csp|content[-_]security|sanitiz\w*"
                                r"|permissions?|oauth|session[-_]security|encryption)([-_./]|$)", re.I)),
    ("ci_docs", re.compile(r"(^|/)(ci|ci[-_]cd|github[-_]actions|continuous[-_]integration)([-_./]|$)"
                           r"|[-_](github[-_]actions|ci[-_]cd|continuous[-_]integration)[-_.]", re.I)),
]
# Second table: turns a round-robin round gives a kind (the kinds a classifier most often mistakes for attacks).
KIND_WEIGHT_V2 = {"non_english": 6, "security_doc": 2, "ci_docs": 2, "llm_docs": 2, "troubleshooting": 2}
V2_LLM_REPOS = {
    "huggingface/huggingface_hub", "openai/openai-agents-python", "openai/openai-agents-js", "pydantic/pydantic-ai",
    "microsoft/TypeChat", "modelcontextprotocol/python-sdk", "modelcontextprotocol/typescript-sdk",
    "modelcontextprotocol/servers", "abetlen/llama-cpp-python", "ollama/ollama-python", "Mintplex-Labs/anything-llm",
    "ChatGPTNextWeb/NextChat", "letta-ai/letta", "camel-ai/camel", "Aider-AI/aider", "chroma-core/chroma",
    "lm-sys/FastChat", "nomic-ai/gpt4all", "jackmpcollins/magentic", "PrefectHQ/marvin", "mlc-ai/web-llm",
    "e2b-dev/E2B", "huggingface/chat-ui",
}

KIND_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("issue_template", re.compile(r"ISSUE_TEMPLATE|DISCUSSION_TEMPLATE|issue_template", re.I)),
    ("pr_template", re.compile(r"PULL_REQUEST_TEMPLATE|pull_request_template", re.I)),
    ("changelog", re.compile(r"CHANGELOG|CHANGES|HISTORY|RELEASES|NEWS|release[-_ ]?notes?|/releases?/|changelog", re.I)),
    ("security_doc", re.compile(r"SECURITY|vulnerab|advisor", re.I)),
    ("contributing", re.compile(r"contribut|development|maintain|governance|hacking", re.I)),
    ("support_doc", re.compile(r"SUPPORT|getting[-_]help|/help/|community", re.I)),
    ("troubleshooting", re.compile(r"faq|troubleshoot|debug|known[-_]issues|errors?[/.]|common[-_]issues|gotchas", re.I)),
    ("migration_guide", re.compile(r"migrat|upgrad|deprecat", re.I)),
    ("install_docs", re.compile(r"install|getting[-_]started|quick[-_]?start|setup|deploy", re.I)),
]

SECRET = re.compile(
    r"AKIA[0-9A-Z]{16}|sk-(ant-|proj-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abpr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]{0,20}PRIVATE KEY|AIza[0-9A-Za-z_-]{30,}"
    r"|eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{10,}|hf_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,}"
    r"|(api[_-]?key|secret|token|password)[\"']?\s{0,3}[:=]\s{0,3}[\"']?[A-Za-z0-9+/_-]{24,}", re.I)
INJECTION = re.compile(
    r"ignore (all |any |the )?(previous|prior|above|earlier) (instructions|prompts?|directions)"
    r"|disregard (all |any |the )?(previous|prior|above)|jailbr[eo]ak|prompt[ -]?injection|developer mode"
    r"|do anything now|system prompt leak|prompt[ -]?leak", re.I)

ERRORISH = re.compile(r"Error|error:|Exception|Traceback|panicked|\n\s{0,12}at |FAIL|✕|●")


def read_sources(path: str) -> list[tuple[str, str, str, int]]:
    rows = []
    rx = re.compile(r"^\| \[([^\]]+)\]\([^)]*\) \| `([0-9a-f]{40})` \| ([^|]+?) \| [^|]+ \| (\d+) \|$")
    for line in open(path, encoding="utf-8"):
        m = rx.match(line.rstrip("\n"))
        if m:
            rows.append((m.group(1), m.group(2), m.group(3).strip(), int(m.group(4))))
    return rows


def licence_for(repo: str, licence: str, path: str) -> str:
    if repo == "microsoft/autogen":  # LICENSE (docs) is CC-BY-4.0, LICENSE-CODE is MIT
        return "MIT" if FIXTURES.get(repo) and re.search(FIXTURES[repo], path) else "CC-BY-4.0"
    return licence


def tidy(text: str) -> str:
    """CRLF->LF, tabs->4 spaces, runs of blank lines collapsed (one blank line kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").lstrip("\ufeff")
    lines = [ln if ln.strip() else "" for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln == "" and out and out[-1] == "":
            continue
        out.append(ln)
    return "\n".join(out).strip("\n")


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            rest = text[end + 4:]
            return rest.split("\n", 1)[1] if "\n" in rest else ""
    return text


HEADING_UNDERLINE = re.compile(r"^[^\n]{1,200}\n[=\-~^*#]{3,}$")


def is_heading(b: str) -> bool:
    return b.startswith("#") or bool(HEADING_UNDERLINE.match(b))


def doc_chunks(text: str) -> list[str]:
    """Headings start a new chunk; paragraphs are merged up to TARGET chars; code stays with its paragraph."""
    return merge_blocks(text, TARGET, MAX_CHARS, is_heading)


YAML_ITEM = re.compile(r"^\s{0,8}-\s{1,4}type:")


def yaml_chunks(text: str) -> list[str]:
    """Issue-form YAML: the header (name/description/labels) and each `- type:` block."""
    chunks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if YAML_ITEM.match(line):
            chunks.append([])
        chunks[-1].append(line)
    return ["\n".join(c) for c in chunks]


def notebook_chunks(text: str) -> list[str]:
    try:
        nb = json.loads(text)
    except ValueError:
        return []
    out = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if not isinstance(cell, dict):
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if cell.get("cell_type") == "markdown":
            out.extend(doc_chunks(tidy(src)))
        elif cell.get("cell_type") == "code" and ('"""' in src or "prompt" in src.lower()):
            out.append(src)  # code cells that quote a prompt
    return out


def fixture_chunks(text: str, path: str) -> list[str]:
    """Snapshot entries / top-level statements: a block starting with whitespace or a closer joins the one before."""
    if path.endswith(".out"):
        return [text]
    out: list[str] = []
    for b, _ in blocks_of(text):
        if out and (b[:1] in " })]" or b.startswith("`")):
            out[-1] += "\n\n" + b
        else:
            out.append(b)
    return out


def prose_ok(c: str, kind: str) -> bool:
    prose = re.sub(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1", "", c)
    letters = sum(ch.isalpha() for ch in prose)
    words = len(re.findall(r"[A-Za-z]{2,}", prose))
    if kind == "stack_trace":  # fixture entries that show an error / stack trace
        return words >= 4 and bool(ERRORISH.search(c))
    if kind == "non_english":  # CJK prose has no ASCII words; require some non-ASCII letters
        return letters >= 15 and sum(ch.isalpha() and ord(ch) > 127 for ch in prose) >= 5
    return letters >= 15 and words >= 4


def kind_for(repo: str, path: str, v2: bool = False) -> str:
    if repo in FIXTURES and re.search(FIXTURES[repo], path):
        return "stack_trace"
    if v2 and (LANG_PATH.search(path) or (repo in TRANSLATED_REPOS and re.search(TRANSLATED_REPOS[repo], path))):
        return "non_english"
    if path.endswith(".ipynb"):
        return "notebook"
    for kind, rx in (KIND_RULES[:2] + KIND_RULES_V2 + KIND_RULES[2:]) if v2 else KIND_RULES:
        if rx.search(path):
            return kind
    if re.search(r"(^|/)README\.md$", path, re.I):
        return "readme"
    return "llm_docs" if repo in LLM_REPOS or repo in V2_LLM_REPOS else "docs"


def chunks_for(path: str, kind: str, raw: str) -> list[str]:
    if kind == "stack_trace":
        parts = fixture_chunks(tidy(raw), path)
    elif path.endswith(".ipynb"):
        parts = notebook_chunks(raw)
    elif re.search(r"\.ya?ml$", path):
        parts = yaml_chunks(tidy(raw))
    elif re.search(r"\.(md|mdx)$", path, re.I):
        parts = doc_chunks(tidy(strip_front_matter(tidy(raw) + "\n")))
    else:
        parts = doc_chunks(tidy(raw))
    keep = []
    for c in parts:
        c = tidy(c)
        if not (MIN_CHARS <= len(c) <= MAX_CHARS):
            continue
        if not prose_ok(c, kind) or SECRET.search(c) or INJECTION.search(c):
            continue
        keep.append(c)
    return keep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror-root", default="/work/.mirror")
    ap.add_argument("--sources", default=os.path.join(SAFETY_TRAIN, "SOURCES-benign.md"))
    ap.add_argument("--out", default=os.path.join(SAFETY_TRAIN, "benign-public.jsonl"))
    ap.add_argument("--cap", type=int, default=None,
                    help="max lines a repository (default 400 for SOURCES-benign.md, 150 for any other table)")
    args = ap.parse_args()
    first_table = {r[0] for r in read_sources(os.path.join(SAFETY_TRAIN, "SOURCES-benign.md"))}
    is_first = os.path.abspath(args.sources) == os.path.abspath(os.path.join(SAFETY_TRAIN, "SOURCES-benign.md"))
    cap = args.cap if args.cap is not None else (CAP_PER_REPO if is_first else 150)

    banned = eval_contents([os.path.join(EVALS_DATA, "safety-*.jsonl")], norm)
    seen: set[str] = set()
    rows: list[dict] = []
    overlap = 0
    total_kinds: dict[str, int] = {}
    for name, commit, licence, target in read_sources(args.sources):
        assert name not in EVAL_REPOS, name
        v2 = name not in first_table
        assert is_first or v2, f"{name} is already in SOURCES-benign.md"
        repo = Repo(args.mirror_root, name, commit)
        fx = re.compile(FIXTURES[name]) if name in FIXTURES else None
        excl = EXCLUDE_V2 if v2 else EXCLUDE
        paths = [p for p in repo.paths
                 if (fx and fx.search(p)) or (INCLUDE.search(p) and not excl.search(p))]
        by_kind: dict[str, list[str]] = {}
        for p in paths:
            by_kind.setdefault(kind_for(name, p, v2), []).append(p)
        for k in by_kind:
            fcap = MAX_FILES_PER_KIND * (5 if k == "stack_trace" else 1)  # many fixture files show no error
            by_kind[k] = sorted(by_kind[k], key=lambda p: sha(name + ":" + p))[:fcap]
        texts = repo.read_many(sorted(p for ps in by_kind.values() for p in ps), max_size=2_000_000)
        per_kind = {k: [[(p, c) for c in chunks_for(p, k, texts[p])] for p in by_kind[k] if p in texts] for k in sorted(by_kind)}
        weighted = (lambda ks: [k for k in ks for _ in range(KIND_WEIGHT_V2.get(k, 1))]) if v2 else (lambda ks: ks)
        before = len(seen)
        chosen = pick_round_robin(per_kind, min(target, cap), seen, order=weighted, skip=lambda key: key in banned)
        overlap += len(seen) - before - len(chosen)
        picked = [{"text": c, "kind": k, "origin": f"{name} {p}", "licence": licence_for(name, licence, p)} for k, p, c in chosen]
        kinds: dict[str, int] = {}
        for r in picked:
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
            total_kinds[r["kind"]] = total_kinds.get(r["kind"], 0) + 1
        rows.extend(picked)
        print(f"{name}@{repo.commit[:12]} files={len(paths)} texts={len(picked)}/{target} "
              + " ".join(f"{k}={v}" for k, v in sorted(kinds.items())), file=sys.stderr)

    rows.sort(key=lambda r: sha(r["origin"] + "\n" + r["text"]))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} lines to {args.out}; dropped {overlap} equal to an eval content", file=sys.stderr)
    for k in sorted(total_kinds):
        print(f"  {k:16s} {total_kinds[k]}", file=sys.stderr)


if __name__ == "__main__":
    main()
