import { Readable, Writable } from 'node:stream';
import { batchLikeLambda } from './offline-stream-batches.cjs';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shard read as dynamodb-streams-readable reads it: one chunk of records per poll. */
const shard = () => {
  const source = new Readable({ objectMode: true, highWaterMark: 100, read: () => {} });
  let next = 0;
  return {
    source,
    poll: (records: number) => source.push(Array.from({ length: records }, () => next++)),
    close: () => source.push(null),
  };
};

/** The plugin's consumer: a default object-mode Writable whose handler takes `ms` per batch. */
const slowConsumer = (ms: number) => {
  const batches: number[][] = [];
  const consumer = new Writable({
    objectMode: true,
    write: (batch: number[], _encoding, done) => {
      batches.push(batch);
      setTimeout(done, ms);
    },
  });
  const finished = new Promise((resolve) => consumer.on('finish', resolve));
  return { consumer, batches, finished };
};

describe('stream batches like Lambda', () => {
  it('hands over everything read while the consumer was busy, in order, and ends', async () => {
    const { source, poll, close } = shard();
    const { consumer, batches, finished } = slowConsumer(100);
    batchLikeLambda(source, 1000).pipe(consumer);
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      poll(2);
      await pause(10);
    }
    const polledMs = Date.now() - started;
    close();
    await finished;

    expect(batches.flat()).toEqual(Array.from({ length: 80 }, (_, i) => i));
    // 40 polls over a 100 ms handler: one invocation per 100 ms of polling (~400 ms, longer on a
    // busy machine) and the last, not one per poll.
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(polledMs / 100) + 2);
    expect(batches.length).toBeLessThan(20);
  });

  it('never hands over more than the batch size, and keeps the rest in the shard', async () => {
    const { source, poll, close } = shard();
    for (let i = 0; i < 50; i++) poll(100);
    close();
    const { consumer, batches, finished } = slowConsumer(1);
    batchLikeLambda(source, 1000).pipe(consumer);
    await finished;

    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(batches.flat()).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('ends when the shard ends while the consumer waits for records', async () => {
    const { source, poll, close } = shard();
    const { consumer, batches, finished } = slowConsumer(1);
    batchLikeLambda(source, 10).pipe(consumer);
    poll(3);
    await pause(20);
    close();
    await finished;

    expect(batches).toEqual([[0, 1, 2]]);
  });

  it('hands over nothing while paused (the plugin stopping), and carries on when resumed', async () => {
    const { source, poll, close } = shard();
    const { consumer, batches, finished } = slowConsumer(50);
    const pump = batchLikeLambda(source, 1000);
    pump.pipe(consumer);
    const polling = (async () => {
      for (let i = 0; i < 30; i++) {
        poll(2);
        await pause(10);
      }
    })();
    await pause(100);
    pump.pause();
    await pause(60); // the batch in hand is finished
    const handedOver = batches.length;
    await polling;
    expect(batches.length).toBe(handedOver);

    pump.resume();
    close();
    await finished;
    expect(batches.flat()).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });
});
