import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { readableHistory } from '../../application/reading-rules';
import { authorizeQuery } from '../../http/authorization';
import { DEFAULT_PAGE_SIZE } from '../../http/query-schemas';
import { validateHistoryRequest } from '../../http/query-validators';
import { liveReadModels } from '../dependencies';
import { pageTokens } from '../page-tokens';

export const handler = httpHandler(
  { authorize: authorizeQuery('history'), schema: validateHistoryRequest },
  async ({ queryStringParameters: { user_id, limit, next_token } }) => {
    const [tokens, readModels] = await Promise.all([pageTokens(), liveReadModels()]);
    const scope = `history:${user_id}`;
    const [current, page] = await Promise.all([
      readModels.getDetail(user_id),
      readModels.listHistory(
        user_id,
        limit ? Number(limit) : DEFAULT_PAGE_SIZE,
        next_token ? tokens.decode(scope, next_token) : undefined,
      ),
    ]);
    const entries = readableHistory(current, page.items);
    if (!entries) throw new NotFoundError('User ID not found');
    // Entries are in version order: once one is cut off, so is every later page.
    const next = entries.length === page.items.length ? page.next : undefined;
    return jsonResponse(200, {
      user_id,
      events: entries.map((entry) => ({
        sequence: entry.version,
        event_type: entry.eventType,
        payload: entry.payload,
        occurred_at: entry.occurredAt,
        ...(entry.erased && { personal_data_erased: true }),
      })),
      ...(next && { next_token: tokens.encode(scope, next) }),
    });
  },
);
