#!/bin/bash
# Build speed and answering speed of framebot binaries beside FTS5's
# indexing, back to back, ROUNDS times (the machine is shared: compare
# within a round).
#
#   tools/speed/rounds.sh ROUNDS DIR BIN...
#
# Each round: FTS5's indexing (fts5_index.py), then for each BIN a new
# index built by `BIN eval --index` (its JSON line: build rate, ranked
# query latency, peak RSS), then `BIN eval --index --answer-only --ask`
# on that index (a process that only answers). Indexes go in a new
# temporary folder, removed at the end.
set -euo pipefail
rounds=$1 dir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pick='import json,sys
keys=sys.argv[1].split(",")
d=json.loads(sys.stdin.readlines()[-1])
print(json.dumps({k: d[k] for k in keys if k in d}))'
for r in $(seq "$rounds"); do
	echo "round $r, load $(cut -d" " -f1-3 /proc/loadavg)"
	/usr/bin/python3 "$here/fts5_index.py" "$dir"
	for b in "$@"; do
		ix=$work/$(basename "$b")
		rm -rf "$ix"
		echo -n "$(basename "$b") build: "
		"$b" eval --index "$ix" "$dir" | python3 -c "$pick" index_s,index_docs_per_s,query_p50_ms,query_p99_ms,peak_rss_mb
		echo -n "$(basename "$b") answering: "
		"$b" eval --index "$ix" --answer-only --ask "$dir" | python3 -c "$pick" query_p50_ms,query_p99_ms,ask_p50_ms,ask_p99_ms,peak_rss_mb
	done
done
