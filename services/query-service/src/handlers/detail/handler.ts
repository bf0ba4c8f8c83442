import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { readableDetail } from '../../application/reading-rules';
import { authorizeQuery } from '../../http/authorization';
import { validateDetailRequest } from '../../http/query-validators';
import { toDetailItem } from '../../infrastructure/read-model-items';
import { liveReadModels } from '../dependencies';

/** The current detail, or with `version` the detail as it was right after that event. */
const findDetail = async (userId: string, version?: string) => {
  const readModels = await liveReadModels();
  if (!version) return readableDetail(await readModels.getDetail(userId));
  const [current, entry] = await Promise.all([
    readModels.getDetail(userId),
    readModels.getHistoryEntry(userId, Number(version)),
  ]);
  return readableDetail(current, { version: Number(version), entry });
};

export const handler = httpHandler(
  { authorize: authorizeQuery('detail'), schema: validateDetailRequest },
  async ({ queryStringParameters: { user_id, version } }) => {
    const detail = await findDetail(user_id, version);
    if (!detail) throw new NotFoundError('User ID not found');
    // The original API answered with the stored item itself: the same names, tombstone aside.
    const { Deleted: _, ...body } = toDetailItem(detail);
    return jsonResponse(200, body);
  },
);
