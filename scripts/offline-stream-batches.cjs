'use strict';

const { dirname } = require('node:path');
const { Readable } = require('node:stream');

/**
 * Hands over every record read so far, up to `limit`, whenever the consumer is ready for the
 * next batch: what Lambda's poller does for a shard, one invocation at a time.
 */
const batchLikeLambda = (source, limit) => {
  const waiting = [];
  let awaitingData = false;
  let ended = false;
  const batches = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read: () => take(),
  });
  const take = () => {
    for (let chunk = source.read(); chunk !== null; chunk = source.read()) waiting.push(...chunk);
    if (waiting.length > 0) {
      batches.push(waiting.splice(0, limit));
    } else if (ended) {
      batches.push(null);
    } else if (!awaitingData) {
      awaitingData = true;
      source.once('readable', () => {
        awaitingData = false;
        take();
      });
    }
  };
  source.once('end', () => {
    ended = true;
  });
  source.on('error', (error) => batches.destroy(error));
  return batches;
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
  const reader = require(readerPath);
  require.cache[readerPath].exports = (client, arn, options) =>
    batchLikeLambda(reader(client, arn, options), options.limit);
};

module.exports = { batchLikeLambda, readStreamsInLambdaBatches };
