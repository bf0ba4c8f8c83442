'use strict';

const { dirname, join, sep } = require('node:path');
const { pathToFileURL } = require('node:url');
const { InvokeStore, InvokeStoreBase } = require('@aws/lambda-invoke-store');

/** Where an invocation's own environment sits in its InvokeStore context. */
const ENVIRONMENT = Symbol('environment');

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
 * Runs each invocation of serverless-offline's in-process runner in its own async context, as
 * Lambda's runtime does when one environment serves concurrent invocations
 * (AWS_LAMBDA_MAX_CONCURRENCY): Powertools then keeps logger keys per invocation, and
 * `process.env` is the function's own. The runner fills that environment itself, by assigning
 * the function's variables to `process.env` as it starts.
 */
const runInvocationsApart = (InProcessRunner, store) => {
  environmentPerInvocation(store);
  keepInvokeStoreOnAwsLambda(store);
  const run = InProcessRunner.prototype.run;
  InProcessRunner.prototype.run = function runApart(event, context) {
    const invocation = {
      [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
      [ENVIRONMENT]: { AWS_LAMBDA_MAX_CONCURRENCY: '64' },
    };
    return store.run(invocation, () => run.call(this, event, context));
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
  runInvocationsApart(InProcessRunner, await InvokeStore.getInstanceAsync(true));
  return () => forgetBundles(join(serverless.serviceDir, '.esbuild'));
};

module.exports = { forgetBundles, runHandlersInProcess, runInvocationsApart };
