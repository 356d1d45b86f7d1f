#!/usr/bin/env bash
# The OpenSearch-served index beside the in-process one on the same slices, in one run
# (OpenSearchPeer): bulk-load rate and query p50/p99 on a local single node.
#
#   benchmarks/opensearch.sh                  # 200,000 slices, 300 queries, 1 GB node heap
#   benchmarks/opensearch.sh 20000 100 512m   # smaller
#
# Output: benchmarks/results/<stamp>-opensearch.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$here/results"
. "$here/find-java.sh"

(cd "$root" && mvn -B -q install -DskipTests -Dmaven.javadoc.skip -pl benchmarks -am)
# The node: the same distribution and plugin the integration tests unpack.
(cd "$root" && mvn -B -q -pl cbmir-opensearch \
  dependency:unpack@opensearch-node dependency:copy@opensearch-knn-plugin)
os="$root/cbmir-opensearch/target"
{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$java" -version 2>&1 | head -1)"
  "$java" --add-modules jdk.incubator.vector -cp "$here/target/benchmarks.jar" \
    org.cbmir.benchmarks.OpenSearchPeer "$os/opensearch-3.5.0" \
    "$os/opensearch-plugins/opensearch-knn-3.5.0.0.zip" "${1:-200000}" "${2:-300}" "${3:-1g}" 2>&1 \
    | grep -v '^\[main\] INFO\|^SLF4J'
} | tee "$here/results/$stamp-opensearch.txt"
