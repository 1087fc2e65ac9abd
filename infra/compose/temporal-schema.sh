#!/bin/sh
# Creates (first start) or updates (after a Temporal upgrade) Temporal's two databases on the
# compose Postgres, with the admin-tools image's temporal-sql-tool. Safe to run on every start.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port="${DB_PORT:-5432}"
schema=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  sql --db "$db" create || echo "database $db exists"
  # setup-schema -v 0.0 only creates the version table; it refuses (harmlessly) when it is there.
  sql --db "$db" setup-schema -v 0.0 || echo "schema version table of $db exists"
  sql --db "$db" update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schema is current"
