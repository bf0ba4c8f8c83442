import { gunzipSync, gzipSync } from 'node:zlib';
import { gzippedFile, staticFile, takesGzip } from './static-files';

describe('takesGzip', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1.0, GZIP;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip;q=0.000, deflate', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (header, takes) => {
    expect(takesGzip(header)).toBe(takes);
  });
});

describe('a gzipped file', () => {
  const text = 'body { color: red }\n'.repeat(100);

  it('is sent gzipped to a client that takes gzip, read once', () => {
    const read = jest.fn(() => gzipSync(text));
    const file = gzippedFile('text/css', read);
    for (let i = 0; i < 3; i++) {
      const answer = file.answer('gzip');
      expect(answer).toMatchObject({
        isBase64Encoded: true,
        headers: { 'content-encoding': 'gzip', vary: 'accept-encoding' },
      });
      expect(gunzipSync(Buffer.from(answer.body, 'base64')).toString()).toBe(text);
    }
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('is opened for a client that does not', () => {
    const answer = gzippedFile('text/css', () => gzipSync(text)).answer('identity');
    expect(answer).toEqual({ body: text, headers: { vary: 'accept-encoding' } });
  });
});

describe('a plain file', () => {
  it('is sent as it is, whatever the client takes', () => {
    expect(staticFile('text/html', '<p>hi</p>').answer('gzip')).toEqual({ body: '<p>hi</p>' });
  });
});
