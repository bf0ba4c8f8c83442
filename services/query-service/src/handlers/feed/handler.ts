import { httpHandler, jsonResponse } from '@users/shared/http';
import { authorizeQuery } from '../../http/authorization';
import { FEED_LENGTH } from '../../projections';
import { feedStore } from '../dependencies';

export const handler = httpHandler({ authorize: authorizeQuery('feed') }, async () => {
  const events = await feedStore.recentEvents(FEED_LENGTH, new Date());
  return jsonResponse(200, {
    events: events.map((event) => ({
      user_id: event.userId,
      sequence: event.version,
      event_type: event.eventType,
      occurred_at: event.occurredAt,
      ...(event.delta !== undefined && { delta: event.delta }),
    })),
  });
});
