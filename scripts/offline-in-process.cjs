'use strict';

const http = require('node:http');
const https = require('node:https');
const { dirname, join, sep } = require('node:path');
const { pathToFileURL } = require('node:url');
const { InvokeStore, InvokeStoreBase } = require('@aws/lambda-invoke-store');

/** Where an invocation's own environment sits in its InvokeStore context. */
const ENVIRONMENT = Symbol('environment');
/** Set in an invocation's context once it is past its function's timeout. */
const TIMED_OUT = Symbol('timedOut');

/**
 * Makes `process.env` read and write the current invocation's own environment, and the real one
 * outside any invocation: with every handler in one process, a variable set for one function
 * must not show up in another (in Lambda each has its own process).
 */
const environmentPerInvocation = (store) => {
  const real = process.env;
  const current = () => store.getContext()?.[ENVIRONMENT] ?? real;
  process.env = new Proxy(real, {
    get: (_, name) => current()[name],
    set: (_, name, value) => {
      current()[name] = String(value);
      return true;
    },
    has: (_, name) => name in current(),
    deleteProperty: (_, name) => delete current()[name],
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_, name) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), name);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
};

/**
 * serverless-offline's in-process runner replaces `globalThis.awslambda` before each invocation;
 * Powertools finds the invocation store there, as it does under Lambda's own runtime.
 */
const keepInvokeStoreOnAwsLambda = (store) => {
  let awslambda = { InvokeStore: store };
  Object.defineProperty(globalThis, 'awslambda', {
    configurable: true,
    get: () => awslambda,
    set: (value) => {
      awslambda = { ...value, InvokeStore: store };
    },
  });
};

/**
 * Past its timeout Lambda stops an invocation where it is (the environment is frozen, then
 * replaced): nothing it had still to write is written. In one process the handler cannot be
 * stopped, but it can be cut off: every request it starts from then on fails at once, so a
 * function too slow for its timeout fails here as it does in AWS, instead of finishing late.
 */
const cutOffAfterTimeout = (store) => {
  for (const module of [http, https]) {
    for (const name of ['request', 'get']) {
      const send = module[name];
      module[name] = function sendUnlessTimedOut(...args) {
        if (store.getContext()?.[TIMED_OUT]) {
          throw new Error('the invocation is past its timeout: Lambda would have stopped it');
        }
        return send.apply(this, args);
      };
    }
  }
};

/**
 * Runs each invocation of serverless-offline's in-process runner in its own async context, as
 * Lambda's runtime does when one environment serves concurrent invocations
 * (AWS_LAMBDA_MAX_CONCURRENCY): Powertools then keeps logger keys per invocation, and
 * `process.env` is the function's own. The runner fills that environment itself, by assigning
 * the function's variables to `process.env` as it starts.
 */
const runInvocationsApart = (InProcessRunner, store, timeoutMsOf = () => undefined) => {
  environmentPerInvocation(store);
  keepInvokeStoreOnAwsLambda(store);
  cutOffAfterTimeout(store);
  const run = InProcessRunner.prototype.run;
  InProcessRunner.prototype.run = function runApart(event, context) {
    const invocation = {
      [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
      [ENVIRONMENT]: { AWS_LAMBDA_MAX_CONCURRENCY: '64' },
      [TIMED_OUT]: false,
    };
    const timeoutMs = timeoutMsOf(context.functionName);
    const timer =
      timeoutMs &&
      setTimeout(() => {
        invocation[TIMED_OUT] = true;
      }, timeoutMs);
    const running = store.run(invocation, () => run.call(this, event, context));
    const stopTimer = () => clearTimeout(timer);
    running.then(stopTimer, stopTimer);
    return running;
  };
};

/** After serverless-esbuild rebuilt the bundles, the next invocation loads the new ones. */
const forgetBundles = (folder) => {
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  for (const path of Object.keys(require.cache)) {
    if (path.startsWith(prefix)) delete require.cache[path];
  }
};

/**
 * The local stack runs every handler in the serverless-offline process (`useInProcess`) instead
 * of a worker thread per invocation in flight, each cold, reaped after a minute idle.
 */
const runHandlersInProcess = async (serverless) => {
  const offlineEntry = require.resolve('serverless-offline', { paths: [serverless.serviceDir] });
  const { default: InProcessRunner } = await import(
    pathToFileURL(
      join(dirname(offlineEntry), 'lambda/handler-runner/in-process-runner/InProcessRunner.js'),
    ).href
  );
  const { service } = serverless;
  const timeouts = new Map(
    service.getAllFunctions().map((key) => {
      const definition = service.getFunction(key);
      return [definition.name, (definition.timeout ?? service.provider.timeout ?? 6) * 1000];
    }),
  );
  runInvocationsApart(InProcessRunner, await InvokeStore.getInstanceAsync(true), (name) =>
    timeouts.get(name),
  );
  return () => forgetBundles(join(serverless.serviceDir, '.esbuild'));
};

module.exports = { forgetBundles, runHandlersInProcess, runInvocationsApart };
