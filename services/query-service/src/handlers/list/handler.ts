import { httpHandler, jsonResponse } from '@users/shared/http';
import { DEFAULT_PAGE_SIZE } from '../../http/query-schemas';
import { validateListRequest } from '../../http/query-validators';
import { pageTokens, readModelStore } from '../dependencies';

export const handler = httpHandler(
  { schema: validateListRequest },
  async ({ queryStringParameters: { limit, next_token } }) => {
    const page = await readModelStore.listSummaries(
      limit ? Number(limit) : DEFAULT_PAGE_SIZE,
      next_token ? pageTokens.decode('list', next_token) : undefined,
    );
    return jsonResponse(200, {
      users: page.items.map(({ userId, name }) => ({ UserID: userId, Name: name })),
      ...(page.next && { next_token: pageTokens.encode('list', page.next) }),
    });
  },
);
