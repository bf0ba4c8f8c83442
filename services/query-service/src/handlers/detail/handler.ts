import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { readableDetail } from '../../application/reading-rules';
import { authorizeQuery } from '../../http/authorization';
import { validateDetailRequest } from '../../http/query-validators';
import { toDetailItem } from '../../infrastructure/read-model-items';
import { readModelStore } from '../dependencies';

/** The current detail, or with `version` the detail as it was right after that event. */
const findDetail = async (userId: string, version?: string) => {
  if (!version) return readableDetail(await readModelStore.getDetail(userId));
  const [current, entry] = await Promise.all([
    readModelStore.getDetail(userId),
    readModelStore.getHistoryEntry(userId, Number(version)),
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
