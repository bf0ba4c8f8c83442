import { decodeEvent, isUnknownEvent } from '@users/shared';
import { type IntegrationEvent, toIntegrationEvent } from '@users/shared/integration';

/** Publishing never opens personal data: none is published (it reads as null here). */
const NO_KEYS = { read: async () => undefined };

/**
 * The integration event of a stored event item, with the balance after it from the writer's
 * snapshot. An event of a type a newer release wrote has no public form in this one: refused, to
 * be published once the code knows it.
 */
export const integrationEventOfItem = async (
  item: Record<string, unknown>,
): Promise<IntegrationEvent> => {
  const event = await decodeEvent(item, NO_KEYS);
  if (isUnknownEvent(event)) throw new Error(`${event.type} is unknown to this release`);
  return toIntegrationEvent(event, (item.State as { balance?: number } | undefined)?.balance ?? 0);
};
