#!/bin/bash
# Remakes cmd/framebot/default.pgo, the CPU profile that `go build` uses
# for profile-guided optimisation of the framebot binary (Go's -pgo=auto).
#
#   tools/speed/pgo.sh SCALE_DIR [SHARED_BENCH_DIR]
#
# SCALE_DIR is a synthetic BEIR set (python3 ../shared/bench/gen_corpus.py
# 200000 SCALE_DIR). The profile merges three runs of a framebot built
# without PGO: building SCALE_DIR's index and answering its queries ranked
# and as chat questions; answering qa-dev's questions; CISI's long
# queries, ranked and as chat questions. Run it on a quiet machine after
# changes to the hot paths (indexing, ranking, answering): a stale profile
# costs only some of the gain.
set -euo pipefail
scale=$1
bench=${2:-../shared/bench}
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -tags goolm -pgo=off -o "$work/framebot" ./cmd/framebot
"$work/framebot" eval --index "$work/scale" --ask --cpuprofile "$work/scale.prof" "$scale" >/dev/null
"$work/framebot" eval --index "$work/qa" --cpuprofile "$work/qa.prof" "$bench/qa-dev" >/dev/null
"$work/framebot" eval --ask --cpuprofile "$work/cisi.prof" "$bench/cisi" >/dev/null
go tool pprof -proto "$work/scale.prof" "$work/qa.prof" "$work/cisi.prof" >cmd/framebot/default.pgo
echo "wrote cmd/framebot/default.pgo ($(wc -c <cmd/framebot/default.pgo) bytes)"
