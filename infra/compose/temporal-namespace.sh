#!/bin/sh
# Creates testloom's namespace and registers the search attributes its workflows set
# (TESTLOOM_SEARCH_ATTRIBUTES: the names in temporal.yaml, all Keyword). Safe to run on every start.
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_RETENTION:-30d}"

attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  [ "$attempt" -ge 60 ] && { echo "Temporal at $TEMPORAL_ADDRESS is not healthy after $attempt attempts" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 2
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace $namespace exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$namespace" --retention "$retention"
fi

# A new namespace reaches the frontend's namespace cache some seconds after it is created.
attempt=1
until existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$namespace" 2>&1); do
  [ "$attempt" -ge 60 ] && { echo "listing the search attributes of $namespace failed: $existing" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 1
done
for name in $TESTLOOM_SEARCH_ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$namespace" --name "$name" --type Keyword
  fi
done
echo "namespace $namespace is ready for testloom"
