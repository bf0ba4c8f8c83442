import { httpHandler, jsonResponse } from '@users/shared/http';
import { authorizeQuery } from '../../http/authorization';
import { DEFAULT_PAGE_SIZE } from '../../http/query-schemas';
import { validateListRequest } from '../../http/query-validators';
import { listedUser } from '../../http/response-bodies';
import { liveReadModels } from '../dependencies';
import { pageTokens } from '../page-tokens';

export const handler = httpHandler(
  { authorize: authorizeQuery('list'), schema: validateListRequest },
  async ({ queryStringParameters: { limit, next_token } }) => {
    const [tokens, readModels] = await Promise.all([pageTokens(), liveReadModels()]);
    const page = await readModels.listSummaries(
      limit ? Number(limit) : DEFAULT_PAGE_SIZE,
      next_token ? tokens.decode('list', next_token) : undefined,
    );
    return jsonResponse(200, {
      users: page.items.map(listedUser),
      ...(page.next && { next_token: tokens.encode('list', page.next) }),
    });
  },
);
