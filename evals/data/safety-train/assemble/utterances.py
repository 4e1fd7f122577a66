#!/usr/bin/env python3
"""Assemble benign-utterances.jsonl (see ../SOURCES-utterances.md).

What people type to support desks and assistants: CLINC150, BANKING77, NLU++, HWU64, Snips 2017,
Schema-Guided Dialogue user turns, xSID 0.7 (16 non-English languages), CrossWOZ user turns and
the ABCD sample's customer turns. Python 3 standard library only; no code from the source
repositories is run. Data are read from bare git snapshots with `git show COMMIT:PATH`.

Reproduce:
  1. For each repository in SOURCES-utterances.md, clone it at the listed commit so that
     MIRROR_ROOT/<owner>+<name>/repo is a git directory holding that commit, e.g.
       git clone --bare https://github.com/clinc/oos-eval /tmp/m/clinc+oos-eval/repo
     (a non-bare clone also works: pass its `.git` via the same layout, i.e.
      MIRROR_ROOT/<owner>+<name>/repo may be a work tree; `git -C` accepts both).
     If the listed commit is absent, HEAD is used and the script says so on stderr.
  2. python3 evals/data/safety-train/assemble/utterances.py \
        --mirror-root /tmp/m --out evals/data/safety-train/benign-utterances.jsonl

Each output line: {"text", "kind", "lang", "origin", "licence"}; kind is `utterance` (English),
`utterance_non_english` or `support_text` (ABCD). Processing: texts are whitespace-collapsed,
kept if 3-2,000 characters, deduplicated case/whitespace/NFKC-insensitively across all sources
(sources in the order below), and optionally against the `content` field of eval JSONL files
(--exclude-content, never printed). Each source is sampled by a seeded round-robin over its
strata (intent / service / language+intent), so every stratum contributes roughly equally, up to
the per-source target (the line counts of the original build; xSID per language).
Deterministic: the same snapshots give the same file byte for byte.
"""
import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import unicodedata

import zipfile
from collections import Counter, OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import eval_contents  # noqa: E402

MIN_CHARS, MAX_CHARS = 3, 2000
SOURCE_CAP = 4000

CLINC = ("clinc/oos-eval", "828f8093932c8fe6ca7936c3d2e52903b1c523de", "CC-BY-3.0")
POLY = ("PolyAI-LDN/task-specific-datasets", "57ec275d8078af65b7731c2a98be812d844a6d6b", "CC-BY-4.0")
HWU = ("xliuhw/NLU-Evaluation-Data", "f6071b496b17d71e6eb43f543af0707f4ff30557", "CC-BY-4.0")
SNIPS = ("sonos/nlu-benchmark", "b86ac7f1577868c42158d0dec77db50956046696", "CC0-1.0")
SGD = ("google-research-datasets/dstc8-schema-guided-dialogue", "e852981ae34990f4358979625854259302feaa78", "CC-BY-SA-4.0")
XSID = ("mainlp/xsid", "761d926c3f2e9f6bea13192d2f39cec1d04d9777", "CC-BY-SA-4.0")
CROSSWOZ = ("thu-coai/CrossWOZ", "df82c9fdff91b9b130f2d6b89110d3870ba6260e", "Apache-2.0")
ABCD = ("asappresearch/abcd", "6b8700ce67c6b37b062dd7a60abc76d7ef832a97", "MIT")

HWU_BASE = ("CrossValidation/out4RasaReal/rasa_json_2018_03_22-13_01_25_169_80Train/"
            "CrossValidation/KFold_1/")
HWU_PATHS = [HWU_BASE + "merged/RasaNlu_Merged_KFold_1_2018_03_22-13_01_25_169.json",
             HWU_BASE + "mergedTestset/RasaNluTestset_Merged_2018_03_22-13_01_25_169.json"]
SNIPS_INTENTS = ["AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook",
                 "SearchCreativeWork", "SearchScreeningEvent"]
# xSID file language -> output language code (see SOURCES: bar = de-ba + de-muc, de includes de-st)
XSID_LANGS = OrderedDict([
    ("ar", "ar"), ("da", "da"), ("de-ba", "bar"), ("de-muc", "bar"), ("de-st", "de"), ("de", "de"),
    ("gsw", "gsw"), ("id", "id"), ("it", "it"), ("ja", "ja"), ("kk", "kk"), ("lt", "lt"),
    ("nap", "nap"), ("nl", "nl"), ("no", "no"), ("sr", "sr"), ("tr", "tr"), ("zh", "zh")])
# Per-source targets: the kept-line counts of the original build (SOURCES-utterances.md).
TARGETS = {"clinc": 2098, "banking77": 1598, "nlupp": 1086, "hwu64": 1599, "snips": 1099,
           "sgd": 1441, "crosswoz": 848, "abcd": 21}
XSID_TARGETS = {"ar": 159, "da": 160, "bar": 329, "de": 324, "gsw": 162, "id": 159, "it": 161,
                "ja": 140, "kk": 159, "lt": 161, "nap": 160, "nl": 159, "no": 173, "sr": 156,
                "tr": 156, "zh": 160}


class Git:
    def __init__(self, root):
        self.root = root
        self.used = {}

    def _dir(self, repo):
        return os.path.join(self.root, repo.replace("/", "+"), "repo")

    def commit(self, repo, want):
        if repo in self.used:
            return self.used[repo]
        d = self._dir(repo)
        ok = subprocess.run(["git", "-C", d, "cat-file", "-e", want + "^{commit}"],
                            capture_output=True).returncode == 0
        rev = want if ok else "HEAD"
        if not ok:
            print(f"[{repo}] commit {want} absent; using HEAD", file=sys.stderr)
        self.used[repo] = rev
        return rev

    def show(self, repo, want, path):
        rev = self.commit(repo, want)
        r = subprocess.run(["git", "-C", self._dir(repo), "show", f"{rev}:{path}"], capture_output=True)
        if r.returncode != 0:
            return None
        return r.stdout

    def ls(self, repo, want, prefix):
        rev = self.commit(repo, want)
        r = subprocess.run(["git", "-C", self._dir(repo), "ls-tree", "-r", "--name-only", rev, prefix],
                           capture_output=True, text=True)
        return sorted(r.stdout.split()) if r.returncode == 0 else []

    def available(self, repo):
        return os.path.isdir(self._dir(repo))


def clean(text):
    return " ".join(str(text).split())


def dedup_key(text):
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def origin(src, path):
    repo, commit, _ = src
    return f"{repo}@{commit}:{path}"


def warn(msg):
    print(msg, file=sys.stderr)


# ---- readers: each returns a list of (stratum, text, path) -------------------------------------

def read_clinc(g):
    path = "data/data_full.json"
    raw = g.show(CLINC[0], CLINC[1], path)
    if raw is None:
        return []
    data = json.loads(raw)
    out = []
    for split in sorted(data):
        for text, intent in data[split]:
            out.append((intent, text, path))
    return out


def read_banking(g):
    out = []
    for path in ["banking_data/train.csv", "banking_data/test.csv"]:
        raw = g.show(POLY[0], POLY[1], path)
        if raw is None:
            warn(f"missing {path}")
            continue
        for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
            out.append((row["category"], row["text"], path))
    return out


def read_nlupp(g):
    out = []
    for domain in ["banking", "hotels"]:
        paths = [p for p in g.ls(POLY[0], POLY[1], f"nlupp/data/{domain}/")
                 if os.path.basename(p).startswith("fold") and p.endswith(".json")]
        for path in paths:
            raw = g.show(POLY[0], POLY[1], path)
            if raw is None:
                warn(f"missing {path}")
                continue
            for ex in json.loads(raw):
                intents = "+".join(sorted(ex.get("intents") or [])) or "none"
                out.append((f"{domain}:{intents}", ex["text"], path))
    return out


def read_hwu(g):
    out = []
    for path in HWU_PATHS:
        raw = g.show(HWU[0], HWU[1], path)
        if raw is None:
            warn(f"missing {path}")
            continue
        for ex in json.loads(raw)["rasa_nlu_data"]["common_examples"]:
            out.append((ex["intent"], ex["text"], path))
    return out


def read_snips(g):
    out = []
    for intent in SNIPS_INTENTS:
        for name in [f"train_{intent}_full.json", f"validate_{intent}.json"]:
            path = f"2017-06-custom-intent-engines/{intent}/{name}"
            raw = g.show(SNIPS[0], SNIPS[1], path)
            if raw is None:
                warn(f"missing {path}")
                continue
            data = json.loads(raw.decode("utf-8", errors="replace"))
            for ex in data[intent]:
                out.append((intent, "".join(seg["text"] for seg in ex["data"]), path))
    return out


def read_sgd(g):
    out = []
    missing = 0
    for split in ["train", "dev", "test"]:
        for path in g.ls(SGD[0], SGD[1], f"{split}/"):
            if not os.path.basename(path).startswith("dialogues_"):
                continue
            raw = g.show(SGD[0], SGD[1], path)
            if raw is None:
                missing += 1
                continue
            for dia in json.loads(raw):
                for turn in dia["turns"]:
                    if turn.get("speaker") != "USER":
                        continue
                    frames = turn.get("frames") or []
                    service = frames[0]["service"] if frames else "none"
                    out.append((service, turn["utterance"], path))
    if missing:
        warn(f"[sgd] {missing} dialogue files absent from the snapshot (>= 4 MiB); used the rest")
    return out


def read_xsid(g):
    """Returns {out_lang: [(stratum, text, path)]}."""
    by_lang = OrderedDict()
    for file_lang, lang in XSID_LANGS.items():
        for split in ["test", "valid"]:
            path = f"data/xSID-0.7/{file_lang}.{split}.conll"
            raw = g.show(XSID[0], XSID[1], path)
            if raw is None:
                warn(f"missing {path}")
                continue
            text = intent = None
            for line in raw.decode("utf-8").splitlines() + [""]:
                if line.startswith("# text = "):
                    text = line[len("# text = "):]
                elif line.startswith("# intent = "):
                    intent = line[len("# intent = "):]
                elif not line.strip():
                    if text is not None:
                        by_lang.setdefault(lang, []).append((f"{file_lang}:{intent}", text, path))
                    text = intent = None
    return by_lang


def read_crosswoz(g):
    out = []
    for name in ["test", "val"]:
        path = f"data/crosswoz/{name}.json.zip"
        raw = g.show(CROSSWOZ[0], CROSSWOZ[1], path)
        if raw is None:
            warn(f"missing {path}")
            continue
        z = zipfile.ZipFile(io.BytesIO(raw))
        data = json.loads(z.read(sorted(z.namelist())[0]).decode("utf-8"))
        for did in sorted(data, key=lambda k: (len(k), k)):
            for msg in data[did]["messages"]:
                if msg.get("role") != "usr":
                    continue
                acts = msg.get("dialog_act") or []
                domain = acts[0][1] if acts and len(acts[0]) > 1 else "none"
                if domain == "none" and acts:
                    domain = acts[0][0]
                out.append((domain, msg["content"], path))
    return out


def read_abcd(g):
    path = "data/abcd_sample.json"
    raw = g.show(ABCD[0], ABCD[1], path)
    if raw is None:
        return []
    out = []
    for convo in json.loads(raw):
        sc = convo["scenario"]
        for speaker, text in convo["original"]:
            if speaker == "customer":
                out.append((f"{sc['flow']}:{sc['subflow']}", text, path))
    return out


# ---- sampling ----------------------------------------------------------------------------------

class Builder:
    def __init__(self, exclude_keys):
        self.seen = set()
        self.exclude = exclude_keys
        self.rows = []
        self.dropped = Counter()

    def sample(self, name, items, target, src, kind, lang):
        """Seeded round-robin over strata; takes items until `target` are kept."""
        rng = random.Random(f"benign-utterances:{name}")
        groups = OrderedDict()
        for stratum, text, path in items:
            groups.setdefault(stratum, []).append((text, path))
        order = sorted(groups)
        for s in order:
            rng.shuffle(groups[s])
        rng.shuffle(order)
        cursors = {s: 0 for s in order}
        kept = 0
        target = min(target, SOURCE_CAP)
        live = list(order)
        while kept < target and live:
            nxt = []
            for s in live:
                if kept >= target:
                    break
                i = cursors[s]
                if i >= len(groups[s]):
                    continue
                cursors[s] = i + 1
                nxt.append(s)
                text, path = groups[s][i]
                text = clean(text)
                if not (MIN_CHARS <= len(text) <= MAX_CHARS):
                    self.dropped["length"] += 1
                    continue
                key = dedup_key(text)
                if key in self.exclude:
                    self.dropped["eval_overlap"] += 1
                    continue
                if key in self.seen:
                    self.dropped["duplicate"] += 1
                    continue
                self.seen.add(key)
                self.rows.append({"text": text, "kind": kind, "lang": lang,
                                  "origin": origin(src, path), "licence": src[2]})
                kept += 1
            live = [s for s in nxt if cursors[s] < len(groups[s])]
        return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror-root", default="/work/.mirror")
    ap.add_argument("--out", required=True)
    ap.add_argument("--exclude-content", action="append", default=[],
                    help="glob of JSONL files whose `content` lines must not appear (never printed)")
    args = ap.parse_args()

    g = Git(args.mirror_root)
    b = Builder(eval_contents(args.exclude_content, dedup_key))
    per_source = OrderedDict()

    english = [("clinc", CLINC, read_clinc), ("banking77", POLY, read_banking),
               ("nlupp", POLY, read_nlupp), ("hwu64", HWU, read_hwu),
               ("snips", SNIPS, read_snips), ("sgd", SGD, read_sgd)]
    for name, src, reader in english:
        if not g.available(src[0]):
            warn(f"[{name}] snapshot of {src[0]} not found; skipped")
            per_source[name] = 0
            continue
        per_source[name] = b.sample(name, reader(g), TARGETS[name], src, "utterance", "en")

    if g.available(XSID[0]):
        by_lang = read_xsid(g)
        n = 0
        for lang, target in XSID_TARGETS.items():
            n += b.sample(f"xsid:{lang}", by_lang.get(lang, []), target, XSID,
                          "utterance_non_english", lang)
        per_source["xsid"] = n
    else:
        warn("[xsid] snapshot not found; skipped")
        per_source["xsid"] = 0

    if g.available(CROSSWOZ[0]):
        per_source["crosswoz"] = b.sample("crosswoz", read_crosswoz(g), TARGETS["crosswoz"],
                                          CROSSWOZ, "utterance_non_english", "zh")
    if g.available(ABCD[0]):
        per_source["abcd"] = b.sample("abcd", read_abcd(g), TARGETS["abcd"], ABCD,
                                      "support_text", "en")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for r in b.rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    print(f"eval content keys excluded: {len(b.exclude)}", file=sys.stderr)
    print(f"lines: {len(b.rows)}", file=sys.stderr)
    print("per source: " + json.dumps(per_source), file=sys.stderr)
    print("kind: " + json.dumps(Counter(r["kind"] for r in b.rows)), file=sys.stderr)
    print("lang: " + json.dumps(dict(Counter(r["lang"] for r in b.rows).most_common())), file=sys.stderr)
    print("dropped: " + json.dumps(dict(b.dropped)), file=sys.stderr)
    print("commits used: " + json.dumps(g.used), file=sys.stderr)


if __name__ == "__main__":
    main()
