'use strict';

const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const jsonError = (statusCode, message) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

/**
 * What API Gateway answers when a function fails or times out, instead of what
 * serverless-offline 14 answers for an HTTP API (payload 2.0): HTTP 200 with the error's stack
 * trace in the body. Stream-triggered functions still see the error (their retries depend on it).
 */
const answerLikeApiGateway = (LambdaFunction, isHttpFunction, log) => {
  const runHandler = LambdaFunction.prototype.runHandler;
  LambdaFunction.prototype.runHandler = async function runHandlerAnsweringJson() {
    try {
      return await runHandler.call(this);
    } catch (error) {
      if (!isHttpFunction(this.functionName)) throw error;
      const timedOut = /\[504\]/.test(String(error?.message));
      log(`${this.functionName} ${timedOut ? 'timed out' : `failed: ${error?.message}`}`);
      return timedOut
        ? jsonError(504, 'The function timed out')
        : jsonError(502, 'The function failed');
    }
  };
};

const patchServerlessOffline = async (serverless) => {
  const offlineEntry = require.resolve('serverless-offline', { paths: [serverless.serviceDir] });
  const { default: LambdaFunction } = await import(
    pathToFileURL(join(dirname(offlineEntry), 'lambda/LambdaFunction.js')).href
  );
  const httpFunctions = new Set(
    serverless.service
      .getAllFunctions()
      .map((key) => serverless.service.getFunction(key))
      .filter((definition) => (definition.events ?? []).some((event) => event.httpApi))
      .map((definition) => definition.name),
  );
  answerLikeApiGateway(
    LambdaFunction,
    (name) => httpFunctions.has(name),
    (line) => serverless.cli.log(line),
  );
};

module.exports = { answerLikeApiGateway, patchServerlessOffline };
