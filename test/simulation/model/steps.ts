import fc from 'fast-check';

/** Users of one run: few, so that commands, versions and erasures keep meeting on them. */
export const USERS = 4;

export type CommandKind =
  | 'create'
  | 'balance'
  | 'update'
  | 'delete'
  | 'erase'
  | 'requestErasure'
  | 'cancelErasure';

/** What a step does; `after` is how long (virtual ms) after the previous step it starts. */
export type Step = { after: number } & (
  | {
      kind: 'command';
      user: number;
      command: CommandKind;
      delta: number;
      keyed: boolean;
      /** The share of this command's requests (to DynamoDB and KMS) that meet a fault. */
      faults: number;
      seed: number;
    }
  | {
      kind: 'read';
      user: number;
      /** `erasures`: the user's erasure receipt, by path or by query, drawn from `seed`. */
      route: 'detail' | 'detailAt' | 'history' | 'list' | 'erasures';
      seed: number;
    }
  /** The stream's partition of this user splits: its next records go to a shard of their own. */
  | { kind: 'split'; user: number; stream: 'projector' | 'publisher' }
  /** A table refuses every request for a while (a hot partition, or a slow version's table). */
  | { kind: 'throttle'; table: ThrottledTable; forMs: number }
  | { kind: 'operator'; action: OperatorAction }
);

/** `schedules`: the erasures' schedule group, contended (creations conflict, lookups throttled). */
export type ThrottledTable =
  | 'history-v2'
  | 'detail-v2'
  | 'history'
  | 'recent-events'
  | 'events'
  | 'schedules';

export type OperatorAction =
  | { kind: 'build'; version: 2 }
  | { kind: 'switch'; version: 1 | 2 }
  | { kind: 'drop'; version: 1 | 2; deleteTables: boolean }
  | { kind: 'rebuild' }
  | { kind: 'redrive' };

const user = fc.integer({ min: 0, max: USERS - 1 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const after = fc.integer({ min: 0, max: 400 });

const command = fc.record({
  after,
  kind: fc.constant('command' as const),
  user,
  command: fc.constantFrom<CommandKind>(
    'create',
    'create',
    'balance',
    'balance',
    'balance',
    'balance',
    'update',
    'update',
    'delete',
    'erase',
    'erase',
    'requestErasure',
    'requestErasure',
    'cancelErasure',
  ),
  delta: fc.integer({ min: -40, max: 60 }).filter((delta) => delta !== 0),
  keyed: fc.boolean(),
  faults: fc.constantFrom(0, 0, 0.1, 0.3),
  seed,
});

const read = fc.record({
  after,
  kind: fc.constant('read' as const),
  user,
  route: fc.constantFrom(
    'detail' as const,
    'detail' as const,
    'detailAt' as const,
    'history' as const,
    'list' as const,
    'erasures' as const,
  ),
  seed,
});

const operatorAction: fc.Arbitrary<OperatorAction> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'build' as const, version: 2 as const }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(1 as const, 2 as const)
      .map((version) => ({ kind: 'switch' as const, version })),
  },
  {
    // Mostly with the tables kept, as a stage does until they are deleted by hand.
    weight: 2,
    arbitrary: fc
      .record({
        version: fc.constantFrom(1 as const, 2 as const),
        deleteTables: fc.constantFrom(false, false, false, true),
      })
      .map((drop) => ({ kind: 'drop' as const, ...drop })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'rebuild' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'redrive' as const }) },
);

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: command },
  { weight: 5, arbitrary: read },
  {
    weight: 3,
    arbitrary: fc.record({
      after,
      kind: fc.constant('split' as const),
      user,
      stream: fc.constantFrom('projector' as const, 'publisher' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      after,
      kind: fc.constant('throttle' as const),
      table: fc.constantFrom<ThrottledTable>(
        'history-v2',
        'detail-v2',
        'history',
        'recent-events',
        'schedules',
      ),
      forMs: fc.integer({ min: 200, max: 15_000 }),
    }),
  },
  {
    // The event store's partitions recover within seconds (adaptive capacity): a table refusing
    // everything for longer than a function's time leaves a write's outcome unknown to anyone
    // (docs/guarantees.md, what is not promised).
    weight: 1,
    arbitrary: fc.record({
      after,
      kind: fc.constant('throttle' as const),
      table: fc.constant<ThrottledTable>('events'),
      forMs: fc.integer({ min: 200, max: 3000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ after, kind: fc.constant('operator' as const), action: operatorAction }),
  },
);

/** One run: its steps, and the faults of everything in the background. */
export const runArbitrary = (maxSteps: number) =>
  fc.record({
    seed,
    prelude: fc.constantFrom<Run['prelude']>('none', 'follower', 'follower', 'switched'),
    steps: fc.array(stepArbitrary, { minLength: 1, maxLength: maxSteps, size: 'max' }),
    background: fc.record({
      faults: fc.constantFrom(0, 0.02, 0.08),
      lagChance: fc.constantFrom(0, 0.3, 0.7),
    }),
  });

export type Run = {
  seed: number;
  /**
   * What the operator did before the run's steps (they start meanwhile): nothing, built version 2
   * (a follower of version 1 from then on), or built and switched to it (version 1 follows).
   * Most promises that break where features meet need a second version.
   */
  prelude?: 'none' | 'follower' | 'switched';
  steps: Step[];
  background: { faults: number; lagChance: number };
};
