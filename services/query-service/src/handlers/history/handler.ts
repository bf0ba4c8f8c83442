import { httpHandler, jsonResponse, UserNotFoundError } from '@users/shared/http';
import { readableHistory } from '../../application/reading-rules';
import { authorizeQuery } from '../../http/authorization';
import { DEFAULT_PAGE_SIZE, optionalNumber } from '../../http/query-schemas';
import { validateHistoryRequest } from '../../http/query-validators';
import { checkpointAtLeast } from '../checkpoint';
import { liveReadModels } from '../dependencies';
import { pageTokens } from '../page-tokens';

export const handler = httpHandler(
  { authorize: authorizeQuery('history'), schema: validateHistoryRequest },
  async ({ queryStringParameters: { user_id, limit, next_token, min_version } }, context) => {
    const [tokens, readModels] = await Promise.all([pageTokens(), liveReadModels()]);
    const scope = `history:${user_id}`;
    const after = next_token ? tokens.decode(scope, next_token) : undefined;
    const minVersion = optionalNumber(min_version);
    const readPage = () =>
      readModels.listHistory(user_id, optionalNumber(limit) ?? DEFAULT_PAGE_SIZE, after);
    // Waiting for min_version, the page is read after the checkpoint (entries are written before
    // it moves: every one up to it is there); otherwise both at once, one round trip.
    const [current, page] =
      minVersion === undefined
        ? await Promise.all([readModels.getDetail(user_id), readPage()])
        : [await checkpointAtLeast(readModels, user_id, minVersion, context), await readPage()];
    const entries = readableHistory(current, page.items);
    if (!entries) throw new UserNotFoundError();
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
