'use strict';

const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const jsonError = (statusCode, message) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

/**
 * Two things serverless-offline 14 and its streams plugin do unlike AWS, corrected around
 * LambdaFunction.runHandler (local runs only; nothing here reaches a deployed bundle):
 * - an HTTP API function that fails or times out is answered HTTP 200 with the error's stack
 *   trace in the body; API Gateway answers a JSON 502 (504 on a timeout) without either;
 * - a stream function's partial batch response (ReportBatchItemFailures) is ignored and the
 *   failed records dropped; Lambda retries them, so the batch fails here and is redelivered
 *   (the projector skips what it already applied).
 */
const behaveLikeAws = (LambdaFunction, kindOf, log) => {
  const runHandler = LambdaFunction.prototype.runHandler;
  LambdaFunction.prototype.runHandler = async function runHandlerLikeAws() {
    const kind = kindOf(this.functionName);
    let result;
    try {
      result = await runHandler.call(this);
    } catch (error) {
      if (kind !== 'http') throw error;
      const timedOut = /\[504\]/.test(String(error?.message));
      log(`${this.functionName} ${timedOut ? 'timed out' : `failed: ${error?.message}`}`);
      return timedOut
        ? jsonError(504, 'The function timed out')
        : jsonError(502, 'The function failed');
    }
    const failures = kind === 'stream' ? (result?.batchItemFailures ?? []) : [];
    if (failures.length > 0) {
      throw new Error(`${failures.length} record(s) reported failed; the batch is redelivered`);
    }
    return result;
  };
};

const patchServerlessOffline = async (serverless) => {
  const offlineEntry = require.resolve('serverless-offline', { paths: [serverless.serviceDir] });
  const { default: LambdaFunction } = await import(
    pathToFileURL(join(dirname(offlineEntry), 'lambda/LambdaFunction.js')).href
  );
  const kinds = new Map(
    serverless.service.getAllFunctions().map((key) => {
      const definition = serverless.service.getFunction(key);
      const events = definition.events ?? [];
      const kind = events.some((event) => event.httpApi)
        ? 'http'
        : events.some((event) => event.stream)
          ? 'stream'
          : 'other';
      return [definition.name, kind];
    }),
  );
  behaveLikeAws(
    LambdaFunction,
    (name) => kinds.get(name),
    (line) => serverless.cli.log(line),
  );
};

module.exports = { behaveLikeAws, patchServerlessOffline };
