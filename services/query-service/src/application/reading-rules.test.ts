import type { RecordedEvent, UserEvent } from '@users/shared';
import {
  balanceChanged,
  created,
  deleted,
  erased,
  recordedEvents,
} from '../../../../test/fixtures/events';
import { foldUserReadModels, type UserReadModels } from '../projections';
import { readableDetail, readableHistory } from './reading-rules';

const modelsAfter = (...bodies: UserEvent[]): UserReadModels =>
  foldUserReadModels(recordedEvents('u1', bodies) as RecordedEvent[]);

describe('what a reader may see', () => {
  const live = modelsAfter(created('Ada', 'ada@example.com'), balanceChanged(5));
  const entry = (version: number, models = live) =>
    models.history.find((e) => e.version === version) ?? null;

  it('serves a live user now and at every version the read models have reached', () => {
    expect(readableDetail(live.detail)).toEqual(live.detail);
    expect(readableDetail(live.detail, { version: 1, entry: entry(1) })).toMatchObject({
      name: 'Ada',
      balance: 0,
    });
    expect(readableHistory(live.detail, live.history)).toEqual(live.history);
  });

  it('never shows an entry written ahead of the checkpoint', () => {
    const ahead = modelsAfter(
      created('Ada', 'ada@example.com'),
      balanceChanged(5),
      balanceChanged(7),
    );
    const checkpoint = live.detail; // version 2; entry 3 is written, its detail not yet moved
    expect(readableDetail(checkpoint, { version: 3, entry: entry(3, ahead) })).toBeNull();
    expect(readableHistory(checkpoint, ahead.history)?.map((e) => e.version)).toEqual([1, 2]);
  });

  it('answers a deleted user 404 at every version, and keeps their history readable', () => {
    const gone = modelsAfter(created('Ada', 'ada@example.com'), balanceChanged(5), deleted);
    for (const version of [1, 2, 3]) {
      expect(readableDetail(gone.detail, { version, entry: entry(version, gone) })).toBeNull();
    }
    expect(readableDetail(gone.detail)).toBeNull();
    expect(readableHistory(gone.detail, gone.history)?.[0]?.payload).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
    });
  });

  it("shows an erased user's history without personal data before its rewrite reached it", () => {
    const erasedNow = modelsAfter(created('Ada', 'ada@example.com'), balanceChanged(5), erased);
    // Entries still as they were written before the erasure: the rewrite has not run yet.
    const notYetRewritten = [...live.history, ...erasedNow.history.slice(2)];
    const shown = readableHistory(erasedNow.detail, notYetRewritten);
    expect(JSON.stringify(shown)).not.toMatch(/Ada|ada@/);
    expect(shown?.every((e) => e.erased)).toBe(true);
    expect(
      readableDetail(erasedNow.detail, { version: 1, entry: live.history[0] ?? null }),
    ).toBeNull();
  });

  it('knows no user the read models lack', () => {
    expect(readableDetail(null)).toBeNull();
    expect(readableHistory(null, live.history)).toBeNull();
  });
});
