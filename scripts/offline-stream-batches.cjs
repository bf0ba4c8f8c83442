'use strict';

const { dirname, join } = require('node:path');

/**
 * Hands over every record read so far, up to `limit`, whenever the consumer has finished the
 * previous batch: what Lambda's poller does for a shard, one invocation at a time. Reading from
 * the shard's reader stops while `limit` records wait. What the streams plugin gets back is a pump
 * with the three methods it uses: `pipe` once, then `pause` and `resume` to stop and start.
 */
const batchLikeLambda = (source, limit) => {
  const waiting = [];
  let destination;
  let stopped = false;
  let busy = false;
  let ended = false;
  const pump = () => {
    if (!destination || stopped || busy) return;
    while (waiting.length < limit) {
      const chunk = source.read();
      if (chunk === null) break;
      waiting.push(...chunk);
    }
    if (waiting.length > 0) {
      busy = true;
      destination.write(waiting.splice(0, limit), (error) => {
        busy = false;
        if (!error) pump();
      });
    } else if (ended) {
      destination.end();
      destination = undefined;
    }
  };
  source.on('readable', pump);
  source.once('end', () => {
    ended = true;
    pump();
  });
  // Unhandled, as the plugin leaves its reader's errors: the local stack stops, nothing is skipped.
  source.on('error', (error) => destination?.destroy(error));
  return {
    pipe(consumer) {
      destination = consumer;
      // After the plugin's `pause()` that follows `pipe()` at once, as with a stream.
      process.nextTick(pump);
      return consumer;
    },
    pause() {
      stopped = true;
      return this;
    },
    resume() {
      stopped = false;
      pump();
      return this;
    },
  };
};

/**
 * serverless-offline-dynamodb-streams reads a shard ahead into up to a hundred small chunks (what
 * each poll found) and invokes the function once per chunk: under load the chunks queue up behind
 * invocations and the projection lag grows to tens of seconds, while each batch holds a handful
 * of records. Lambda instead hands over all that is waiting, up to the batch size. Loaded before
 * the streams plugin, this makes its reader do the same.
 */
const readStreamsInLambdaBatches = () => {
  const plugin = require.resolve('serverless-offline-dynamodb-streams');
  const readerPath = require.resolve('dynamodb-streams-readable', { paths: [dirname(plugin)] });
  if (require.cache[join(dirname(plugin), 'dynamodb-streams.js')]) {
    throw new Error('load offline-stream-batches before serverless-offline-dynamodb-streams');
  }
  const reader = require(readerPath);
  require.cache[readerPath].exports = (client, arn, options) =>
    batchLikeLambda(reader(client, arn, options), options.limit);
};

/**
 * The streams plugin keeps one position per stream and shard, which every function reading that
 * stream would share; Lambda keeps one per event source mapping. Each function's positions are
 * kept apart here, as `<function>@<stream>::<shard>` in the checkpoint file, so that the projector
 * and the publisher each resume where they themselves stopped.
 */
const checkpointPerFunction = () => {
  const plugin = require.resolve('serverless-offline-dynamodb-streams');
  const DynamodbStreams = require(join(dirname(plugin), 'dynamodb-streams.js'));
  const { _dynamodbStreamsEvent: readStream, _advanceCheckpoint: advance } =
    DynamodbStreams.prototype;
  DynamodbStreams.prototype._dynamodbStreamsEvent = function readStreamOfOneFunction(
    functionKey,
    ...rest
  ) {
    const prefix = `${functionKey}@`;
    const own = Object.create(this);
    Object.defineProperty(own, 'checkpointState', {
      get: () =>
        Object.fromEntries(
          Object.entries(this.checkpointState ?? {})
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, position]) => [key.slice(prefix.length), position]),
        ),
    });
    own._advanceCheckpoint = (streamArn, shardId, sequenceNumber) =>
      advance.call(this, `${prefix}${streamArn}`, shardId, sequenceNumber);
    return readStream.call(own, functionKey, ...rest);
  };
};

module.exports = { batchLikeLambda, checkpointPerFunction, readStreamsInLambdaBatches };
