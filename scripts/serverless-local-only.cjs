'use strict';

require('./require-node.cjs');
const { runHandlersInProcess } = require('./offline-in-process.cjs');
const { teeMetrics } = require('./offline-metrics-tee.cjs');
const { patchServerlessOffline } = require('./offline-like-aws.cjs');
const {
  checkpointPerFunction,
  readStreamsInLambdaBatches,
} = require('./offline-stream-batches.cjs');

// Before the streams plugin (listed after this one) loads its reader.
readStreamsInLambdaBatches();
checkpointPerFunction();

/**
 * The rules of the stage's event bus, as the functions' `eventBridge` events declare them, handed
 * to the local bus (scripts/local-stack/local-bus.ts) that `npm start` runs beside the stack.
 */
const registerBusRules = async (serverless) => {
  const rules = serverless.service.getAllFunctions().flatMap((key) => {
    const definition = serverless.service.getFunction(key);
    return (definition.events ?? [])
      .filter((event) => event.eventBridge)
      .map(({ eventBridge }) => ({
        bus: eventBridge.eventBus,
        functionName: definition.name,
        pattern: eventBridge.pattern,
        maximumRetryAttempts: eventBridge.retryPolicy?.maximumRetryAttempts,
        functionRetryAttempts: definition.maximumRetryAttempts,
      }));
  });
  const response = await fetch(
    `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}/local/bus/rules`,
    { method: 'POST', body: JSON.stringify(rules) },
  );
  if (!response.ok) throw new Error(`the local bus refused its rules: ${response.status}`);
};

/**
 * Plugin for the root serverless.yml, which only composes both services for local runs:
 * it refuses any stage but `local` and any deploy/remove, sets the local stream poll interval
 * and retry budget (the first is a key the schema of a deployable service would reject), and
 * makes functions behave as in AWS where serverless-offline does not (offline-like-aws.cjs), and
 * runs every handler in one process, each invocation apart (offline-in-process.cjs).
 */
class LocalOnly {
  constructor(serverless, options, { log }) {
    const refuse = (what) => () => {
      throw new serverless.classes.Error(
        `The root serverless.yml only runs locally; ${what} from services/<name> or with "npm run deploy".`,
      );
    };
    let forgetBundles = () => {};
    this.hooks = {
      initialize: () => {
        const stage = options.stage ?? serverless.service.provider.stage;
        if (stage !== 'local') {
          throw new serverless.classes.Error(
            `The root serverless.yml runs only the "local" stage (got "${stage}"). Deploy a stage from services/<name> or with "npm run deploy -- --stage ${stage}".`,
          );
        }
      },
      'before:deploy:deploy': refuse('deploy'),
      'before:deploy:function:initialize': refuse('deploy'),
      'before:remove:remove': refuse('remove'),
      // serverless-esbuild announces rebuilt bundles so: the next invocation loads them.
      'offline:functionsUpdated:cleanup': () => forgetBundles(),
      'offline:start:init': async () => {
        await patchServerlessOffline(serverless, log);
        forgetBundles = await runHandlersInProcess(serverless);
        await registerBusRules(serverless);
        teeMetrics(`http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}/local/metrics`);
        const { streamReadInterval, streamRetryAttempts } =
          serverless.service.custom.localOnly ?? {};
        for (const name of serverless.service.getAllFunctions()) {
          for (const event of serverless.service.getFunction(name).events ?? []) {
            if (event.stream && typeof event.stream === 'object') {
              event.stream.readInterval = streamReadInterval;
              event.stream.maximumRetryAttempts = streamRetryAttempts;
            }
          }
        }
      },
    };
  }
}

module.exports = LocalOnly;
