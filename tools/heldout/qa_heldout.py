#!/usr/bin/env python3
"""Builds a QA folder of questions that no tuning has seen, over qa-dev's corpus.

    python3 tools/heldout/qa_heldout.py [--bench ../shared/bench] OUTDIR

qa-dev (../shared/bench/qa-dev) holds 600 answerable questions sampled from
SQuADShifts "New Wikipedia" over 42 articles, and 60 unanswerable ones about
6 articles held out of the corpus. Every ranking and abstention constant was
chosen on those 660. The source has thousands more questions over the same
articles: this script writes OUTDIR/corpus/ (qa-dev's corpus, copied) and
OUTDIR/questions.jsonl with every other question that passes qa-dev's
filters: at least three words, no repeated question, every answer verbatim
in its paragraph, no answer found in more than 2 % of the paragraphs; for
the unanswerable ones, no answer found anywhere in the corpus. qa-dev's
build.py is imported for its loading, normalisation and constants; its
flattening and filters live inside its main(), so they are restated below
and must follow it if it changes.
`framebot eval OUTDIR` and `qa.py --systems fts5 --data OUTDIR` score it.
Standard library only; the output is the same on every machine.
"""
import argparse, importlib.util, json, os, shutil, sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(here, "..", "..", "..", "shared", "bench"))
    ap.add_argument("out")
    a = ap.parse_args()
    dev = os.path.join(a.bench, "qa-dev")
    spec = importlib.util.spec_from_file_location("qadev_build", os.path.join(dev, "build.py"))
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)

    data = b.load(os.path.join(dev, "source", "new_wiki_v1.0.json.gz"))
    used = set()
    for line in open(os.path.join(dev, "questions.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        used.add(r["id"])
        used.add(b.norm(r["q"]))
    corpus = {os.path.splitext(n)[0] for n in os.listdir(os.path.join(dev, "corpus")) if n.endswith(".txt")}

    articles = []  # (title, in corpus, [paragraph text], [(para index, qa)])
    for art in data:
        title = b.unquote(art["title"])
        paras, qas = [], []
        for p in art["paragraphs"]:
            text = b.flat(p["context"])
            if not text:
                continue
            if text in paras:
                idx = paras.index(text)
            else:
                idx = len(paras)
                paras.append(text)
            qas += [(idx, qa) for qa in p["qas"]]
        articles.append((title, b.slug(title) in corpus, paras, qas))
    if sum(c for _, c, _, _ in articles) != len(corpus):
        sys.exit("qa_heldout.py: qa-dev's corpus does not match its source")

    corpus_norm = [b.norm(t) for _, c, ps, _ in articles if c for t in ps]
    blob = "\n".join(corpus_norm)
    seen = set(used)
    rows = []
    for title, in_corpus, paras, qas in articles:
        for idx, qa in qas:
            q = " ".join(b.flat(qa["question"]).split())
            key = b.norm(q)
            answers = []
            for x in qa["answers"]:
                t = b.flat(x["text"])
                if t and t not in answers:
                    answers.append(t)
            if qa["id"] in used or len(q.split()) < 3 or not answers or key in seen:
                continue
            if in_corpus:
                if not all(x in paras[idx] for x in answers):
                    continue
                if max(sum(b.norm(x) in t for t in corpus_norm) / len(corpus_norm) for x in answers) > b.MAX_ANSWER_SHARE:
                    continue
                rows.append({"q": q, "answers": answers, "article": title, "para": idx, "answerable": True, "id": qa["id"]})
            else:
                if any(b.norm(x) in blob for x in answers):
                    continue
                rows.append({"q": q, "answers": [], "article": title, "answerable": False, "id": qa["id"]})
            seen.add(key)

    shutil.copytree(os.path.join(dev, "corpus"), os.path.join(a.out, "corpus"), dirs_exist_ok=True)
    with open(os.path.join(a.out, "questions.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n = sum(r["answerable"] for r in rows)
    print("%d answerable, %d unanswerable questions not in qa-dev" % (n, len(rows) - n))


if __name__ == "__main__":
    main()
