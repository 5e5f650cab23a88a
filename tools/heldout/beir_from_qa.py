#!/usr/bin/env python3
"""Turns a QA folder into a BEIR folder: paragraph retrieval for its questions.

    python3 tools/heldout/beir_from_qa.py QA_DIR OUTDIR

QA_DIR is what `framebot eval` and qa.py read (corpus/*.txt: title line,
blank line, paragraphs separated by blank lines; questions.jsonl). Each
paragraph becomes a BEIR document (`_id` "<file>#<paragraph index>", the
article title as `title`), each answerable question a query whose one
relevant document is its paragraph. OUTDIR gets corpus.jsonl, queries.jsonl
and qrels/test.tsv, which `framebot eval`, peers.py and plainbleve read,
so the ranked path can be compared with the peers on a collection none of
its constants was chosen on. Standard library only.
"""
import json, os, re, sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
    names = {}
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for name in sorted(os.listdir(os.path.join(src, "corpus"))):
            if not name.endswith(".txt"):
                continue
            text = open(os.path.join(src, "corpus", name), encoding="utf-8").read()
            title, _, body = text.partition("\n\n")
            names[os.path.splitext(name)[0]] = name
            for i, para in enumerate(p.strip() for p in body.split("\n\n")):
                if para:
                    f.write(json.dumps({"_id": "%s#%d" % (name, i), "title": title.strip(), "text": para}, ensure_ascii=False) + "\n")
    n = 0
    with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as q, \
            open(os.path.join(out, "qrels", "test.tsv"), "w", encoding="utf-8") as r:
        r.write("query-id\tcorpus-id\tscore\n")
        for line in open(os.path.join(src, "questions.jsonl"), encoding="utf-8"):
            x = json.loads(line)
            if not x.get("answerable"):
                continue
            # the file name qa-dev's build.py gives an article
            name = names.get(re.sub(r"[^A-Za-z0-9_.,()-]+", "_", x["article"]).strip("_"))
            if name is None:
                sys.exit("beir_from_qa.py: no corpus file for article %r" % x["article"])
            qid = "q%d" % n
            n += 1
            q.write(json.dumps({"_id": qid, "text": x["q"]}, ensure_ascii=False) + "\n")
            r.write("%s\t%s#%d\t1\n" % (qid, name, x["para"]))
    print("%d paragraphs, %d queries" % (sum(1 for _ in open(os.path.join(out, "corpus.jsonl"))), n))


if __name__ == "__main__":
    main()
