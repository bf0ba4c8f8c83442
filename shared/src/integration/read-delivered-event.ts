import { describeErrors, type Validator } from '../validation';
import { validateDeliveredEvent as validate } from './delivered-event.validator.generated';
import { INTEGRATION_SOURCE, type IntegrationEventType } from './schemas';
import type { IntegrationEvent } from './types';

const validateDeliveredEvent = validate as Validator<unknown>;

export class InvalidIntegrationEventError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid integration event: ${errors.join('; ')}`);
  }
}

/** The integration event in what EventBridge delivered, checked against the public contract. */
export const readDeliveredEvent = (delivered: unknown): IntegrationEvent => {
  if (!validateDeliveredEvent(delivered)) {
    throw new InvalidIntegrationEventError(describeErrors(validateDeliveredEvent.errors));
  }
  const { 'detail-type': type, detail } = delivered as { 'detail-type': string; detail: unknown };
  return { type, detail } as IntegrationEvent;
};

/**
 * What a subscriber reads: the integration event types, and the schema versions of them, that its
 * rule on the bus selects. A new type or version is for a new release of the subscriber to take
 * on; until then it is none of its business.
 */
export type Subscription = {
  types: readonly IntegrationEventType[];
  schemaVersions: readonly number[];
};

/** The event pattern of the subscriber's rule: EventBridge delivers it nothing else. */
export const eventPatternOf = ({ types, schemaVersions }: Subscription) => ({
  source: [INTEGRATION_SOURCE],
  'detail-type': [...types],
  detail: { schema_version: [...schemaVersions] },
});

/**
 * Whether a delivery is within the subscription. One outside it (a rule that selects more, an
 * invocation by hand) is to be let pass, not read: no retry can make this code understand it.
 */
export const isSubscribed = (delivered: unknown, { types, schemaVersions }: Subscription) => {
  if (typeof delivered !== 'object' || delivered === null) return false;
  const { source, 'detail-type': type, detail } = delivered as Record<string, unknown>;
  const version =
    typeof detail === 'object' && detail !== null
      ? (detail as Record<string, unknown>).schema_version
      : undefined;
  return (
    source === INTEGRATION_SOURCE &&
    types.some((subscribed) => subscribed === type) &&
    schemaVersions.some((subscribed) => subscribed === version)
  );
};
