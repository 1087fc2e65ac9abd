/**
 * Temporal's OpenTelemetry interceptors, wired once for every client and worker:
 * - client: `StartWorkflow:generateTests` / `SignalWithStartWorkflow:…` spans, whose context
 *   travels to the workflow in its headers;
 * - workflow (inside the sandbox, part of the workflow bundle): `RunWorkflow:generateTests` and a
 *   `StartActivity:<stage>` span per scheduled activity; the sandbox cannot export, so its spans
 *   leave through the `exporter` sink into this process's span processor;
 * - activity: `RunActivity:<stage>` around each attempt, child of its `StartActivity` span.
 * With tracing off the spans are no-ops and the sink drops what the sandbox hands it.
 */
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { activeTracing } from './tracing';

/**
 * Workflow interceptor modules: bundled with the workflows (`bundleWorkflowCode({ workflowInterceptorModules })`,
 * or `interceptors.workflowModules` when the worker bundles itself). A bundle built with them
 * replays histories recorded without them and the reverse: they add no commands.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** Interceptors for a Temporal Client (the API's, the CLI's): trace context into the workflow's headers. */
export function clientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** Activity interceptors for a worker (spans per attempt; trace ids on the SDK's activity log lines). */
export function workerInterceptors(): Required<Pick<WorkerInterceptors, 'activity'>> {
  return {
    activity: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
  };
}

/**
 * The sink the workflow interceptors export their spans through. It looks up the running tracing
 * set-up on every call, so a worker created before tracing started still exports, and one running
 * without tracing drops the spans. Not called during replay.
 */
export function workflowTracingSinks(): InjectedSinks<OpenTelemetrySinks> {
  let exporter: { processor: unknown; sink: ReturnType<typeof makeWorkflowExporter> } | undefined;
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const tracing = activeTracing();
          if (!tracing) return;
          if (exporter?.processor !== tracing.processor) {
            exporter = { processor: tracing.processor, sink: makeWorkflowExporter(tracing.processor, tracing.resource) };
          }
          return exporter.sink.export.fn(info, spans);
        },
        callDuringReplay: false,
      },
    },
  };
}
