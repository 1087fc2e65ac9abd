/**
 * OpenTelemetry traces: HTTP request → Temporal client (start/signal) → workflow → each activity,
 * one trace. Off unless the standard OTEL_* variables ask for an exporter (or a test passes one):
 * without them no SDK is loaded or started, nothing is patched and the interceptors' spans are
 * no-ops. The SDK lives in tracing-sdk.ts, required only when tracing starts: loading it costs
 * every process ~0.3 s of CPU and ~20 MB resident that a process without tracing never uses.
 */
import type * as TracingSdk from './tracing-sdk';
import type { ActiveTracing, Tracing, TracingOptions } from './tracing-sdk';

export type { ActiveTracing, Tracing, TracingOptions } from './tracing-sdk';

const TRUE = /^(1|true|yes|on)$/i;

/** Tracing is on when OTEL_TRACES_EXPORTER names an exporter or an OTLP endpoint is set (and OTEL_SDK_DISABLED is not true). */
function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (TRUE.test(env.OTEL_SDK_DISABLED ?? '')) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (exporters.length) return !exporters.includes('none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let active: ActiveTracing | undefined;

/** The running tracing set-up of this process, if any (the worker's workflow-span sink reads it on every export). */
export function activeTracing(): ActiveTracing | undefined {
  return active;
}

/**
 * Starts tracing for this process when OTEL_* asks for it or `exporter` is given; otherwise returns
 * `{ enabled: false }` and does nothing. Call before serving requests or running the worker.
 */
export function startTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env;
  if (active) throw new Error('tracing is already started in this process');
  if (!options.exporter && !tracingRequested(env)) return { enabled: false, shutdown: () => Promise.resolve() };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing starts (see above)
  const { startSdk } = require('./tracing-sdk') as typeof TracingSdk;
  const started = startSdk(options, env, () => {
    active = undefined;
  });
  if (!started) return { enabled: false, shutdown: () => Promise.resolve() };
  active = started.active;
  return started.tracing;
}
