#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything testloom and its tests need on this machine:
# node packages, the Temporal CLI, pytest and requests in the project venv (to execute generated
# pytest suites), the embedding weights and a small GGUF model for the llama.cpp provider. Safe to
# run again; it skips what is already in place. Last, the Compose CLI and hadolint that test/deploy
# checks the deployment files with.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing node packages"
  # `npm ci` rejects this lockfile offline (other platforms' optional packages); install honours it.
  # onnxruntime-node's postinstall would fetch a GPU build from nuget; the CPU runtime ships in the package.
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund
fi

node_modules/.bin/tsx infra/provision-temporal.ts
node_modules/.bin/tsx infra/provision-python.ts
node_modules/.bin/tsx infra/provision-models.ts
node_modules/.bin/tsx infra/provision-deploy-tools.ts
