import { randomUUID } from 'node:crypto';
import { dataKeysFromEnv, decodeEvent } from '@users/shared';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { BadRequestError, httpHandler, jsonResponse, UserNotFoundError } from '@users/shared/http';
import { EXPORT_CURSOR_MS, exportCursorOf, exportPage } from '../../application/export-user';
import { authorizeQuery } from '../../http/authorization';
import { DEFAULT_EXPORT_PAGE_SIZE, optionalNumber } from '../../http/query-schemas';
import { validateExportRequest } from '../../http/query-validators';
import { DynamoExportLog } from '../../infrastructure/dynamo-export-log';
import { DynamoUserEvents } from '../../infrastructure/dynamo-user-events';
import { projectionRegistry, readModelsOf } from '../dependencies';
import { pageTokens } from '../page-tokens';

const events = new DynamoUserEvents(documentClientFromEnv(), requiredEnv('EVENTS_TABLE'));
const log = new DynamoExportLog(documentClientFromEnv(), requiredEnv('EXPORTS_TABLE'));
const keys = dataKeysFromEnv();

/** GET /export: everything held of a user, paged (docs/personal-data.md#export). */
export const handler = httpHandler(
  { authorize: authorizeQuery('export'), schema: validateExportRequest },
  async ({ queryStringParameters: { user_id, limit, next_token } }, { caller }) => {
    const tokens = await pageTokens();
    // A token serves the caller it was given to, for that user's export, for an hour.
    const scope = `export:${user_id}:${caller.subject}`;
    const cursor = next_token
      ? (exportCursorOf(tokens.decode(scope, next_token), Date.now()) ?? expired())
      : undefined;
    const page = await exportPage(
      { events, keys, decode: decodeEvent, live: liveDetail, log },
      { userId: user_id, limit: optionalNumber(limit) ?? DEFAULT_EXPORT_PAGE_SIZE, caller, cursor },
      () => ({
        exportId: randomUUID(),
        exportedAt: new Date().toISOString(),
        until: Date.now() + EXPORT_CURSOR_MS,
      }),
    );
    if (!page) throw new UserNotFoundError();
    return jsonResponse(200, {
      ...page.body,
      ...(page.next && { next_token: tokens.encode(scope, page.next) }),
    });
  },
);

const expired = (): never => {
  throw new BadRequestError('Invalid next_token', [
    { path: '/queryStringParameters/next_token', message: 'has run out: start the export again' },
  ]);
};

/** The live projection version and the user's detail there: read for an export's first page. */
const liveDetail = async (userId: string) => {
  const version = await projectionRegistry.liveVersion();
  return { version, detail: await readModelsOf(version).getDetail(userId) };
};
