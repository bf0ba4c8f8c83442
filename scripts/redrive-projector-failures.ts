import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { rebuildReadModels } from '../services/query-service/src/application/rebuild-read-models';
import { DynamoUserEvents } from '../services/query-service/src/infrastructure/dynamo-user-events';
import type { StageConfig } from './local-stack/tables';
import { repairingRestorer } from './projections/stage-projections';

/** What Lambda sends to a stream's on-failure destination: where the batch was, not its records. */
type FailureRecord = {
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    streamArn: string;
    batchSize: number;
  };
};

export type RedrivePlan = {
  messageId: string;
  shardId: string;
  records: number;
  /** The users whose events the batch held: each is rebuilt from the event store. */
  users: string[];
  /** Why the message cannot be redriven (its records left the stream after 24 hours, ...). */
  problem?: string;
  redriven?: boolean;
};

const PAGE = 1000;
/** A stream may answer empty pages before the next records of an open shard: this many in a row end the search. */
const EMPTY_PAGES = 20;

/**
 * The batch's records, read again from the stream while it still holds them (24 hours), and
 * whether the search reached the batch's last record (only then are its users known).
 */
export const usersInBatch = async (
  streams: DynamoDBStreamsClient,
  info: FailureRecord['DDBStreamBatchInfo'],
) => {
  const users = new Set<string>();
  let { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: info.streamArn,
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: info.startSequenceNumber,
    }),
  );
  let records = 0;
  let emptyPages = 0;
  const end = BigInt(info.endSequenceNumber);
  while (ShardIterator && emptyPages < EMPTY_PAGES) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: PAGE }));
    for (const record of page.Records ?? []) {
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > end) return { users, records, complete: true };
      records++;
      const userId = record.dynamodb?.Keys?.AggregateID?.S;
      if (userId) users.add(userId);
      if (sequence === end) return { users, records, complete: true };
    }
    emptyPages = (page.Records ?? []).length === 0 ? emptyPages + 1 : 0;
    ShardIterator = page.NextShardIterator;
  }
  return { users, records, complete: false };
};

/**
 * The projector's failure queue, applied again: for each message (a stream batch the projector
 * gave up on) the batch's users are found in the stream, and their read models rebuilt from the
 * event store, which the projector then keeps. A message is deleted only once every one of its
 * users was rebuilt; a dry run (the default) only says what it would do.
 */
export const redriveProjectorFailures = async (
  stage: StageConfig,
  { sqs, streams, queueUrl }: { sqs: SQSClient; streams: DynamoDBStreamsClient; queueUrl: string },
  { apply, maxMessages = 100 }: { apply: boolean; maxMessages?: number },
): Promise<RedrivePlan[]> => {
  const plans: RedrivePlan[] = [];
  const looked: Message[] = [];
  const events = new DynamoUserEvents(stage.client, stage.eventsTable);
  let emptyReceives = 0;
  while (plans.length < maxMessages && emptyReceives < 2) {
    // One at a time, so that none stays hidden past its visibility timeout while others are
    // rebuilt; a long poll, since a short one may answer nothing while messages exist.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        // Out of sight while handled (a dry run hands them back when it is done).
        VisibilityTimeout: 300,
        WaitTimeSeconds: 2,
      }),
    );
    const fresh = Messages.filter(({ MessageId }) => !plans.some((p) => p.messageId === MessageId));
    emptyReceives = fresh.length === 0 ? emptyReceives + 1 : 0;
    for (const message of fresh) {
      const plan: RedrivePlan = {
        messageId: message.MessageId as string,
        shardId: '',
        records: 0,
        users: [],
      };
      plans.push(plan);
      looked.push(message);
      try {
        const { DDBStreamBatchInfo: info } = JSON.parse(message.Body ?? '') as FailureRecord;
        plan.shardId = info.shardId;
        const { users, records, complete } = await usersInBatch(streams, info);
        plan.records = records;
        plan.users = [...users].sort();
        if (!complete) {
          plan.problem = `the stream gave ${records} of the batch's ${info.batchSize} records, not up to its last: run npm run rebuild`;
          continue;
        }
      } catch (error) {
        plan.problem = `its records cannot be read from the stream (${(error as Error).name}): run npm run rebuild`;
        continue;
      }
      if (!apply) continue;
      // Every projection version whose tables are kept, in write order: none may miss them.
      const report = await rebuildReadModels(
        {
          scanUsers: async (onUser) => {
            for (const userId of plan.users) await onUser(await events.history(userId));
          },
        },
        repairingRestorer(stage),
        stage.keys,
      );
      if (report.failedUsers.length > 0) {
        plan.problem = `not rebuilt: ${report.failedUsers.join('; ')}`;
        continue;
      }
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      plan.redriven = true;
    }
  }
  // What was not redriven is visible again at once, for the next run.
  for (const message of looked.filter((_, i) => !plans[i]?.redriven)) {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
  return plans;
};
