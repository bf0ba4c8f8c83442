import { createPageTokens } from './page-token';

const tokens = createPageTokens('test-secret');

describe('page tokens', () => {
  it('round-trips a page key within its listing', () => {
    const token = tokens.encode('history:u1', { UserID: 'u1', Sequence: 3 });
    expect(tokens.decode('history:u1', token)).toEqual({ UserID: 'u1', Sequence: 3 });
  });

  it('refuses a token from another listing', () => {
    const token = tokens.encode('history:u1', { UserID: 'u1', Sequence: 3 });
    expect(() => tokens.decode('history:u2', token)).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });

  it('refuses an altered, truncated, foreign or garbage token', () => {
    const token = tokens.encode('list', { UserID: 'u1' });
    const [data, signature] = token.split('.') as [string, string];
    const forgedData = Buffer.from(JSON.stringify(['list', { UserID: 'u9' }])).toString(
      'base64url',
    );
    for (const bad of [
      `${forgedData}.${signature}`,
      `${data}.${signature.slice(0, -2)}`,
      createPageTokens('other-secret').encode('list', { UserID: 'u1' }),
      data,
      `${token}.extra`,
      '.',
    ]) {
      expect(() => tokens.decode('list', bad)).toThrow(
        expect.objectContaining({ statusCode: 400 }),
      );
    }
  });
});
