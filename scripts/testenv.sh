#!/usr/bin/env bash
# testenv.sh prepares a Debian machine for `make test`: it installs the
# Debian packages the tests use when they are missing and starts the
# services they talk to (RabbitMQ, MariaDB) when they are not answering.
# It is idempotent and quick when everything is already in place.
set -euo pipefail

# Debian packages the tests call, by the command that proves each present.
declare -A want=(
  [isoinfo]=genisoimage     # metadata CD checks (internal/metadrive)
  [mcopy]=mtools            # FAT image checks (internal/metadrive)
  [fsck.fat]=dosfstools     # FAT image checks (internal/metadrive)
  [ruby]=ruby               # Marshal golden vectors (internal/rubymarshal)
  [rabbitmq-server]=rabbitmq-server
  [mariadbd]=mariadb-server
  [systemd-analyze]=systemd  # the agent unit check (examples/esxi-hva)
)

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

missing=()
for cmd in "${!want[@]}"; do
  have "$cmd" || missing+=("${want[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "testenv: installing ${missing[*]}"
    sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "testenv: missing ${missing[*]} and no apt-get; tests that need them will skip" >&2
  fi
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  echo "testenv: $name did not come up on 127.0.0.1:$port" >&2
  return 1
}

if ! port_open 5672 && have rabbitmq-server; then
  echo "testenv: starting RabbitMQ"
  sudo_ rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 5672 RabbitMQ || true
fi

if ! port_open 3306 && have mariadbd; then
  echo "testenv: starting MariaDB"
  sudo_ mkdir -p /run/mysqld && sudo_ chown mysql:mysql /run/mysqld 2>/dev/null || true
  sudo_ start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  wait_port 3306 MariaDB || true
fi

if port_open 3306 && command -v mariadb >/dev/null 2>&1; then
  mariadb -uroot -h127.0.0.1 -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null 2>&1 || true
fi
# RabbitMQ virtual hosts, one per test package that talks to the broker,
# so packages tested in parallel never consume each other's queues (Isono's
# collector endpoints have fixed names).
if port_open 5672 && command -v rabbitmqctl >/dev/null 2>&1; then
  for vh in esxi-hva-isono esxi-hva-isonotest esxi-hva-examples; do
    sudo_ rabbitmqctl add_vhost "$vh" >/dev/null 2>&1 || true
    sudo_ rabbitmqctl set_permissions -p "$vh" guest '.*' '.*' '.*' >/dev/null 2>&1 || true
  done
fi
exit 0
