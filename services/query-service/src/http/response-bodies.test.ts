import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { UserDetail } from '../projections';
import { detailBody, listedUser } from './response-bodies';
import { detailBodySchema, listBodySchema } from './response-schemas';

const ajv = addFormats(new Ajv2020({ strict: false }));
const validDetail = ajv.compile(detailBodySchema);
const validList = ajv.compile(listBodySchema);

const DUE = '2027-01-01T00:00:00.000Z';
const detail: UserDetail = {
  userId: 'u1',
  name: 'Ada',
  email: 'ada@example.com',
  balance: 40,
  version: 3,
  createdAt: '2026-01-01T00:00:01.000Z',
  updatedAt: '2026-01-01T00:00:03.000Z',
  deleted: false,
  erased: false,
};

describe("GET /detail's body", () => {
  it("is the original API's, with no pending erasure when none is pending", () => {
    const body = detailBody(detail);
    expect(body).toEqual({
      UserID: 'u1',
      Name: 'Ada',
      Email: 'ada@example.com',
      Balance: 40,
      Version: 3,
      CreatedAt: '2026-01-01T00:00:01.000Z',
      UpdatedAt: '2026-01-01T00:00:03.000Z',
    });
    expect(validDetail(body)).toBe(true);
  });

  it('says until when an erasure is pending, and only under its API name', () => {
    const body = detailBody({ ...detail, erasurePendingUntil: DUE });
    expect(body).toMatchObject({ erasure_pending_until: DUE });
    expect(body).not.toHaveProperty('ErasurePendingUntil');
    expect(validDetail(body)).toBe(true);
  });
});

describe("GET /list's entries", () => {
  it('say until when an erasure is pending, and nothing of one that is not', () => {
    const users = [
      listedUser({ userId: 'u1', name: 'Ada' }),
      listedUser({ userId: 'u2', name: null, erasurePendingUntil: DUE }),
    ];
    expect(users).toEqual([
      { UserID: 'u1', Name: 'Ada' },
      { UserID: 'u2', Name: null, erasure_pending_until: DUE },
    ]);
    expect(validList({ users })).toBe(true);
  });
});
