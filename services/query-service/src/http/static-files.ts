import { gunzipSync } from 'node:zlib';
import { type HttpResponse, httpHandler, NotFoundError } from '@users/shared/http';

/** What a file answers, given the request's `accept-encoding`. */
export type StaticFile = { type: string; answer: (acceptEncoding?: string) => Answer };
type Answer = Pick<HttpResponse, 'body' | 'isBase64Encoded'> & { headers?: Record<string, string> };

export const staticFile = (type: string, body: string): StaticFile => ({
  type,
  answer: () => ({ body }),
});

/**
 * A file kept gzipped (`read` on first use, then kept): sent as it is to a client that takes
 * gzip (every browser), opened here for one that does not.
 */
export const gzippedFile = (type: string, read: () => Buffer): StaticFile => {
  let gzipped: Buffer | undefined;
  const file = () => {
    gzipped ??= read();
    return gzipped;
  };
  const vary = { vary: 'accept-encoding' };
  return {
    type,
    answer: (acceptEncoding) =>
      takesGzip(acceptEncoding)
        ? {
            body: file().toString('base64'),
            isBase64Encoded: true,
            headers: { 'content-encoding': 'gzip', ...vary },
          }
        : { body: gunzipSync(file()).toString('utf8'), headers: vary },
  };
};

/** `gzip` (or `*`) listed in `accept-encoding` without `q=0`. */
export const takesGzip = (acceptEncoding = '') =>
  acceptEncoding.split(',').some((coding) => {
    const [name, ...parameters] = coding.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return (name === 'gzip' || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });

/**
 * What the pages may load and do: only this origin's own files and API, no inline script (styles
 * may be inline: Swagger UI sets some), never framed; no type sniffing, no referrer sent away.
 */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * A route serving files bundled with the function: no data, so no token needed (the data the
 * pages show comes from the API's own routes, which need one).
 */
export const staticFilesHandler = (files: Record<string, StaticFile>) =>
  httpHandler({ public: true }, async (event) => {
    const request = event as { rawPath: string; headers?: Record<string, string | undefined> };
    const found = files[request.rawPath];
    if (!found) throw new NotFoundError();
    const { headers, ...answer } = found.answer(request.headers?.['accept-encoding']);
    return {
      statusCode: 200,
      headers: {
        'content-type': found.type,
        'cache-control': 'public, max-age=300',
        ...SECURITY_HEADERS,
        ...headers,
      },
      ...answer,
    };
  });
