import { HttpError, httpHandler, jsonResponse, UserNotFoundError } from '@users/shared/http';
import type { Context } from 'aws-lambda';
import { readableDetail } from '../../application/reading-rules';
import { authorizeQuery } from '../../http/authorization';
import { detailEntityTag } from '../../http/entity-tag';
import { optionalNumber } from '../../http/query-schemas';
import { validateDetailRequest } from '../../http/query-validators';
import { detailBody } from '../../http/response-bodies';
import { checkpointAtLeast } from '../checkpoint';
import { liveReadModels } from '../dependencies';

type DetailQuery = { user_id: string; version?: string; min_version?: string };

/**
 * The current detail, or with `version` the detail as it was right after that event: a user the
 * reader may not see is not found (USER_NOT_FOUND), nor is a version past a readable user's newest
 * (VERSION_NOT_FOUND). With `min_version`, once the read models have reached it: only it is
 * waited for, a `version` past what they then hold is not found, as without `min_version` (the
 * caller vouches for `min_version`, the command's `sequence`, not for `version`).
 */
const findDetail = async (
  query: DetailQuery,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => {
  const readModels = await liveReadModels();
  const asOf = optionalNumber(query.version);
  const minVersion = optionalNumber(query.min_version);
  const current = await checkpointAtLeast(readModels, query.user_id, minVersion, context);
  const now = readableDetail(current);
  if (!now) throw new UserNotFoundError();
  if (asOf === undefined) return now;
  // Read after the checkpoint: entries are written before it moves, so one at or below it is there.
  const entry = await readModels.getHistoryEntry(query.user_id, asOf);
  const then = readableDetail(current, { version: asOf, entry });
  if (!then) throw new HttpError('VERSION_NOT_FOUND', 'Version not found', {});
  return then;
};

export const handler = httpHandler(
  { authorize: authorizeQuery('detail'), schema: validateDetailRequest },
  async ({ queryStringParameters }, context) => {
    const detail = await findDetail(queryStringParameters, context);
    const answer = jsonResponse(200, detailBody(detail));
    return { ...answer, headers: { ...answer.headers, etag: detailEntityTag(detail.version) } };
  },
);
