import {
  type DeliveredEvent,
  fixtures,
  INTEGRATION_EVENT_TYPES,
  readDeliveredEvent,
} from '@users/events';
import { figuresOf } from '../domain/daily-figures';
import { STATS_SUBSCRIPTION } from './record-event';

/** One delivered event of every type of the contract. */
const oneOfEachType: DeliveredEvent[] = [
  fixtures.userRegistered(),
  fixtures.userProfileChanged(),
  fixtures.userBalanceChanged(),
  fixtures.userDeleted(),
  fixtures.userErased(),
  fixtures.userErasureRequested(),
  fixtures.userErasureCancelled(),
];

describe("the stats service's subscription", () => {
  // A type the rule leaves out is never counted, one it selects for nothing costs an invocation:
  // a type that gains a figure must join the subscription (and so the rule, rule.test.ts).
  it('selects exactly the types that change a figure', () => {
    expect(oneOfEachType.map((event) => event['detail-type']).sort()).toEqual(
      [...INTEGRATION_EVENT_TYPES].sort(),
    );
    const counted = oneOfEachType
      .map(readDeliveredEvent)
      .filter((event) => Object.keys(figuresOf(event)).length > 0)
      .map((event) => event.type);
    expect(counted.sort()).toEqual([...STATS_SUBSCRIPTION.types].sort());
  });
});
