/**
 * The OpenTelemetry SDK side of tracing.ts, required by it only when tracing starts.
 *
 * Versions: @opentelemetry/sdk-node 0.57 with sdk-trace-base/resources 1.30 — the OTel 1.x line
 * @temporalio/interceptors-opentelemetry 1.24 is built against (2.x changes the span and resource
 * types the interceptors hand over).
 */
// The modules themselves (not an ES namespace copy): the patch must change the objects everyone uses.
import http = require('node:http');
import https = require('node:https');
import { context, diag, DiagLogLevel, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import type { InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { detectResourcesSync, envDetectorSync, hostDetectorSync, processDetectorSync, Resource, type IResource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import { rootLogger } from './logger';

/* The types are here, not in tracing.ts, so that it imports this module's types and never the reverse. */
export interface TracingOptions {
  /** service.name (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  /** Export here (tests: an InMemorySpanExporter), synchronously, whatever the environment says. */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

export interface Tracing {
  enabled: boolean;
  /** Flushes and stops the exporter, removes the HTTP patches and the global OTel registrations. */
  shutdown(): Promise<void>;
}

export interface ActiveTracing {
  /** Receives the workflow spans the worker's sink brings out of the workflow sandbox. */
  processor: SpanProcessor;
  resource: IResource;
}

/** Paths whose requests are not traced: scrapes and probes, many per minute, say nothing about runs. */
const UNTRACED_PATHS = new Set(['/metrics', '/api/health']);

/**
 * The exporters OTEL_TRACES_EXPORTER names (default otlp): `otlp` over OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL
 * (http/protobuf by default, http/json, grpc), `console`. The OTLP exporters read their endpoint,
 * headers, timeout and compression from the standard OTEL_EXPORTER_OTLP_* variables themselves.
 */
function spanExportersFromEnv(env: NodeJS.ProcessEnv = process.env): SpanExporter[] {
  const names = [...new Set((env.OTEL_TRACES_EXPORTER || 'otlp').split(',').map((name) => name.trim()).filter(Boolean))];
  const exporters: SpanExporter[] = [];
  for (const name of names) {
    if (name === 'none') continue;
    if (name === 'console') exporters.push(new ConsoleSpanExporter());
    else if (name === 'otlp') exporters.push(otlpExporter(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf'));
    else rootLogger().warn({ component: 'otel' }, `OTEL_TRACES_EXPORTER=${name} is not supported (use otlp or console); ignored`);
  }
  return exporters;
}

function otlpExporter(protocol: string): SpanExporter {
  // Loaded on demand, only the one asked for: the gRPC exporter pulls in @grpc/grpc-js.
  switch (protocol) {
    case 'grpc':
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
      return new (require('@opentelemetry/exporter-trace-otlp-grpc') as typeof OtlpGrpc).OTLPTraceExporter();
    case 'http/json':
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
      return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp).OTLPTraceExporter();
    default:
      if (protocol !== 'http/protobuf') rootLogger().warn({ component: 'otel' }, `OTLP protocol ${protocol} is not supported; using http/protobuf`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
      return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto).OTLPTraceExporter();
  }
}

/** Hands each finished span to every processor (the workflow-span sink needs one processor). */
class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}
  onStart(span: Span, parentContext: Parameters<SpanProcessor['onStart']>[1]): void {
    for (const p of this.processors) p.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

/** OTel's own diagnostics (export failures and the like) as JSON log lines. */
function diagnosticsLogger(): DiagLogger {
  const log = () => rootLogger().child({ component: 'otel' });
  return {
    error: (message, ...args) => log().error({ args }, message),
    warn: (message, ...args) => log().warn({ args }, message),
    info: (message, ...args) => log().debug({ args }, message),
    debug: (message, ...args) => log().trace({ args }, message),
    verbose: (message, ...args) => log().trace({ args }, message),
  };
}

/**
 * Patches node's http/https server and client with the HTTP instrumentation, directly rather than
 * through a require hook: it works whatever was loaded before tracing started (the embedded stack
 * loads Express first) and under Jest, whose module system bypasses require hooks.
 */
function patchHttp(): () => void {
  const instrumentation = new HttpInstrumentation({
    enabled: false, // no require hook: patched below
    ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
    requireParentforOutgoingSpans: true,
  });
  const modules: Record<string, unknown> = { http, https };
  const patched: { definition: InstrumentationModuleDefinition; exports: unknown }[] = [];
  for (const definition of instrumentation.getModuleDefinitions()) {
    const exports = modules[definition.name];
    if (!exports || !definition.patch) continue;
    definition.patch(exports);
    patched.push({ definition, exports });
  }
  return () => {
    for (const { definition, exports } of patched) definition.unpatch?.(exports);
  };
}

/** Starts the SDK with the exporters `options` or the environment name; undefined when they name none. */
export function startSdk(options: TracingOptions, env: NodeJS.ProcessEnv, onShutdown: () => void): { tracing: Tracing; active: ActiveTracing } | undefined {
  const processorFor = (exporter: SpanExporter): SpanProcessor =>
    exporter instanceof ConsoleSpanExporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const processors = options.exporter ? [new SimpleSpanProcessor(options.exporter)] : spanExportersFromEnv(env).map(processorFor);
  if (processors.length === 0) return undefined;

  diag.setLogger(diagnosticsLogger(), DiagLogLevel.WARN);
  const serviceName = env.OTEL_SERVICE_NAME || options.serviceName;
  const resource = Resource.default()
    .merge(detectResourcesSync({ detectors: [envDetectorSync, processDetectorSync, hostDetectorSync] }))
    .merge(new Resource({ [ATTR_SERVICE_NAME]: serviceName }));
  const processor = new FanOutSpanProcessor(processors);
  const sdk = new NodeSDK({ resource, autoDetectResources: false, spanProcessors: [processor], instrumentations: [] });
  sdk.start();
  const unpatchHttp = patchHttp();
  rootLogger().debug({ component: 'otel', serviceName, exporters: processors.length }, 'tracing started');

  let stopped: Promise<void> | undefined;
  const tracing: Tracing = {
    enabled: true,
    shutdown: () =>
      (stopped ??= (async () => {
        unpatchHttp();
        onShutdown();
        try {
          await sdk.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })()),
  };
  return { tracing, active: { processor, resource } };
}
