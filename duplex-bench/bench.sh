#!/bin/sh
# The load benchmark: echo servers (Duplex and its peers) under an NIO load generator, then Duplex's client against
# the JDK's, OkHttp's and Jetty's. Build first:
#   ./mvnw -q -pl duplex-bench -am package -DskipTests && duplex-bench/bench.sh
#
#   duplex-bench/bench.sh [servers|clients|all] [options]
# servers: --servers duplex,netty,vertx,undertow,helidon,jetty,java-websocket
#          --scenarios echo-1,echo-16,big,many,handshakes,idle-memory  --idle-connections N
# clients: --clients duplex,jdk,okhttp,jetty  --memory-connections N
# both:    --quick  --runs N  --warmup-ms MS  --duration-ms MS  --no-pin  --logs DIR
# With "all" (the default) only the options both take are allowed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../.mvn/find-jdk.sh"
jar="$here/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "bench: $jar is missing; build it with: ./mvnw -q -pl duplex-bench -am package -DskipTests" >&2
  exit 2
fi
what=all
case "${1-}" in
  servers|clients|all) what=$1; shift ;;
esac
java="$JAVA_HOME/bin/java"
status=0
if [ "$what" != clients ]; then
  "$java" -cp "$jar" dev.duplex.bench.load.Bench "$@" || status=$?
fi
if [ "$what" != servers ]; then
  [ "$what" = clients ] || echo
  "$java" -cp "$jar" dev.duplex.bench.load.ClientBench "$@" || status=$?
fi
exit $status
