import { callerOf } from './caller';

const withClaims = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims && { jwt: { claims } } } }) as Parameters<
    typeof callerOf
  >[0];

describe('callerOf', () => {
  it('reads the subject and whether it is an administrator', () => {
    expect(callerOf(withClaims({ sub: 'u1' }))).toEqual({ subject: 'u1', admin: false });
    for (const claims of [
      { 'cognito:groups': '[admin]' },
      { 'cognito:groups': '[readers admin]' },
      { 'cognito:groups': ['admin'] },
      { groups: 'admin' },
      { scope: 'users/read users/admin' },
    ]) {
      expect(callerOf(withClaims({ sub: 'u1', ...claims }))).toEqual({
        subject: 'u1',
        admin: true,
      });
    }
    for (const claims of [
      { 'cognito:groups': '[administrators]' },
      { scope: 'admin' },
      { 'cognito:groups': 'notadmin' },
      { 'cognito:groups': '[x,admin]' },
      { groups: ['billing admin'] },
    ]) {
      expect(callerOf(withClaims({ sub: 'u1', ...claims })).admin).toBe(false);
    }
  });

  it('refuses a request without verified claims or subject (401)', () => {
    for (const event of [withClaims(), withClaims({}), withClaims({ sub: '' })]) {
      expect(() => callerOf(event)).toThrow(expect.objectContaining({ statusCode: 401 }));
    }
  });
});
