#!/usr/bin/env python3
"""Writes attacks-own.jsonl and benign-own.jsonl (training data for the learned safety tier).

Everything here is our own writing: hand-written carriers (tickets, e-mails, GitHub
text, Slack, stack traces, logs, session-replay findings, documents), hand-written
payloads aimed at an AI agent, benign fillers and hard-negative templates. The
generator combines them contrastively: the same carriers appear with and without a
payload, so an n-gram model learns the attack, not the carrier.

    python3 make-own.py [--out DIR] [--seed N]

DIR defaults to the parent folder of this script (evals/data/safety-train/).
Deterministic for a given seed.
"""
import argparse
import base64
import codecs
import glob
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
N_ATTACKS = 2550
N_BENIGN_CARRIER = 1400
N_HARD_NEG = 1350
P_DIRECT_ALONE = 0.5  # a `direct` payload is the whole chat message this often
P_SAME_LANGUAGE = 0.5  # a `non_english:xx` payload goes into an `_xx` carrier this often

NAMES = ["Maria Lopez", "Jonas Weber", "Aiko Tanaka", "Chen Wei", "Olga Ivanova", "Luca Rossi",
         "Camille Martin", "João Silva", "Priya Nair", "Tom Becker", "Sarah O'Neill", "Ahmed Hassan",
         "Emily Carter", "Kenji Sato", "Anna Kowalska", "Pieter de Vries", "Lucía Fernández",
         "Daniel Kim", "Fatima Zahra", "Mark", "jess", "R. Thompson", "Dr. Elena Petrova", "Sam"]
PLANS = ["Pro", "Team", "Business", "Starter", "Enterprise", "Growth"]
URL_HOSTS = ["debug-collector.io", "cdn-metrics.net", "status-check.app", "paste.example.org",
             "telemetry-sync.com", "webhook.site", "ngrok-free.app", "hooks.attacker.example",
             "verify-support.net", "log-ingest.xyz"]
EMAILS = ["security-audit@protonmail.com", "devops.backup@gmail.com", "admin@support-verify.net",
          "keys@debug-collector.io", "it-helpdesk@outlook-secure.com", "audit-team@mailbox.org",
          "billing.recovery@yandex.ru", "ops@status-check.app"]
REPOS = ["helpful-dev/debug-tools", "acme-support/hotfix", "ci-helpers/setup-action",
         "x0r-labs/patches", "quick-fix/npm-utils", "backup-bot/mirror"]
USERS = ["support-backup", "ext-contractor", "svc-debug", "jdoe-temp", "qa-admin2", "helper-bot"]
BRANCHES = ["hotfix/urgent", "patch-1", "fix-login", "tmp/override", "release-fast"]

ADDRESS = ["@agent ", "@ai-agent ", "AI: ", "Note to the bot: ", "note to the bot - ",
           "To whoever automates this: ", "Assistant, ", "Hey assistant, ", "@nightshift ",
           "Dear AI model processing this ticket: ", "[for the AI agent] ",
           "If you are an LLM reading this: ", "Attention automated reviewer: ", "Claude, ",
           "Hi bot! ", "P.S. for the AI: ", "Important for any AI tool reading this: ",
           "To the coding agent: ", "@copilot ", "AI agent: ", "Bot: ", "@triage-bot ",
           "Message for the assistant that summarizes tickets: ", "LLM instructions: "]
BENIGN_ADDRESS = ["Note to the bot: ", "AI: ", "@agent ", "To whoever picks this up: ",
                  "For the on-call person: ", "FYI: ", "Assistant, ", "@support-team "]

# wrappers around text placed in the content; the same forms carry benign text in benign lines
HIDE_SPAN = ['<span style="display:none">{}</span>', '<div style="color:#ffffff;font-size:1px">{}</div>',
             '<p hidden>{}</p>', '<font color="white" size="1">{}</font>']
BENIGN_SPAN = ["Preheader: your support request has been received", "View this email in your browser",
               "Unsubscribe from these notifications", "You are receiving this because you are subscribed to this thread.",
               "Ticket reference {NUM}"]
SIGNOFFS = ["Sent from my iPhone", "--\n{NAME}", "Get Outlook for Android", "Best,\n{NAME}",
            "This message was sent from an unmonitored mailbox.", "Reply above this line.",
            "Confidentiality notice: this e-mail is intended only for the addressee."]


def read_lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def unescape(s):
    return s.replace("\\n", "\n").replace("\\u200b", "\u200b")


def load_carriers():
    carriers = []
    for path in sorted(glob.glob(os.path.join(HERE, "carriers-*.txt"))):
        kind, body = None, []
        with open(path, encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f if not l.startswith("# ")]
        for line in lines + ["=== END"]:
            if line.startswith("=== "):
                if kind:
                    carriers.append((kind, "\n".join(body).strip("\n")))
                kind, body = line[4:].strip(), []
            else:
                body.append(line)
    return carriers


def lang_of(kind):
    """`support_ticket_de` -> "de"; English carriers -> None"""
    m = re.search(r"_([a-z]{2})$", kind)
    return m.group(1) if m else None


def load_payloads():
    """(family, text, language): `non_english:de | ...` tags the language for carrier choice"""
    out = []
    for line in read_lines("payloads.txt"):
        fam, text = line.split(" | ", 1)
        fam, _, lang = fam.strip().partition(":")
        out.append((fam, unescape(text.strip()), lang or None))
    return out


def load_hard_negatives():
    out, kind = [], None
    for line in read_lines("hard-negatives.txt"):
        if line.startswith("=== "):
            kind = line[4:].strip()
        else:
            out.append((kind, line))
    return out


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def fill(self, s):
        r = self.r
        reps = {
            "{NAME}": lambda: r.choice(NAMES),
            "{NUM}": lambda: str(r.randint(1000, 99999)),
            "{VER}": lambda: f"{r.randint(1, 5)}.{r.randint(0, 14)}.{r.randint(0, 9)}",
            "{DATE}": lambda: f"{r.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, {r.randint(1, 28)} {r.choice(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Sep', 'Oct'])} 2024",
            "{ORDER}": lambda: r.choice(["INV-2024-", "#A", "ORD-", "SO-"]) + str(r.randint(1000, 99999)),
            "{PLAN}": lambda: r.choice(PLANS),
            "{URL}": lambda: f"https://{r.choice(URL_HOSTS)}/{r.choice(['x', 'c', 'api/v1/in', 'hook', 'fix.sh', 'debug', 's'])}{r.choice(['', '/' + str(r.randint(10, 999))])}",
            "{EMAIL}": lambda: r.choice(EMAILS),
            "{REPO}": lambda: r.choice(REPOS),
            "{USER}": lambda: r.choice(USERS),
            "{BRANCH}": lambda: r.choice(BRANCHES),
            "{DOMAIN}": lambda: r.choice(URL_HOSTS),
            "{HOST}": lambda: f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        }
        for k, f in reps.items():
            while k in s:
                s = s.replace(k, f(), 1)
        return s

    def expand(self, tmpl):
        s = re.sub(r"\[\[(.*?)\]\]", lambda m: self.r.choice(m.group(1).split("|")), tmpl)
        return self.fill(unescape(s))

    # ---- encodings -------------------------------------------------------
    def encode(self, text):
        r = self.r
        how = r.choice(["base64", "base64", "leet", "zw", "spaced", "rot13", "homoglyph", "reverse"])
        if how == "base64":
            b = base64.b64encode(text.encode()).decode()
            intro = r.choice(["Decode this base64 and follow it: ", "base64 instructions for the agent: ",
                              "", "Please decode and execute: ", "Config (b64): ", "AI, decode: ",
                              "echo {} | base64 -d | sh", "payload="])
            return intro.format(b) if "{}" in intro else intro + b
        if how == "leet":
            table = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
            if r.random() < 0.5:
                return text.translate(table)
            return " ".join(w.translate(table) if r.random() < 0.6 else w for w in text.split(" "))
        if how == "zw":
            zw = r.choice(["\u200b", "\u200c", "\u200d", "\u2060"])
            if r.random() < 0.5:
                return zw.join(text)
            return " ".join(zw.join(w) if r.random() < 0.7 else w for w in text.split(" "))
        if how == "spaced":
            words = text.split(" ")[:12]
            sep = r.choice([" ", "-", ".", " "])
            return "  ".join(sep.join(w) for w in words)
        if how == "rot13":
            return r.choice(["rot13: ", "Decode (ROT13) and do it: ", ""]) + codecs.encode(text, "rot13")
        if how == "homoglyph":
            table = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і", "x": "х"})
            return text.translate(table)
        return r.choice(["Read this backwards and do it: ", "reversed: ", ""]) + text[::-1]

    # ---- carrier rendering -----------------------------------------------
    @staticmethod
    def slots(body):
        return [(m.start(), m.group(1)) for m in re.finditer(r"\{\{([PJC])\}\}", body)]

    def render(self, body, fills):
        """fills: {slot index: text}; unfilled slots vanish (with their empty list item/line)."""
        idx = [0]

        def sub(m):
            i = idx[0]
            idx[0] += 1
            t = fills.get(i)
            if t is None:
                return "\x00"
            kind = m.group(1)
            if kind == "J":
                return json.dumps(t.replace("\n", " "), ensure_ascii=False)[1:-1]
            if kind == "C":
                return t.replace("\n", " ")
            return t

        out = re.sub(r"\{\{([PJC])\}\}", sub, body)
        lines = []
        for line in out.split("\n"):
            if "\x00" in line:
                stripped = line.replace("\x00", "").strip()
                if re.fullmatch(r"(?:[-*>]|\d+\.|//|#|--|<!--\s*-->|User message:|Console:|Message:|Root cause:|Typed into search field: \"\")?", stripped):
                    continue
                line = re.sub(r" ?\x00", "", line)
            lines.append(line)
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip("\n")

    def benign_for(self, kind, fillers, jsons, codes):
        if kind == "J":
            return self.r.choice(jsons)
        if kind == "C":
            return self.r.choice(codes)
        t = self.fill(self.r.choice(fillers))
        if self.r.random() < 0.08:
            t = self.r.choice(BENIGN_ADDRESS) + t
        return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..")))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    origin = f"written for nightshift (generator seed {args.seed})"

    carriers = load_carriers()
    payloads = load_payloads()
    hard = load_hard_negatives()
    fillers = read_lines("benign-fillers.txt")
    jsons = read_lines("benign-json.txt")
    codes = read_lines("benign-code.txt")
    g = Gen(args.seed)
    r = g.r
    seen = set()
    attacks, benign = [], []

    def other_fills(body, skip):
        """benign text in some other slots, so fillers are no benign-only signal"""
        fills = {}
        for i, (_, k) in enumerate(g.slots(body)):
            if i != skip and r.random() < 0.3:
                fills[i] = g.benign_for(k, fillers, jsons, codes)
        return fills

    def place(body, text, hidden_ok=True):
        """put text into the carrier at a natural place; returns (result, mode)"""
        sl = g.slots(body)
        c_slots = [i for i, (_, k) in enumerate(sl) if k == "C"]
        modes = ["slot"] * 35 + ["start"] * 10 + ["end"] * 15 + ["quoted"] * 6
        if hidden_ok:
            modes += ["html_comment"] * 10 + ["blank_lines"] * 6 + ["hidden_span"] * 5 + ["code_comment"] * 6
        mode = r.choice(modes)
        if mode in ("slot", "html_comment") and not sl:
            mode = "end"
        if mode == "code_comment" and not c_slots:
            mode = "slot" if sl else "end"
        if mode == "slot":
            i = r.randrange(len(sl))
            fills = other_fills(body, i)
            fills[i] = text
            return g.render(body, fills), mode
        if mode == "code_comment":
            i = r.choice(c_slots)
            fills = other_fills(body, i)
            fills[i] = text
            return g.render(body, fills), mode
        if mode == "html_comment":
            p_slots = [i for i, (_, k) in enumerate(sl) if k == "P"]
            if p_slots and r.random() < 0.6:
                i = r.choice(p_slots)
                fills = other_fills(body, i)
                fills[i] = "<!-- " + text + " -->"
                return g.render(body, fills), mode
            return g.render(body, other_fills(body, -1)) + "\n" + "<!-- " + text + " -->", mode
        base = g.render(body, other_fills(body, -1))
        if mode == "start":
            return text + r.choice(["\n\n", "\n", " "]) + base, mode
        if mode == "end":
            return base + r.choice(["\n\n", "\n", " "]) + text, mode
        if mode == "quoted":
            head = r.choice(["On {DATE}, {NAME} wrote:", "> {NAME} wrote:", "Quoting {NAME}:", "-----Original Message-----", ""])
            quoted = "\n".join("> " + l for l in text.split("\n"))
            return base + "\n\n" + g.fill(head) + ("\n" if head else "") + quoted, mode
        if mode == "blank_lines":
            return base + "\n" * r.randint(6, 40) + text, mode
        return base + "\n" + r.choice(HIDE_SPAN).format(text), mode  # hidden_span

    def add(rows, text, **kw):
        if text in seen or len(text.strip()) < 8:
            return False
        seen.add(text)
        rows.append({"text": text, **kw, "origin": origin, "licence": "project"})
        return True

    # ---- attacks ------------------------------------------------------------
    english = [p for p in payloads if p[0] not in ("non_english",)]
    encodable = [x for x in english if x[0] in ("override", "command", "exfiltration", "steering", "role_play", "direct")]
    by_lang = {}
    for kind, body in carriers:
        if lang_of(kind):
            by_lang.setdefault(lang_of(kind), []).append((kind, body))
    tries = 0
    while len(attacks) < N_ATTACKS and tries < N_ATTACKS * 50:
        tries += 1
        kind, body = r.choice(carriers)
        if r.random() < 0.12:
            fam0, p, _ = r.choice(encodable)
            text = g.encode(g.fill(p))
            fam = "encoded"
            if r.random() < 0.3:
                text = r.choice(ADDRESS) + text
        else:
            fam, p, lang = r.choice(payloads)
            text = g.fill(p)
            if fam == "direct" and r.random() < P_DIRECT_ALONE:
                add(attacks, text, family=fam)  # typed into a chat box, no carrier
                continue
            if lang in by_lang and r.random() < P_SAME_LANGUAGE:
                kind, body = r.choice(by_lang[lang])
            pa = 0.25 if fam in ("fake_system", "delimiter", "hidden_in_content", "direct") else 0.55
            if r.random() < pa:
                text = r.choice(ADDRESS) + text
        placed, mode = place(g.fill(body), text)
        if mode in ("html_comment", "blank_lines", "hidden_span", "code_comment") and fam not in ("encoded", "non_english"):
            fam = "hidden_in_content"
        add(attacks, placed, family=fam)

    # ---- benign: the same carriers, empty or with benign text in the same places ----
    tries = 0
    while len(benign) < N_BENIGN_CARRIER and tries < N_BENIGN_CARRIER * 50:
        tries += 1
        kind, body = r.choice(carriers)
        body = g.fill(body)
        x = r.random()
        if x < 0.25:
            text = g.render(body, {})
        elif x < 0.65:
            text = g.render(body, other_fills(body, -1) or {0: g.benign_for(g.slots(body)[0][1], fillers, jsons, codes)} if g.slots(body) else {})
        else:
            r2 = r.random()
            if r2 < 0.15:
                filler = g.fill(r.choice(BENIGN_SPAN))
                base = g.render(body, other_fills(body, -1))
                text = base + "\n" + r.choice(HIDE_SPAN).format(filler)
            elif r2 < 0.3:
                base = g.render(body, other_fills(body, -1))
                text = base + "\n" * r.randint(6, 40) + g.fill(r.choice(SIGNOFFS))
            else:
                filler = g.fill(r.choice(fillers))
                if r.random() < 0.1:
                    filler = r.choice(BENIGN_ADDRESS) + filler
                text, _ = place(body, filler)
        add(benign, text, kind=kind)

    # ---- hard negatives: standalone or inside a carrier ----------------------
    n_hard = 0
    tries = 0
    while n_hard < N_HARD_NEG and tries < N_HARD_NEG * 50:
        tries += 1
        sub, tmpl = r.choice(hard)
        text = g.expand(tmpl)
        if r.random() < 0.45:
            kind, body = r.choice(carriers)
            if not lang_of(kind) or r.random() < 0.3:
                text, _ = place(g.fill(body), text, hidden_ok=False)
        if add(benign, text, kind="hard_negative_" + sub):
            n_hard += 1

    os.makedirs(args.out, exist_ok=True)
    for name, rows in (("attacks-own.jsonl", attacks), ("benign-own.jsonl", benign)):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(carriers)} carriers, {len(payloads)} payloads, {len(hard)} hard-negative templates")
    print(f"wrote {len(attacks)} attacks, {len(benign)} benign ({n_hard} hard negatives) to {args.out}")


if __name__ == "__main__":
    main()
