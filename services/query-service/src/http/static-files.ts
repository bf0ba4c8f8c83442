import { httpHandler, NotFoundError } from '@users/shared/http';

export type StaticFile = { type: string; body: string };

export const staticFile = (type: string, body: string): StaticFile => ({ type, body });

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
    const found = files[(event as { rawPath: string }).rawPath];
    if (!found) throw new NotFoundError();
    return {
      statusCode: 200,
      headers: {
        'content-type': found.type,
        'cache-control': 'public, max-age=300',
        ...SECURITY_HEADERS,
      },
      body: found.body,
    };
  });
