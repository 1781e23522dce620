#!/usr/bin/env bash
# make_schemas.sh regenerates registry/testdata/wakame-head.sql and
# wakame-1203.sql: the schemas wakame-vdc's own dcmgr migrations make on
# MariaDB, dumped without data (plus the schema_info row, which tells the
# registry which schema it is talking to).
#
#   registry/testdata/wakame/make_schemas.sh WAKAME_VDC_DIR [COMMIT]
#
# WAKAME_VDC_DIR is a wakame-vdc tree (a clone, a worktree, or a `git
# archive` of one); COMMIT defaults to its `git rev-parse HEAD` and is
# required when the tree is not a git checkout. For example:
#
#   mkdir /tmp/wakame-vdc
#   git -C wakame-vdc archive HEAD dcmgr/config/db/migrations | tar -x -C /tmp/wakame-vdc
#   registry/testdata/wakame/make_schemas.sh /tmp/wakame-vdc "$(git -C wakame-vdc rev-parse HEAD)"
#
# It needs ruby, Debian's ruby-sequel and ruby-mysql2, and a MariaDB (or
# MySQL) server: MYSQL_HOST (127.0.0.1), MYSQL_PORT (3306), MYSQL_USER
# (root) and MYSQL_PWD (empty) say which. It creates two scratch databases
# and drops them again. Two dumps are made:
#   wakame-head.sql  every migration (HEAD)
#   wakame-1203.sql  Sequel migration target 2 (0002_v1203: Wakame 12.03,
#                    whose `vdc-manage spec add` writes instance_specs)
# Nothing of wakame-vdc is copied: only what MariaDB prints is kept.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
src=${1:?usage: make_schemas.sh WAKAME_VDC_DIR [COMMIT]}
migrations="$src/dcmgr/config/db/migrations"
[ -d "$migrations" ] || { echo "make_schemas: no $migrations: is $src a wakame-vdc tree?" >&2; exit 1; }
commit=${2:-$(git -C "$src" rev-parse HEAD 2>/dev/null || true)}
[ -n "$commit" ] || { echo "make_schemas: $src is not a git checkout; give the wakame-vdc commit as the second argument" >&2; exit 1; }

ruby -e 'require "sequel"; require "mysql2"' 2>/dev/null ||
  { echo "make_schemas: ruby with Sequel and mysql2 is needed: apt-get install ruby ruby-sequel ruby-mysql2" >&2; exit 1; }
dump=$(command -v mariadb-dump || command -v mysqldump) ||
  { echo "make_schemas: mariadb-dump (or mysqldump) is needed: apt-get install mariadb-client" >&2; exit 1; }
client=$(command -v mariadb || command -v mysql)

host=${MYSQL_HOST:-127.0.0.1} port=${MYSQL_PORT:-3306} user=${MYSQL_USER:-root}
export MYSQL_PWD=${MYSQL_PWD:-}
sql() { "$client" -h"$host" -P"$port" -u"$user" "$@"; }
server=$(sql -N -e 'SELECT VERSION()')

make_one() { # target outfile what
  local target=$1 file=$2 what=$3
  local db="wakame_schema_${target}_$$"
  sql -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8 COLLATE utf8_general_ci"
  trap 'sql -e "DROP DATABASE IF EXISTS '"$db"'"' EXIT
  local uri="mysql2://$user${MYSQL_PWD:+:$MYSQL_PWD}@$host:$port/$db"
  ruby -W0 -I "$here/stub" "$here/migrate.rb" "$migrations" "$uri" "$target" >/dev/null
  local version
  version=$(sql -N -e "SELECT version FROM $db.schema_info")
  {
    echo "-- dcmgr's schema as wakame-vdc's own migrations make it: $what."
    echo "-- wakame-vdc commit $commit, dcmgr/config/db/migrations,"
    echo "-- Sequel migration target $target: schema_info version $version."
    echo "-- Made on MariaDB $server by registry/testdata/wakame/make_schemas.sh"
    echo "-- (see that script to regenerate). This file is MariaDB's dump, unedited."
    "$dump" -h"$host" -P"$port" -u"$user" --compact --no-data --skip-dump-date "$db"
    "$dump" -h"$host" -P"$port" -u"$user" --compact --no-create-info --skip-dump-date "$db" schema_info
  } >"$out/$file"
  sql -e "DROP DATABASE $db"
  trap - EXIT
  echo "make_schemas: $file: schema_info version $version"
}

make_one head wakame-head.sql "every migration (HEAD)"
make_one 2 wakame-1203.sql "Wakame 12.03 (target 2, 0002_v1203), the seed's era"
