import { httpHandler, jsonResponse, NotFoundError } from '@users/shared/http';
import { validateDetailRequest } from '../../http/query-validators';
import type { UserDetail } from '../../projections';
import { readModels } from '../read-models';

/** The current detail, or with `version` the detail as it was right after that event. */
const findDetail = async (userId: string, version?: string) =>
  version
    ? (await readModels.getHistoryEntry(userId, Number(version)))?.detailAfter
    : await readModels.getDetail(userId);

export const handler = httpHandler(
  { schema: validateDetailRequest },
  async ({ queryStringParameters: { user_id, version } }) => {
    const detail = await findDetail(user_id, version);
    if (!detail || detail.deleted) throw new NotFoundError('User ID not found');
    return jsonResponse(200, toResponse(detail));
  },
);

const toResponse = (detail: UserDetail) => ({
  UserID: detail.userId,
  Name: detail.name,
  Email: detail.email,
  Balance: detail.balance,
  Version: detail.version,
  CreatedAt: detail.createdAt,
  UpdatedAt: detail.updatedAt,
});
