import { httpHandler, NotFoundError } from '@users/shared/http';

export type StaticFile = { type: string; body: string };

export const staticFile = (type: string, body: string): StaticFile => ({ type, body });

/**
 * A route serving files bundled with the function: no data, so no token needed (the data the
 * pages show comes from the API's own routes, which need one).
 */
export const staticFilesHandler = (files: Record<string, StaticFile>) =>
  httpHandler({ public: true }, async (event) => {
    const found = files[(event as { rawPath: string }).rawPath];
    if (!found) throw new NotFoundError('Not found');
    return {
      statusCode: 200,
      headers: { 'content-type': found.type, 'cache-control': 'public, max-age=300' },
      body: found.body,
    };
  });
