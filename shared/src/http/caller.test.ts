import { callerOf } from './caller';

const withClaims = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims && { jwt: { claims } } } }) as Parameters<
    typeof callerOf
  >[0];

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123';
const OTHER = 'https://idp.example.com/';

const isAdmin = (claims: Record<string, unknown>) =>
  callerOf(withClaims({ sub: 'u1', ...claims })).admin;

describe('callerOf', () => {
  it('reads the subject', () => {
    expect(callerOf(withClaims({ sub: 'u1' }))).toEqual({ subject: 'u1', admin: false });
  });

  it('makes an administrator of the users/admin scope, whatever the issuer', () => {
    for (const iss of [COGNITO, OTHER, undefined]) {
      expect(isAdmin({ iss, scope: 'users/read users/admin' })).toBe(true);
      expect(isAdmin({ iss, scope: 'users/admin' })).toBe(true);
      expect(isAdmin({ iss, scp: '[openid users/admin]' })).toBe(true);
      expect(isAdmin({ iss, scp: ['users/admin'] })).toBe(true);
      expect(isAdmin({ iss, scp: '[users/administrator]' })).toBe(false);
      expect(isAdmin({ iss, scope: 'admin' })).toBe(false);
      expect(isAdmin({ iss, scope: 'users/administrators' })).toBe(false);
    }
  });

  it('reads `scope` as space-separated text only: brackets are part of a scope token', () => {
    // A plain text claim; "[openid users/admin]" holds the tokens "[openid" and "users/admin]".
    for (const iss of [COGNITO, OTHER, undefined]) {
      for (const scope of [
        '[openid users/admin]',
        '[users/admin]',
        'openid users/admin]',
        '[users/admin openid',
        ['users/admin'],
      ]) {
        expect(isAdmin({ iss, scope })).toBe(false);
      }
      expect(isAdmin({ iss, scope: '[openid] users/admin' })).toBe(true);
    }
  });

  it("makes an administrator of the stage's Cognito admin group, as API Gateway hands it", () => {
    for (const groups of ['[admin]', '[readers admin]', '[admin assistants]', ['admin']]) {
      expect(isAdmin({ iss: COGNITO, 'cognito:groups': groups })).toBe(true);
    }
    for (const groups of ['[administrators]', 'notadmin', '[x,admin]', '[ admin]', 'admin']) {
      expect(isAdmin({ iss: COGNITO, 'cognito:groups': groups })).toBe(false);
    }
  });

  it('never reads a group name out of another issuer’s list text (fails closed)', () => {
    // ["billing admin"] and ["billing", "admin"] both reach the function as "[billing admin]".
    for (const claims of [
      { 'cognito:groups': '[billing admin]' },
      { 'cognito:groups': '[admin assistants]' },
      { 'cognito:groups': '[admin]' },
      { 'cognito:groups': ['admin'] },
      { groups: '[admin]' },
      { groups: ['admin'] },
    ]) {
      expect(isAdmin({ iss: OTHER, ...claims })).toBe(false);
      expect(isAdmin(claims)).toBe(false);
    }
    // An issuer that merely looks like Cognito's is not the stage's user pool.
    expect(isAdmin({ iss: `${COGNITO}.evil.example`, 'cognito:groups': '[admin]' })).toBe(false);
  });

  it('refuses a request without verified claims or subject (401)', () => {
    for (const event of [withClaims(), withClaims({}), withClaims({ sub: '' })]) {
      expect(() => callerOf(event)).toThrow(expect.objectContaining({ statusCode: 401 }));
    }
  });
});
