#!/usr/bin/env bash
# A throwaway ClickHouse for the storage tests: loopback only, HTTP on 8123 and native TCP on 9000, a user
# `default` without password, all data under one folder (CLICKHOUSE_TEST_DIR, default /tmp/promptledger-clickhouse).
# Not a system service: it runs in the background until `stop`.
#
#   scripts/clickhouse-test-server.sh start   # idempotent: a server already answering on 8123 is left as it is
#   scripts/clickhouse-test-server.sh stop
#
# Needs Debian's clickhouse-server (18.16) or any later ClickHouse build providing `clickhouse-server` or `clickhouse`.
set -euo pipefail

DIR="${CLICKHOUSE_TEST_DIR:-/tmp/promptledger-clickhouse}"
PING="http://127.0.0.1:8123/ping"
PIDFILE="$DIR/clickhouse.pid"

# Whether the server answers its ping; curl where present, else a bare HTTP request through bash's /dev/tcp.
answers() {
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -fsS --max-time 2 "$PING" 2>/dev/null)" = "Ok." ]
  else
    local reply
    reply="$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8123 && printf "GET /ping HTTP/1.0\r\n\r\n" >&3 && cat <&3' 2>/dev/null)" || return 1
    [[ "$reply" == *"Ok."* ]]
  fi
}

# The server command: the Debian package ships `clickhouse-server` (in /usr/sbin, not on every PATH); current
# releases ship one `clickhouse` binary with a `server` subcommand.
server_command() {
  local bin
  for bin in clickhouse-server /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if command -v "$bin" >/dev/null 2>&1; then
      echo "$(command -v "$bin")"
      return
    fi
  done
  if command -v clickhouse >/dev/null 2>&1; then
    echo "$(command -v clickhouse) server"
    return
  fi
  return 1
}

write_config() {
  mkdir -p "$DIR/data" "$DIR/tmp" "$DIR/user_files" "$DIR/format_schemas" "$DIR/log"
  cat >"$DIR/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$DIR/log/clickhouse-server.log</log>
    <errorlog>$DIR/log/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>8123</http_port>
  <tcp_port>9000</tcp_port>
  <path>$DIR/data/</path>
  <tmp_path>$DIR/tmp/</tmp_path>
  <user_files_path>$DIR/user_files/</user_files_path>
  <format_schema_path>$DIR/format_schemas/</format_schema_path>
  <users_config>$DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  <merge_tree>
    <!-- Parts replaced by a merge or a mutation (an erasure) leave the disk after 10 s instead of 8 minutes. -->
    <old_parts_lifetime>10</old_parts_lifetime>
  </merge_tree>
</yandex>
EOF
  cat >"$DIR/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
EOF
}

start() {
  if answers; then
    echo "ClickHouse already answers at $PING"
    return 0
  fi
  local cmd
  if ! cmd="$(server_command)"; then
    echo "error: no ClickHouse server binary (clickhouse-server or clickhouse) found." >&2
    echo "       Install it with: apt-get install -y clickhouse-server clickhouse-client" >&2
    exit 1
  fi
  write_config
  # setsid: the server outlives this script and the shell that ran it, in its own process group.
  # shellcheck disable=SC2086 # $cmd is a binary, possibly followed by its subcommand
  setsid $cmd --config-file="$DIR/config.xml" >"$DIR/log/stdout.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if answers; then
      echo "ClickHouse answers at $PING (pid $(cat "$PIDFILE"), data in $DIR)"
      return 0
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "error: ClickHouse exited during start; its output:" >&2
      tail -n 30 "$DIR/log/stdout.log" "$DIR/log/clickhouse-server.err.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
  echo "error: ClickHouse did not answer at $PING within 60 s; see $DIR/log/" >&2
  exit 1
}

stop() {
  if [ ! -f "$PIDFILE" ]; then
    echo "no ClickHouse started by this script (no $PIDFILE)"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "error: ClickHouse (pid $pid) did not stop within 30 s" >&2
      exit 1
    fi
  fi
  rm -f "$PIDFILE"
  echo "ClickHouse stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
