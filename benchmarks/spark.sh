#!/usr/bin/env bash
# The Spark job (cbmir-spark) on local[1] and local[2] beside the single-JVM ingest of the same
# folder, interleaved in one JVM (ScalingBenchmark): slices/s and their ratios.
#
#   benchmarks/spark.sh                                   # ../shared/data/lidc-idri, 2 rounds
#   benchmarks/spark.sh ../shared/data/lidc-idri 3
#
# Output: benchmarks/results/<stamp>-spark.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$here/results"
. "$here/find-java.sh"
folder="$(cd "$root" && realpath "${1:-../shared/data/lidc-idri}")"

(cd "$root" && mvn -B -q install -DskipTests -Dmaven.javadoc.skip -pl cbmir-spark -am)
(cd "$root" && mvn -B -q -pl cbmir-spark test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath)
cp="$root/cbmir-spark/target/test-classes:$root/cbmir-spark/target/classes:$(cat "$root/cbmir-spark/target/test.classpath")"
# Spark's own JVM options (the module's spark.jvmOptions), as its launcher passes them.
opts="$(cd "$root" && mvn -B -q -pl cbmir-spark help:evaluate -Dexpression=spark.jvmOptions -DforceStdout \
  | sed "s/\x1b\[[0-9;]*m//g; s/\[0m//g")"
{
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$java" -version 2>&1 | head -1)"
  # shellcheck disable=SC2086
  "$java" --add-modules jdk.incubator.vector $opts -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$cp" org.cbmir.spark.ScalingBenchmark "$folder" "${2:-2}" 2>&1 \
    | grep --line-buffered -v '^WARN\|^\[main\] WARN\|^SLF4J\|^WARNING'
} | tee "$here/results/$stamp-spark.txt"
