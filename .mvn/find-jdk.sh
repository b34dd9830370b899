# Sourced by ./mvnw and ./duplex (POSIX sh): makes JAVA_HOME point at a JDK >= 21.
# A JAVA_HOME that is new enough is honoured; otherwise the newest JDK under /usr/lib/jvm (or the one
# whose javac is on PATH) is taken. The machine's default java may be 17, which cannot compile --release 21.

duplex_jdk_major() {
  [ -x "$1/bin/javac" ] || { echo 0; return; }
  _v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  [ -n "$_v" ] || _v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  echo "${_v:-0}"
}

duplex_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ "$(duplex_jdk_major "$JAVA_HOME")" -ge 21 ]; then
    return 0
  fi
  _best=
  _bestv=0
  _candidates=
  if command -v javac >/dev/null 2>&1; then
    _candidates=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  fi
  # ls, not a glob: mvnw runs with `set -f`.
  for _name in $(ls /usr/lib/jvm 2>/dev/null); do
    _candidates="$_candidates /usr/lib/jvm/$_name"
  done
  for _dir in $_candidates; do
    _v=$(duplex_jdk_major "$_dir")
    if [ "$_v" -ge 21 ] && [ "$_v" -gt "$_bestv" ]; then
      _best=$_dir
      _bestv=$_v
    fi
  done
  if [ -z "$_best" ]; then
    echo "duplex: no JDK >= 21 found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
    return 1
  fi
  JAVA_HOME=$_best
  export JAVA_HOME
}

duplex_find_jdk || exit 1
