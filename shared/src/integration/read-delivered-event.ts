import { describeErrors, type Validator } from '../validation';
import { validateDeliveredEvent as validate } from './delivered-event.validator.generated';
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
