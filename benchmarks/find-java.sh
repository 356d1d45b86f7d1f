# Sourced by the benchmark scripts: sets $java to the first JDK >= 21 in $JAVA_HOME or
# /usr/lib/jvm, or stops the script.
java=""
for c in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -x "$c/bin/java" ] || continue
  v="$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java="$c/bin/java"; break; fi
done
[ -n "$java" ] || { echo "no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
