#!/usr/bin/env python3
"""SQLite FTS5's indexing rate alone: ../../../shared/bench/peers/peers.py's
own run_fts5 (records already read and decoded, to the committed index),
given no queries, so that its slow queries are not run.

    /usr/bin/python3 tools/speed/fts5_index.py DIR [--peers PATH_TO_peers.py]

Prints one JSON line: {"engine", "docs", "index_s", "index_docs_per_s"}.
"""
import argparse, json, os, sqlite3, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--peers", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "bench", "peers", "peers.py"))
a = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(a.peers)))
import peers  # noqa: E402

docs, _, _ = peers.load(a.dir)
with tempfile.TemporaryDirectory() as tmp:
    _, s, _ = peers.run_fts5(docs, [], tmp)  # no queries: the indexing alone
print(json.dumps({"engine": "sqlite-fts5 " + sqlite3.sqlite_version, "docs": len(docs), "index_s": round(s, 3), "index_docs_per_s": round(len(docs) / s)}))
