#!/usr/bin/env bash
# The PouchDB comparison of issue 14: the same N encounter documents pushed
# by one Waymark device to a real waymark-server (embedded store, durable)
# and by PouchDB 9 to pouchdb-server 4.2 in memory, in the same run, on
# this machine. Not part of make test or make bench: it installs PouchDB
# from the npm registry (npm ci, pinned by package-lock.json) the first
# time. Usage: scripts/pouchdb-bench.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
n="${1:-10000}"
here=scripts/pouchdb-bench
if [ ! -d "$here/node_modules/pouchdb" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
go build -o bin/waymark-server ./cmd/waymark-server
go build -o bin/waymark-bench ./cmd/waymark-bench
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin/waymark-bench --sync "$n" --encounters-out "$work/docs.jsonl"
echo "== Waymark: one device syncing $n encounters to waymark-server (embedded store, fsync on every commit)"
bin/waymark-bench --server-bin bin/waymark-server --app-bin "" --only sync --sync "$n" | grep -E "^sync $n|^measure|^---"
echo "== PouchDB 9 pushing the same $n documents to pouchdb-server 4.2 (in memory)"
mkdir -p "$work/pouch"
node "$here/bench.js" "$work/docs.jsonl" "$work/pouch"
