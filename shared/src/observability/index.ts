import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { currentSegment, traceHandler } from './tracing';

export { annotate, traceClient } from './tracing';

/**
 * One Metrics and one Tracer (./tracing) per function (Powertools). Metrics go out as CloudWatch embedded
 * metric format in the function's log (no API call, no permission), under the stage's namespace
 * (POWERTOOLS_METRICS_NAMESPACE) with the service as dimension. Dimensions are always bounded
 * values (event types, refusal codes, operations): never a user id, never personal data.
 */
export const metrics = new Metrics();

export { MetricUnit };

/**
 * One Metrics per set of dimension values, made on first use and kept (dimensions are closed
 * lists, so the set stays small). Powertools' `singleMetric()` builds a new Metrics for every
 * count, its console and its settings read from the environment: 7% of a command's CPU
 * (docs/benchmarks.md).
 */
const metricsByDimensions = new Map<string, Metrics>();

/**
 * A count with dimensions of its own, written with the invocation's other metrics: a line per set
 * of dimension values, each holding up to 100 values of a name (Powertools writes the line early
 * when a name reaches 100). A projector batch opening 1,000 users' keys writes about 20 lines, not
 * 2,000 as a line per count did.
 */
export const countWith = (name: string, dimensions: Record<string, string>, value = 1) => {
  const key = JSON.stringify(dimensions);
  let withDimensions = metricsByDimensions.get(key);
  if (!withDimensions) {
    withDimensions = new Metrics({ defaultDimensions: dimensions });
    metricsByDimensions.set(key, withDimensions);
  }
  withDimensions.addMetric(name, MetricUnit.Count, value);
};

/** A count under the service dimension alone, written with the invocation's other metrics. */
export const count = (name: string, value = 1) => {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
};

/** Milliseconds from when each event occurred to now: how far behind this step is. */
export const recordLag = (name: string, occurredAt: Iterable<string>, now = Date.now()) => {
  for (const at of occurredAt) {
    const since = now - Date.parse(at);
    if (Number.isFinite(since))
      metrics.addMetric(name, MetricUnit.Milliseconds, Math.max(0, since));
  }
};

/**
 * X-Ray indexes at most 50 annotations per trace: a batch's first 50 ids are findable in X-Ray;
 * every id of a batch is in the function's log lines (`correlation_id`) for Logs Insights.
 */
const MAX_CORRELATED = 50;

/**
 * Makes a request findable in X-Ray by its correlation id (`annotation.correlation_id = "..."`)
 * on every function that handled it: one annotation on a request's segment, one tiny subsegment
 * per id on a stream batch's (which carries many requests).
 */
export const annotateCorrelation = (correlationIds: Iterable<string>) => {
  const parent = currentSegment();
  if (!parent) return;
  for (const id of [...new Set(correlationIds)].slice(0, MAX_CORRELATED)) {
    const subsegment = parent.addNewSubsegment('correlation');
    subsegment.addAnnotation('correlation_id', id);
    subsegment.close();
  }
};

/** Flushes what the invocation recorded; nothing (not even a warning) when it recorded nothing. */
const publishMetrics = () => {
  for (const recorded of [metrics, ...metricsByDimensions.values()]) {
    if (recorded.hasStoredMetrics()) recorded.publishStoredMetrics();
  }
};

/**
 * How long before its timeout an invocation flushes what it recorded so far. Middy ends a handler
 * that runs past its time 5 ms early, through `onError`; this covers what that race does not (a
 * `before` that overruns, an event loop blocked at the end), where the counts would be lost.
 */
const FLUSH_BEFORE_TIMEOUT_MS = 500;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Each running invocation's flush ahead of its timeout (concurrent ones share the module). */
const flushesAhead = new WeakMap<object, NodeJS.Timeout>();

const finish = (request: object) => {
  clearTimeout(flushesAhead.get(request));
  publishMetrics();
};

/**
 * What every function's Middy pipeline starts with: its trace (./tracing), a ColdStart count per
 * function, and the invocation's metrics flushed whatever the outcome, a timeout included.
 */
export const observeInvocation = <TEvent = unknown, TResult = unknown>(): MiddlewareObj<
  TEvent,
  TResult,
  Error,
  Context
>[] => [
  ...traceHandler<TEvent, TResult, Context>(),
  {
    before: (request) => {
      const { context } = request;
      metrics.captureColdStartMetric(context.functionName);
      if (typeof context.getRemainingTimeInMillis !== 'function') return;
      const flushAt = context.getRemainingTimeInMillis() - FLUSH_BEFORE_TIMEOUT_MS;
      // Past what a timer can wait (or no number): no early flush, rather than one at once.
      if (!Number.isFinite(flushAt) || flushAt > MAX_TIMER_MS) return;
      const timer = setTimeout(publishMetrics, Math.max(0, flushAt));
      timer.unref();
      flushesAhead.set(request, timer);
    },
    after: finish,
    onError: finish,
  },
];
