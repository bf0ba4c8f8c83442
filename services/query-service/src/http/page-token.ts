import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '@users/shared/http';
import type { PageKey } from '../application/ports';

const NEXT_TOKEN = '/queryStringParameters/next_token';

/**
 * `next_token` is the page key plus the listing it belongs to, signed: a token that was altered,
 * or taken from another listing, is refused instead of silently starting somewhere else.
 */
export const createPageTokens = (secret: string) => {
  const sign = (data: string) => createHmac('sha256', secret).update(data).digest('base64url');

  return {
    encode: (scope: string, key: PageKey): string => {
      const data = Buffer.from(JSON.stringify([scope, key])).toString('base64url');
      return `${data}.${sign(data)}`;
    },
    decode: (scope: string, token: string): PageKey => {
      const [data, signature, ...rest] = token.split('.');
      const expected = data ? sign(data) : '';
      if (
        !data ||
        !signature ||
        rest.length > 0 ||
        signature.length !== expected.length ||
        !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
      ) {
        throw new BadRequestError('Invalid next_token', [
          { path: NEXT_TOKEN, message: 'is not a token this API issued' },
        ]);
      }
      const [tokenScope, key] = JSON.parse(Buffer.from(data, 'base64url').toString()) as [
        string,
        PageKey,
      ];
      if (tokenScope !== scope) {
        throw new BadRequestError('Invalid next_token', [
          { path: NEXT_TOKEN, message: 'belongs to another listing' },
        ]);
      }
      return key;
    },
  };
};

export type PageTokens = ReturnType<typeof createPageTokens>;
