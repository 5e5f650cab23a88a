#!/usr/bin/env python3
"""Ranking-constant tuning over every dev set, with leave-one-collection-out.

    python3 tools/tune/tune.py BINARY [--bench ../shared/bench] \
        [--ranking '{"RestShare":0.1}'] [--answer '{"MinCoverage":0.45}'] \
        [--grid 'RestShare=0,0.1,0.3' --grid 'b=0.4,0.75' ...] [--work DIR] \
        [--extra NAME=BEIR_DIR ...]

Runs `BINARY eval` on the four BEIR dev collections (cranfield, cisi, med,
time) and the QA dev set (qa-dev) for the base configuration (--ranking,
--answer, --k1/--b defaults) and, for every --grid, for each value of that
one constant with the others at the base. A constant named k1 or b goes to
`eval --k1/--b`; a field of bot.AnswerOptions (MinCoverage, ...) listed
in ANSWER_FIELDS goes to `eval --answer`; anything else to `eval
--ranking`.
Each collection is indexed once into --work and reused.

--extra adds a BEIR folder as one more collection (for example one made
by tools/heldout/beir_from_qa.py): it counts in the mean and in the
leave-one-out table like the others.

The figure of a collection is nDCG@10 for the BEIR sets and the mean of
hit@1 and hit@3 for qa-dev; the objective is their mean over all of them
(the five, without --extra).
With --chat, a BEIR set's figure is the chat path's nDCG@10 instead
(`eval --ask`: the documents of the passages an answer is chosen from, in
the answerer's order), for constants of the path questions take in chat.
For each grid it prints every value's figures, the value the mean chooses,
and the leave-one-out table: for each collection, the value chosen on the
others and the held-out collection's figure at that value, beside its
figure at the value chosen on all. Everything is deterministic.
"""
import argparse, json, os, subprocess, sys

BEIR = ["cranfield", "cisi", "med", "time"]
DEV4 = list(BEIR)  # the targets: nDCG4 and MAP4 stay over these
ALL = BEIR + ["qa-dev"]
ANSWER_FIELDS = {"Passages", "Candidates", "MinCoverage", "MissingPenalty", "Margin", "TypeBoost", "NameWeight", "SentenceWeight"}


CHAT = False
PATHS = {}  # collection name -> folder, for --extra


def run(binary, bench, work, name, ranking, answer, k1, b):
    cmd = [binary, "eval", "--index", os.path.join(work, name)]
    if CHAT and name != "qa-dev":
        cmd.append("--ask")
    if ranking:
        cmd += ["--ranking", json.dumps(ranking)]
    if (name == "qa-dev" or CHAT) and answer:
        cmd += ["--answer", json.dumps(answer)]
    if k1 is not None:
        cmd += ["--k1", str(k1)]
    if b is not None:
        cmd += ["--b", str(b)]
    cmd.append(PATHS.get(name) or os.path.join(bench, name))
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s failed: %s" % (" ".join(cmd), p.stderr[-800:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def figure(name, r):
    if name == "qa-dev":
        return (r["hit@1"] + r["hit@3"]) / 2
    return r["ask_ndcg@10"] if CHAT else r["ndcg@10"]


CACHE = {}


def evaluate(a, ranking, answer, k1, b):
    """Figures of every set; a run whose inputs were seen before is reused
    (answer options only reach qa-dev, so the BEIR sets ignore them)."""
    out = {}
    for name in ALL:
        key = json.dumps([name, ranking, answer if name == "qa-dev" or CHAT else None, k1, b, CHAT], sort_keys=True)
        if key not in CACHE:
            CACHE[key] = run(a.binary, a.bench, a.work, name, ranking, answer, k1, b)
        out[name] = CACHE[key]
    return out


def line(label, res):
    f = [figure(n, res[n]) for n in ALL]
    mean = sum(f) / len(f)
    beir_map = sum(res[n]["map@100"] for n in DEV4) / len(DEV4)
    beir_ndcg = sum(res[n]["ndcg@10"] for n in DEV4) / len(DEV4)
    qa = res["qa-dev"]
    return ("%-14s " % label + " ".join("%9.4f" % x for x in f) +
            " | %7.4f | %7.4f %7.4f | %5.3f %5.3f %5.3f %5.3f" % (
                mean, beir_ndcg, beir_map, qa["hit@1"], qa["hit@3"], qa["answered_rate"], qa["abstain_rate"] or 0))


HEADER = ("%-14s " % "value" + " ".join("%9s" % n for n in ALL) +
          " | %7s | %7s %7s | %5s %5s %5s %5s" % ("mean", "nDCG4", "MAP4", "h@1", "h@3", "ans", "abst"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
    ap.add_argument("--work", default="/tmp/framebot-tune")
    ap.add_argument("--ranking", default="{}")
    ap.add_argument("--answer", default="{}")
    ap.add_argument("--k1", type=float, default=None)
    ap.add_argument("--b", type=float, default=None)
    ap.add_argument("--grid", action="append", default=[], help="NAME=v1,v2,... (JSON values)")
    ap.add_argument("--json", default=None, help="file to append every run's figures to (JSON lines)")
    ap.add_argument("--chat", action="store_true", help="score the BEIR sets by the chat path's nDCG@10 (eval --ask)")
    ap.add_argument("--extra", action="append", default=[], help="NAME=DIR: one more BEIR folder to tune on")
    a = ap.parse_args()
    for e in a.extra:
        name, d = e.split("=", 1)
        if name in ALL:
            sys.exit("--extra %s: that name is taken" % name)
        PATHS[name] = os.path.abspath(d)
        BEIR.append(name)
        ALL.insert(len(ALL) - 1, name)
    global CHAT
    CHAT = a.chat
    a.binary, a.bench = os.path.abspath(a.binary), os.path.abspath(a.bench)
    os.makedirs(a.work, exist_ok=True)
    base_r, base_a = json.loads(a.ranking), json.loads(a.answer)
    log = open(a.json, "a") if a.json else None

    base = evaluate(a, base_r, base_a, a.k1, a.b)
    print(HEADER)
    print(line("base", base), flush=True)
    if log:
        log.write(json.dumps({"ranking": base_r, "answer": base_a, "k1": a.k1, "b": a.b, "res": base}) + "\n")
    for g in a.grid:
        name, vals = g.split("=", 1)
        values = [json.loads(v) for v in vals.split(",")]
        print("\n== %s" % name)
        print(HEADER)
        table = {}
        for v in values:
            r, ans, k1, b = dict(base_r), dict(base_a), a.k1, a.b
            if name == "k1":
                k1 = v
            elif name == "b":
                b = v
            elif name in ANSWER_FIELDS:
                ans[name] = v
            else:
                r[name] = v
            res = evaluate(a, r, ans, k1, b)
            table[json.dumps(v)] = {n: figure(n, res[n]) for n in ALL}
            print(line("%s=%s" % (name, json.dumps(v)), res), flush=True)
            if log:
                log.write(json.dumps({"ranking": r, "answer": ans, "k1": k1, "b": b, "res": res}) + "\n")
                log.flush()
        mean = lambda v, sets: sum(table[v][n] for n in sets) / len(sets)
        best_all = max(table, key=lambda v: mean(v, ALL))
        print("chosen on all %d: %s=%s (mean %.4f)" % (len(ALL), name, best_all, mean(best_all, ALL)))
        print("leave-one-out: held out | chosen on the other %d | held-out figure at it | at the all-%d choice" % (len(ALL) - 1, len(ALL)))
        for h in ALL:
            rest = [n for n in ALL if n != h]
            v = max(table, key=lambda v: mean(v, rest))
            print("  %-10s %-10s %.4f %.4f" % (h, v, table[v][h], table[best_all][h]))


if __name__ == "__main__":
    main()
