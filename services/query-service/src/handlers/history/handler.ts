import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { authorizeQuery } from '../../http/authorization';
import { DEFAULT_PAGE_SIZE } from '../../http/query-schemas';
import { validateHistoryRequest } from '../../http/query-validators';
import { readModelStore } from '../dependencies';
import { pageTokens } from '../page-tokens';

export const handler = httpHandler(
  { authorize: authorizeQuery('history'), schema: validateHistoryRequest },
  async ({ queryStringParameters: { user_id, limit, next_token } }) => {
    const tokens = await pageTokens();
    const scope = `history:${user_id}`;
    const page = await readModelStore.listHistory(
      user_id,
      limit ? Number(limit) : DEFAULT_PAGE_SIZE,
      next_token ? tokens.decode(scope, next_token) : undefined,
    );
    if (page.items.length === 0 && !next_token) throw new NotFoundError('User ID not found');
    return jsonResponse(200, {
      user_id,
      events: page.items.map((entry) => ({
        sequence: entry.version,
        event_type: entry.eventType,
        payload: entry.payload,
        occurred_at: entry.occurredAt,
        ...(entry.erased && { personal_data_erased: true }),
      })),
      ...(page.next && { next_token: tokens.encode(scope, page.next) }),
    });
  },
);
