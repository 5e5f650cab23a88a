#!/usr/bin/env python3
"""SQLite FTS5's indexing rate alone, timed exactly as
../../../shared/bench/peers/peers.py times it (run_fts5: records already
read and decoded, to the committed index), without its 225 slow queries.

    /usr/bin/python3 tools/speed/fts5_index.py DIR [--peers PATH_TO_peers.py]

Prints one JSON line: {"engine", "docs", "index_s", "index_docs_per_s"}.
"""
import argparse, json, os, sqlite3, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--peers", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "bench", "peers", "peers.py"))
a = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(a.peers)))
import peers  # noqa: E402  (load() reads the collection as peers.py does)

docs, _, _ = peers.load(a.dir)
with tempfile.TemporaryDirectory() as tmp:
    con = sqlite3.connect(os.path.join(tmp, "fts5.db"))
    con.execute("create virtual table d using fts5(id unindexed, title, text, tokenize='porter unicode61')")
    t = time.perf_counter()
    with con:
        con.executemany("insert into d values(?,?,?)", ((x["_id"], x.get("title", ""), x["text"]) for x in docs))
    s = time.perf_counter() - t
    con.close()
print(json.dumps({"engine": "sqlite-fts5 " + sqlite3.sqlite_version, "docs": len(docs), "index_s": round(s, 3), "index_docs_per_s": round(len(docs) / s)}))
