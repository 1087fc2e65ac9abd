# syntax=docker/dockerfile:1
# One image for every testloom process: `api` (the default command), `worker --queues io|llm|execute`,
# `migrate` (once per release, before the rest) and `up`. See README "Running in production".
# Embedding weights are not in the image: mount them at /models (TESTLOOM_MODEL_DIR), filled by
# `npm run setup` (infra/provision-models.ts) or, on a connected machine, by the first download.
ARG NODE_VERSION=20.20.2

# --- deps: node_modules from the lockfile --------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
# onnxruntime-node's postinstall would fetch a GPU build (the CPU runtime ships in the package);
# node-llama-cpp uses its prebuilt binaries instead of downloading or building llama.cpp.
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .npmrc ./
# Dev dependencies stay: the execute worker compiles and runs generated Jest suites with testloom's
# own jest, @swc/jest and @types (lib/frameworks/jest/runner.ts), and the quality gate type-checks them.
RUN npm ci --no-audit --no-fund && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# python3 + venv: generated pytest suites (execute worker); git: the local repository host;
# tini: PID 1 that forwards signals and reaps the suites' child processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The project venv lib/frameworks/pytest/python.ts looks for first, with the versions setup installs.
RUN python3 -m venv /app/.venv \
 && /app/.venv/bin/pip install --no-cache-dir --disable-pip-version-check pytest==9.2.0 requests==2.34.2
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN groupadd --system --gid 10001 testloom \
 && useradd --system --uid 10001 --gid testloom --home-dir /home/testloom --create-home testloom \
 && mkdir -p /var/lib/testloom /models \
 && chown testloom:testloom /var/lib/testloom /models
# The data directory keeps the workflow bundle (and, with the local repository host, repositories).
ENV TESTLOOM_DATA_DIR=/var/lib/testloom \
    TESTLOOM_MODEL_DIR=/models \
    TESTLOOM_API_PORT=3000
USER 10001:10001
EXPOSE 3000
# The API's own health report: 200 unless a dependency (Temporal, database, Chroma) is down.
# Worker containers have no HTTP port: compose.yaml and the Kubernetes manifests replace this
# check with infra/probes/temporal-connected.sh for them.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TESTLOOM_API_PORT || 3000) + '/api/health').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/testloom"]
CMD ["api"]
