'use strict';

const { dirname, join } = require('node:path');
const { Readable, Writable } = require('node:stream');

/**
 * Hands over every record read so far, up to `limit`, whenever the consumer has finished the
 * previous batch: what Lambda's poller does for a shard, one invocation at a time. Reading from
 * the shard stops while `limit` records wait, so a backlog stays in DynamoDB, not in memory.
 */
const batchLikeLambda = (source, limit) => {
  const waiting = [];
  let awaitingData = false;
  let ended = false;
  const batches = new Readable({ objectMode: true, highWaterMark: 0, read: () => take() });
  const take = () => {
    while (waiting.length < limit) {
      const chunk = source.read();
      if (chunk === null) break;
      waiting.push(...chunk);
    }
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
    // 'readable' fires once more at the end, before 'end': answer a consumer still waiting.
    if (awaitingData) {
      awaitingData = false;
      take();
    }
  });
  source.on('error', (error) => batches.destroy(error));
  // The consumer's own buffer (16 batches by default) would take batches while it is still busy
  // with one: a relay that holds one batch at a time makes it ask only when it is done.
  batches.pipe = (destination, options) => {
    const relay = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write: (batch, _encoding, done) => destination.write(batch, done),
      final: (done) => {
        destination.end();
        done();
      },
    });
    Readable.prototype.pipe.call(batches, relay, options);
    return destination;
  };
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
  if (require.cache[join(dirname(plugin), 'dynamodb-streams.js')]) {
    throw new Error('load offline-stream-batches before serverless-offline-dynamodb-streams');
  }
  const reader = require(readerPath);
  require.cache[readerPath].exports = (client, arn, options) =>
    batchLikeLambda(reader(client, arn, options), options.limit);
};

module.exports = { batchLikeLambda, readStreamsInLambdaBatches };
