import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { usersInBatch } from './redrive-projector-failures';

/**
 * DynamoDB Streams in AWS may answer empty pages before the next records of an open shard, which
 * DynamoDB Local never does: a stand-in that answers the given pages, then empty ones forever.
 */
const streamAnswering = (pages: { sequence: number; userId: string }[][]) => {
  let next = 0;
  return {
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'GetShardIteratorCommand') return { ShardIterator: 'it' };
      const page = pages[next++] ?? [];
      return {
        Records: page.map(({ sequence, userId }) => ({
          dynamodb: { SequenceNumber: String(sequence), Keys: { AggregateID: { S: userId } } },
        })),
        NextShardIterator: 'it',
      };
    },
  } as unknown as DynamoDBStreamsClient;
};

const batch = { shardId: 's', streamArn: 'arn', startSequenceNumber: '1', batchSize: 3 };

describe("finding a failed batch's users in the stream again", () => {
  it('reads past empty pages up to the batch’s last record', async () => {
    const streams = streamAnswering([
      [{ sequence: 1, userId: 'a' }],
      [],
      [],
      [
        { sequence: 2, userId: 'b' },
        { sequence: 3, userId: 'c' },
        { sequence: 4, userId: 'later' },
      ],
    ]);
    const found = await usersInBatch(streams, { ...batch, endSequenceNumber: '3' });
    expect(found).toEqual({ users: new Set(['a', 'b', 'c']), records: 3, complete: true });
  });

  it('says so when the stream never reaches the batch’s last record', async () => {
    const streams = streamAnswering([[{ sequence: 1, userId: 'a' }]]);
    const found = await usersInBatch(streams, { ...batch, endSequenceNumber: '3' });
    expect(found).toMatchObject({ records: 1, complete: false });
  });
});
