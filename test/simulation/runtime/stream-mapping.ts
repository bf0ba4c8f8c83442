import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { SimulatedDynamoDB } from '../dynamodb';
import type { FaultPlan } from './faults';
import type { LambdaFunction } from './lambda';
import type { Random } from './random';

/** A batch Lambda gave up on (the mapping's on-failure destination): where it was. */
export type GivenUp = { shard: string; records: DynamoDBRecord[] };

type Shard = {
  id: string;
  records: DynamoDBRecord[];
  /** Index of the first record not yet done. */
  position: number;
  /** Failed tries of the batch at `position`. */
  retries: number;
  /** The batch's size after bisections. */
  size: number;
  busy: boolean;
};

export type MappingOptions = {
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  shards: number;
  /** How often a successful batch is delivered once more (at least once, not exactly once). */
  redeliveryChance: number;
  /** How often an invocation's environment dies mid-way (within its first 3 s), now. */
  crashChance: () => number;
};

const userOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.AggregateID?.S ?? '';

const hash = (text: string) => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

/**
 * A DynamoDB stream's event source mapping as Lambda runs it: records in shards (a user's records
 * in one shard, until a partition split sends its later ones to another, processed at the same
 * time), one batch per shard at a time, in order; a batch's reported failures delivered again
 * from the lowest one; a failed or timed-out invocation retried, bisected; after
 * `maximumRetryAttempts` the batch goes to the failure destination and the shard moves on.
 */
export class StreamMapping {
  private readonly shards = new Map<string, Shard>();
  private readonly splitUsers = new Map<string, string>();
  private after: string | undefined;
  private splits = 0;
  readonly givenUp: GivenUp[] = [];
  readonly delivered = { batches: 0, redelivered: 0 };
  /** Told when an invocation took a batch, and when it ended (for the checks). */
  onBatch?: (
    records: DynamoDBRecord[],
    answered: DynamoDBBatchResponse | undefined,
    startedAt: number,
  ) => void;

  constructor(
    private readonly dynamodb: SimulatedDynamoDB,
    private readonly table: string,
    private readonly fn: LambdaFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>,
    private readonly options: MappingOptions,
    private readonly random: Random,
    private readonly planOf: () => FaultPlan,
  ) {}

  /** The user's records from now on go to a shard of their own, beside the old one (a split). */
  split(userId: string) {
    this.splitUsers.set(userId, `split-${++this.splits}`);
  }

  /** Takes in the stream's new records and starts a batch on every idle shard that has work. */
  poll(): Promise<void>[] {
    for (const record of this.dynamodb.streamRecords(this.table, this.after)) {
      this.after = record.dynamodb?.SequenceNumber;
      const user = userOf(record);
      const id = this.splitUsers.get(user) ?? `shard-${hash(user) % this.options.shards}`;
      const shard = this.shards.get(id) ?? this.newShard(id);
      shard.records.push(record);
    }
    return [...this.shards.values()]
      .filter((shard) => !shard.busy && shard.position < shard.records.length)
      .map((shard) => this.process(shard));
  }

  /** Where each shard is, for a run that does not come to rest. */
  state() {
    return [...this.shards.values()].map(({ id, records, position, retries, busy }) => ({
      id,
      records: records.length,
      position,
      retries,
      busy,
    }));
  }

  /** Whether every record taken in so far is done (or given up). */
  get drained() {
    return [...this.shards.values()].every(
      (shard) => !shard.busy && shard.position >= shard.records.length,
    );
  }

  private newShard(id: string): Shard {
    const shard: Shard = {
      id,
      records: [],
      position: 0,
      retries: 0,
      size: this.options.batchSize,
      busy: false,
    };
    this.shards.set(id, shard);
    return shard;
  }

  private async process(shard: Shard) {
    shard.busy = true;
    try {
      const batch = shard.records.slice(shard.position, shard.position + shard.size);
      this.delivered.batches++;
      const startedAt = Date.now();
      const crashAfter = this.random.chance(this.options.crashChance())
        ? this.random.integer(0, 3000)
        : undefined;
      const outcome = await this.fn.invoke({ Records: batch }, this.planOf(), crashAfter);
      const answer = outcome.kind === 'answered' ? outcome.value : undefined;
      this.onBatch?.(batch, answer, startedAt);
      if (!answer) return this.failed(shard, batch, true);
      const failures = new Set((answer.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      const first = batch.findIndex((record) =>
        failures.has(record.dynamodb?.SequenceNumber as string),
      );
      if (first === -1) {
        if (this.random.chance(this.options.redeliveryChance)) {
          this.delivered.redelivered++;
          return; // delivered again: the shard does not move on this time
        }
        return this.done(shard, batch.length);
      }
      // Delivered again from the first failure on; what came before it is done.
      if (first > 0) this.done(shard, first);
      else this.failed(shard, batch, false);
    } finally {
      shard.busy = false;
    }
  }

  private done(shard: Shard, count: number) {
    shard.position += count;
    shard.retries = 0;
    shard.size = this.options.batchSize;
  }

  private failed(shard: Shard, batch: DynamoDBRecord[], functionError: boolean) {
    shard.retries++;
    if (shard.retries > this.options.maximumRetryAttempts) {
      this.givenUp.push({ shard: shard.id, records: batch });
      this.done(shard, batch.length);
      return;
    }
    if (functionError && this.options.bisectBatchOnFunctionError && batch.length > 1) {
      shard.size = Math.ceil(batch.length / 2);
    }
  }
}
