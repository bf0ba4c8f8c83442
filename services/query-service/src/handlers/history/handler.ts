import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { DEFAULT_PAGE_SIZE } from '../../http/query-schemas';
import { validateHistoryRequest } from '../../http/query-validators';
import { pageTokens, readModelStore } from '../dependencies';

export const handler = httpHandler(
  { schema: validateHistoryRequest },
  async ({ queryStringParameters: { user_id, limit, next_token } }) => {
    const scope = `history:${user_id}`;
    const page = await readModelStore.listHistory(
      user_id,
      limit ? Number(limit) : DEFAULT_PAGE_SIZE,
      next_token ? pageTokens.decode(scope, next_token) : undefined,
    );
    if (page.items.length === 0 && !next_token) throw new NotFoundError('User ID not found');
    return jsonResponse(200, {
      user_id,
      events: page.items.map((entry) => ({
        sequence: entry.version,
        event_type: entry.eventType,
        payload: entry.payload,
        occurred_at: entry.occurredAt,
      })),
      ...(page.next && { next_token: pageTokens.encode(scope, page.next) }),
    });
  },
);
