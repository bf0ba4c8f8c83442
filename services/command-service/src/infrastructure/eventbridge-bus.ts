import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { INTEGRATION_SOURCE, type IntegrationEvent } from '@users/shared/integration';
import type { EntryResult, EventBus } from '../application/publish-events';

/**
 * The stage's EventBridge bus (its ARN: a bus that does not exist would take the events silently
 * and drop them, so the name is never retyped, always the owning stack's output). Each entry's
 * time is the event's; its detail the integration event's.
 */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busArn: string,
  ) {}

  async put(events: IntegrationEvent[]): Promise<EntryResult[]> {
    const { Entries = [] } = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busArn,
          Source: INTEGRATION_SOURCE,
          DetailType: event.type,
          Detail: JSON.stringify(event.detail),
          Time: new Date(event.detail.occurred_at),
        })),
      }),
    );
    // Entries answers the request's entries one for one, in order.
    return events.map((_, i) => {
      const entry = Entries[i];
      return entry?.EventId
        ? { published: true }
        : { published: false, code: entry?.ErrorCode ?? 'NoAnswer' };
    });
  }
}
