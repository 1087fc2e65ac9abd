/**
 * The GitHub webhook receiver `POST /api/webhooks/github` under load, on the real parts: a Temporal
 * dev server, PGlite, the local git host and the API, all on free ports in a fresh data directory,
 * and no worker (every issue's run stays open, so each delivery only has to be acknowledged).
 *
 * N real `issues.labeled` payloads (@octokit/webhooks-examples) over M issues, each with its own
 * delivery id and signature, are built before the clock starts and fired by autocannon at a fixed
 * concurrency from a separate process (this file again), so the load generator does not share
 * the server's event loop. Prints acknowledgement latency, deliveries/second and status codes;
 * then checks that every issue has exactly one workflow execution (Temporal visibility) and every
 * delivery is recorded once (webhook_deliveries). As baselines in the same run:
 * `GET /api/openapi.json` (same server and middleware, no signature, database or Temporal) before
 * and after, and signed `ping` deliveries (signature + parse + delivery lookup and record, no
 * Temporal). Figures only, no verdict on speed.
 * The receiver answers once a delivery is stored (202 `accepted`); the webhook inbox in the same
 * process starts the runs meanwhile, so the figures include its competing work, and each phase
 * waits for the inbox to drain (reported as deliveries handled per second). A second phase sends
 * deliveries at a fixed rate (open loop, 200/s by default): the latency a steady stream sees.
 * Usage: tsx bench/webhook.ts [deliveries] [issues] [concurrency] [rate]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import autocannon from 'autocannon';
import examples from '@octokit/webhooks-examples/api.github.com/index.json';
import { listen, type RunningServer } from '../api/server';
import { loadConfig, PROJECT_ROOT } from '../lib/config';
import { openDatabase, type Database } from '../lib/db/open';
import { freePort } from '../lib/net/free-port';
import { configureLogging } from '../lib/observability/logger';
import { LocalGitHost } from '../lib/repohost/local-git';
import { requireTemporalCli } from '../lib/temporal/cli';
import { ensureDevServer, type DevServer } from '../lib/temporal/dev-server';
import { issuesEvent } from '../test/support/github-deliveries';
import { quantile } from './stats';

const deliveries = Number(process.argv[2] ?? 2000);
const issues = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 50);
/** The fixed arrival rate of the open-loop phase (deliveries/second). */
const fixedRate = Number(process.argv[5] ?? 200);

const REPOSITORY = 'bench/webhook';
const WARMUP_REPOSITORY = 'bench/warmup';
const PING_REPOSITORY = 'bench/ping';
const RATE_REPOSITORY = 'bench/rate';
const WEBHOOK_PATH = '/api/webhooks/github';
const BASELINE_PATH = '/api/openapi.json';
const BASELINE_WARMUP = 1000;
/** A quiet second before each measured phase, so one phase's leftovers (logs, GC) do not land on the next. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

interface Prepared {
  id: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Fired {
  latencies: number[];
  statuses: Map<number, number>;
  /** Latencies of each connection's first request: the opening burst, sent all at once. */
  opening: number[];
  wallMs: number;
  errors: number;
  timeouts: number;
  /** Requests sent beyond the prepared ones (autocannon re-sending after a connection error). */
  extra: number;
}

/** What the load generator is asked to do: send the prepared deliveries in a file, or GET a path. */
interface Job {
  url: string;
  connections: number;
  /** Deliveries per second, evenly spaced, whatever the answers' latency (open loop); unset: as fast as answered. */
  rate?: number;
  deliveriesFile?: string;
  get?: { path: string; amount: number };
}

type FiredMessage = Omit<Fired, 'statuses'> & { statuses: [number, number][] };

const LOAD_GENERATOR = 'TESTLOOM_BENCH_LOAD_GENERATOR';

const sign = (secret: string, body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function prepare(secret: string, event: string, payload: unknown): Prepared {
  const id = randomUUID();
  const body = Buffer.from(JSON.stringify(payload));
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': sign(secret, body),
    },
  };
}

/** `count` signed `issues.labeled` deliveries: delivery i labels issue i % issueCount + 1. */
function labeledDeliveries(secret: string, label: string, repository: string, count: number, issueCount: number): Prepared[] {
  return Array.from({ length: count }, (_, i) => {
    const target = { repository, number: (i % issueCount) + 1, labels: [label] };
    return prepare(secret, 'issues', issuesEvent('labeled', target, { label }));
  });
}

function pingDeliveries(secret: string, count: number): Prepared[] {
  const definition = (examples as { name: string; examples: Record<string, any>[] }[]).find((d) => d.name === 'ping');
  if (!definition?.examples[0]) throw new Error('no @octokit/webhooks-examples payload for ping');
  return Array.from({ length: count }, () => {
    const payload = structuredClone(definition.examples[0]);
    if (payload.repository) payload.repository.full_name = PING_REPOSITORY;
    return prepare(secret, 'ping', payload);
  });
}

/**
 * Sends the requests over `connections` keep-alive connections: the prepared deliveries in order
 * (each taken by setupRequest when a connection needs its next request), or `GET path` repeatedly.
 * Latency is autocannon's per-response time (request written → response complete), unrounded.
 * Runs in the load generator process, never beside the server.
 */
function fire(job: Job, prepared?: Prepared[]): Promise<Fired> {
  const amount = prepared ? prepared.length : job.get!.amount;
  let next = 0;
  let extra = 0;
  const request: autocannon.Request = prepared
    ? {
        method: 'POST',
        path: WEBHOOK_PATH,
        setupRequest: (req) => {
          if (next >= prepared.length) extra++;
          const delivery = prepared[next++ % prepared.length];
          return { ...req, headers: { ...req.headers, ...delivery.headers }, body: delivery.body };
        },
      }
    : { method: 'GET', path: job.get!.path };
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const opening: number[] = [];
  const seen = new Set<unknown>();
  return new Promise((resolve, reject) => {
    // From the start to the last response: autocannon itself only notices the end on its next
    // once-a-second tick, so its own duration is rounded up to whole seconds.
    const started = performance.now();
    let last = started;
    const instance = autocannon(
      { url: job.url, connections: Math.min(job.connections, amount), amount, requests: [request], timeout: 30 },
      (err: Error | null, result) => {
        if (err) return reject(err);
        resolve({ latencies, statuses, opening, wallMs: last - started, errors: result.errors, timeouts: result.timeouts, extra });
      },
    );
    instance.on('response', (client, statusCode, _bytes, responseTime) => {
      if (!seen.has(client)) {
        seen.add(client);
        opening.push(responseTime);
      }
      last = performance.now();
      latencies.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
  });
}

/**
 * Sends the prepared deliveries one every 1/rate seconds, on time whether or not earlier ones were
 * answered (autocannon's own rate limit sends each second's quota at once, a burst, not a stream),
 * over at most `connections` keep-alive connections. A delivery's latency runs from when it was due
 * to be sent to its complete response, so a sender falling behind is counted, not hidden.
 */
async function firePaced(job: Job, prepared: Prepared[]): Promise<Fired> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const intervalMs = 1000 / job.rate!;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  const started = performance.now();
  const send = (delivery: Prepared, due: number) => new Promise<void>((resolve) => {
    const request = http.request(`${job.url}${WEBHOOK_PATH}`, { method: 'POST', agent, headers: { ...delivery.headers, 'content-length': String(delivery.body.length) } }, (response) => {
      response.resume();
      response.on('end', () => {
        latencies.push(performance.now() - due);
        statuses.set(response.statusCode!, (statuses.get(response.statusCode!) ?? 0) + 1);
        resolve();
      });
    });
    request.on('error', () => {
      errors++;
      resolve();
    });
    request.end(delivery.body);
  });
  const sent: Promise<void>[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(send(prepared[i], due));
  }
  await Promise.all(sent);
  agent.destroy();
  return { latencies, statuses, opening: [], wallMs: performance.now() - started, errors, timeouts: 0, extra: 0 };
}

/**
 * The load generator: this file again, in its own process, so autocannon does not share the
 * server's event loop. One process runs every job in turn, so the warm-up warms it too.
 */
function loadGenerator(): void {
  process.on('message', (job: Job) => {
    void (async () => {
      const prepared = job.deliveriesFile
        ? (JSON.parse(fs.readFileSync(job.deliveriesFile, 'utf8')) as { id: string; headers: Record<string, string>; body: string }[])
            .map((d) => ({ ...d, body: Buffer.from(d.body) }))
        : undefined;
      const fired = job.rate && prepared ? await firePaced(job, prepared) : await fire(job, prepared);
      const message: FiredMessage = { ...fired, statuses: [...fired.statuses] };
      process.send!(message);
    })().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  });
  process.once('disconnect', () => process.exit(0));
}

class LoadGenerator {
  private readonly child: ChildProcess = fork(__filename, [], { env: { ...process.env, [LOAD_GENERATOR]: '1' } });

  constructor(private readonly dataDir: string) {}

  /** Runs one job; deliveries are written to a file for it first (before the clock). */
  async run(job: Omit<Job, 'deliveriesFile'>, prepared?: Prepared[]): Promise<Fired> {
    let deliveriesFile: string | undefined;
    if (prepared) {
      deliveriesFile = path.join(this.dataDir, `deliveries-${randomUUID()}.json`);
      fs.writeFileSync(deliveriesFile, JSON.stringify(prepared.map((d) => ({ ...d, body: d.body.toString('utf8') }))));
    }
    const child = this.child;
    try {
      const message = await new Promise<FiredMessage>((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`the load generator exited (code ${code}) before it reported`));
        child.once('exit', exited);
        child.once('message', (m) => {
          child.off('exit', exited);
          resolve(m as FiredMessage);
        });
        child.send({ ...job, deliveriesFile } satisfies Job);
      });
      return { ...message, statuses: new Map(message.statuses) };
    } finally {
      if (deliveriesFile) fs.rmSync(deliveriesFile, { force: true });
    }
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const statusText = (f: Fired) =>
  [...f.statuses.entries()].sort(([a], [b]) => a - b).map(([code, n]) => `${code} × ${n}`).join(', ') +
  (f.errors || f.timeouts ? `; connection errors ${f.errors}, timeouts ${f.timeouts}` : '') +
  (f.extra ? `; ${f.extra} sent again after connection errors` : '');
/** The latencies after each connection's first request. */
function steady(f: Fired): number[] {
  const rest = [...f.latencies];
  for (const first of f.opening) rest.splice(rest.indexOf(first), 1);
  return rest;
}
const rate = (f: Fired) => f.latencies.length / (f.wallMs / 1000);
const summary = (f: Fired) =>
  `p50 ${fmt(quantile(f.latencies, 0.5))} ms, p99 ${fmt(quantile(f.latencies, 0.99))} ms (without each connection's first request: p99 ${fmt(quantile(steady(f), 0.99))} ms), ${rate(f).toFixed(0)}/s (${statusText(f)})`;

/** Every execution visibility lists for the repository, polled until there are `expected` or 30 s passed. */
async function executionsOf(client: Client, repository: string, expected: number): Promise<Map<string, number>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const perWorkflow = new Map<string, number>();
    for await (const execution of client.workflow.list({ query: `TestloomRepository = "${repository}"` })) {
      perWorkflow.set(execution.workflowId, (perWorkflow.get(execution.workflowId) ?? 0) + 1);
    }
    const total = [...perWorkflow.values()].reduce((a, b) => a + b, 0);
    if (total >= expected || Date.now() > deadline) return perWorkflow;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main(): Promise<void> {
  if (![deliveries, issues, concurrency, fixedRate].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('usage: tsx bench/webhook.ts [deliveries] [issues] [concurrency] [rate] (positive integers)');
  }
  const cleanups: [string, () => unknown][] = [];
  const cleanUp = async () => {
    for (const [what, step] of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        console.error(`cleanup: ${what} failed: ${(err as Error).message}`);
      }
    }
  };
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(code)));
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-bench-webhook-'));
  cleanups.push(['remove the data directory', () => fs.rmSync(dataDir, { recursive: true, force: true })]);
  const loader = new LoadGenerator(dataDir);
  cleanups.push(['stop the load generator', () => loader.stop()]);
  try {
    const secret = randomBytes(16).toString('hex');
    const config = loadConfig({
      ...process.env,
      TESTLOOM_DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      GITHUB_WEBHOOK_SECRET: secret,
      TESTLOOM_RETRIEVAL: 'off',
      DATABASE_URL: '',
    });
    // The API logs every request (info): kept, as in production, but written to a file in the data
    // directory instead of between the figures.
    const logFile = path.join(dataDir, 'api.log');
    configureLogging({ level: config.logLevel, destination: logFile });
    const cli = requireTemporalCli({ cliPath: config.temporal.cliPath, projectRoot: PROJECT_ROOT });
    const devServer: DevServer = await ensureDevServer({
      cliPath: cli.path,
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      uiPort: config.temporal.uiPort,
      headless: true,
      logFile: path.join(dataDir, 'temporal.log'),
      searchAttributes: config.temporal.searchAttributes,
    });
    cleanups.push(['stop the Temporal dev server', () => devServer.stop()]);
    const database: Database = await openDatabase({ dataDir });
    cleanups.push(['close the database', () => database.close()]);
    const connection = await Connection.connect({ address: config.temporal.address });
    cleanups.push(['close the Temporal connection', () => connection.close()]);
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const repoHost = new LocalGitHost(config.repos.root, database.db);
    const api: RunningServer = await listen({ db: database.db, client, config, repoHost }, '127.0.0.1', 0);
    cleanups.push(['close the API', () => api.close()]);

    const label = config.github.triggerLabel;
    const prepareStarted = performance.now();
    const measured = labeledDeliveries(secret, label, REPOSITORY, deliveries, issues);
    const warmup = labeledDeliveries(secret, label, WARMUP_REPOSITORY, Math.min(deliveries, 2 * concurrency), Math.max(1, Math.ceil(issues / 10)));
    const pings = pingDeliveries(secret, deliveries);
    const steadyStream = labeledDeliveries(secret, label, RATE_REPOSITORY, deliveries, issues);
    /** Waits until the inbox has handled every delivery to `repository`; the time since `since`, in ms. */
    const drained = async (repository: string, since: number) => {
      for (;;) {
        const { pending } = await database.db.selectFrom('webhookDeliveries').select((eb) => eb.fn.countAll<number>().as('pending'))
          .where('repository', '=', repository).where('outcome', '=', 'accepted').executeTakeFirstOrThrow();
        if (Number(pending) === 0) return performance.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const prepareMs = performance.now() - prepareStarted;
    const baselineBytes = (await (await fetch(`${api.url}${BASELINE_PATH}`)).arrayBuffer()).byteLength;

    console.log(`receiver: POST ${WEBHOOK_PATH}, signed issues.labeled deliveries (@octokit/webhooks-examples, ~${measured[0].body.length} bytes each), no worker`);
    console.log(`stack: Temporal dev server ${config.temporal.address}, PGlite, local git host, API ${api.url} (request log at ${config.logLevel} to a file); built ${measured.length + warmup.length + pings.length} signed bodies in ${prepareMs.toFixed(0)} ms before the clock`);
    const warm = await loader.run({ url: api.url, connections: concurrency }, warmup);
    await drained(WARMUP_REPOSITORY, 0);
    await loader.run({ url: api.url, connections: concurrency, get: { path: BASELINE_PATH, amount: BASELINE_WARMUP } });
    console.log(`warm-up (not counted): ${warmup.length} deliveries to ${WARMUP_REPOSITORY} (${statusText(warm)}), ${BASELINE_WARMUP} baseline requests`);

    await settle();
    const before = await loader.run({ url: api.url, connections: concurrency, get: { path: BASELINE_PATH, amount: deliveries } });
    await settle();
    const receiverStarted = performance.now();
    const receiver = await loader.run({ url: api.url, connections: concurrency }, measured);
    const receiverDrainedMs = await drained(REPOSITORY, receiverStarted);
    await settle();
    const after = await loader.run({ url: api.url, connections: concurrency, get: { path: BASELINE_PATH, amount: deliveries } });

    const others = [...receiver.statuses.entries()].filter(([code]) => code !== 202);
    console.log('');
    console.log(`deliveries: ${deliveries} over ${issues} issues, concurrency ${concurrency}`);
    console.log(`acknowledgement latency: p50 ${fmt(quantile(receiver.latencies, 0.5))} ms, p99 ${fmt(quantile(receiver.latencies, 0.99))} ms (max ${fmt(Math.max(...receiver.latencies))} ms)`);
    console.log(`  opening burst (first delivery on each of the ${receiver.opening.length} connections, sent at once): p50 ${fmt(quantile(receiver.opening, 0.5))} ms, max ${fmt(Math.max(...receiver.opening))} ms; the other ${receiver.latencies.length - receiver.opening.length}: p50 ${fmt(quantile(steady(receiver), 0.5))} ms, p99 ${fmt(quantile(steady(receiver), 0.99))} ms`);
    console.log(`deliveries/second: ${rate(receiver).toFixed(0)} (${deliveries} in ${(receiver.wallMs / 1000).toFixed(2)} s)`);
    console.log(`handled by the inbox: all ${deliveries} within ${(receiverDrainedMs / 1000).toFixed(2)} s of the first send, ${(deliveries / (receiverDrainedMs / 1000)).toFixed(0)}/s (runs started or found in Temporal)`);
    console.log(`status codes: ${statusText(receiver)}${others.length || receiver.latencies.length !== deliveries ? `  ✗ expected 202 × ${deliveries}` : '  (all 202)'}`);

    const baseline = { ...before, latencies: [...before.latencies, ...after.latencies] };
    console.log('');
    console.log(`baseline: GET ${BASELINE_PATH} on the same server and middleware (helmet, redaction, error handling), no signature, database or Temporal; ${baselineBytes}-byte JSON body serialised per request`);
    console.log(`  before: ${summary(before)}`);
    console.log(`  after:  ${summary(after)}`);
    const p50Ratio = quantile(receiver.latencies, 0.5) / quantile(baseline.latencies, 0.5);
    const p99Ratio = quantile(receiver.latencies, 0.99) / quantile(baseline.latencies, 0.99);
    const steadyP99Ratio = quantile(steady(receiver), 0.99) / quantile([...steady(before), ...steady(after)], 0.99);
    const rateRatio = rate(receiver) / ((rate(before) + rate(after)) / 2);
    console.log(`receiver / baseline (before and after pooled): p50 latency ×${p50Ratio.toFixed(1)}, p99 latency ×${p99Ratio.toFixed(1)} (without each connection's first request ×${steadyP99Ratio.toFixed(1)}), throughput ×${rateRatio.toFixed(2)}`);

    // Every issue's run is open (no worker), so each issue must have exactly one execution.
    const perWorkflow = await executionsOf(client, REPOSITORY, issues);
    const executions = [...perWorkflow.values()].reduce((a, b) => a + b, 0);
    const repeated = [...perWorkflow.entries()].filter(([, n]) => n !== 1);
    console.log('');
    if (perWorkflow.size === issues && executions === issues && repeated.length === 0) {
      console.log(`issues: ${issues}, workflows: ${perWorkflow.size}, executions per issue: exactly 1 ✓`);
    } else {
      console.log(`issues: ${issues}, workflows: ${perWorkflow.size}, executions: ${executions} ✗`);
      for (const [id, n] of repeated.slice(0, 10)) console.log(`  ${id}: ${n} executions`);
    }

    const rows = await database.db
      .selectFrom('webhookDeliveries')
      .select(['id', 'deliveries', 'outcome'])
      .where('repository', '=', REPOSITORY)
      .execute();
    const sentIds = new Set(measured.map((d) => d.id));
    const recordedIds = new Set(rows.map((r) => r.id));
    const missing = measured.filter((d) => !recordedIds.has(d.id)).length;
    const unknown = rows.filter((r) => !sentIds.has(r.id)).length;
    const counted = rows.filter((r) => r.deliveries !== 1);
    const recorded = new Map<string, number>();
    for (const row of rows) recorded.set(row.outcome, (recorded.get(row.outcome) ?? 0) + 1);
    const outcomeText = [...recorded.entries()].map(([outcome, n]) => `${outcome} ${n}`).join(', ');
    if (rows.length === deliveries && missing === 0 && unknown === 0 && counted.length === 0) {
      console.log(`deliveries recorded: ${rows.length} of ${deliveries}, each once ✓ (outcomes: ${outcomeText})`);
    } else {
      console.log(`deliveries recorded: ${rows.length} rows for ${deliveries} sent; missing ${missing}, unknown ${unknown}, recorded more than once ${counted.length} ✗ (outcomes: ${outcomeText})`);
    }

    // A steady stream: deliveries arrive at a fixed rate whatever the answers' latency (open loop).
    await settle();
    const rateStarted = performance.now();
    const stream = await loader.run({ url: api.url, connections: concurrency, rate: fixedRate }, steadyStream);
    const streamDrainedMs = await drained(RATE_REPOSITORY, rateStarted);
    console.log('');
    console.log(`at a fixed ${fixedRate} deliveries/s (open loop, ${deliveries} over ${issues} issues): acknowledgement p50 ${fmt(quantile(stream.latencies, 0.5))} ms, p99 ${fmt(quantile(stream.latencies, 0.99))} ms, max ${fmt(Math.max(...stream.latencies))} ms; sent in ${(stream.wallMs / 1000).toFixed(2)} s (${rate(stream).toFixed(0)}/s, ${statusText(stream)}); the inbox had handled all ${(Math.max(0, streamDrainedMs - stream.wallMs) / 1000).toFixed(2)} s after the last answer`);

    // Where the time goes: the receiver without Temporal (ping is acknowledged with 204).
    await settle();
    const ping = await loader.run({ url: api.url, connections: concurrency }, pings);
    console.log('');
    console.log(`signed ping deliveries (signature check, JSON parse, delivery lookup and record in the database; no Temporal): ${summary(ping)}`);
  } finally {
    await cleanUp();
  }
}

if (process.env[LOAD_GENERATOR]) {
  loadGenerator();
} else {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
