import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { UnauthorizedError } from './errors';

/** Who sent a request, from the claims the stage's JWT authorizer verified. */
export type Caller = { subject: string; admin: boolean };

export const ADMIN_GROUP = 'admin';
export const ADMIN_SCOPE = 'users/admin';

type Claims = Record<string, string | number | boolean | string[]>;

/** A Cognito user pool's issuer: its group names cannot hold whitespace. */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[\w-]+$/;

/**
 * API Gateway hands a list claim to functions as the text "[a b]". That text is read as names
 * only where a name cannot hold a space (Cognito's groups); anything else is no group at all.
 */
const cognitoGroups = (value: Claims[string] | undefined): string[] => {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string' || !/^\[\S+( \S+)*\]$/.test(value)) return [];
  return value.slice(1, -1).split(' ');
};

/**
 * `scope` is one space-separated text (RFC 6749, RFC 9068) and nothing else: its tokens never
 * hold a space but may hold brackets, so "[openid users/admin]" holds "[openid" and
 * "users/admin]", never `users/admin`.
 */
const scopeTokens = (value: Claims[string] | undefined): string[] =>
  typeof value === 'string' ? value.split(' ') : [];

/**
 * `scp` is a list (Okta, Entra ID) and reaches the function as "[a b]"; scope tokens never hold a
 * space, so that text reads back as the list it was.
 */
const scpTokens = (value: Claims[string] | undefined): string[] => {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  return (/^\[.*\]$/.test(value) ? value.slice(1, -1) : value).split(' ');
};

/**
 * An administrator holds the `users/admin` scope (`scope` or `scp`, any issuer), or is in the `admin` group of
 * the stage's Cognito user pool. Groups of any other issuer are never read: API Gateway turns
 * `["billing admin"]` and `["billing", "admin"]` into the same text, and failing closed is the
 * only safe reading of it.
 */
export const callerOf = (
  event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>,
) => {
  const claims = event.requestContext?.authorizer?.jwt?.claims as Claims | undefined;
  const subject = claims?.sub;
  if (typeof subject !== 'string' || subject === '') throw new UnauthorizedError();
  const fromCognito = typeof claims?.iss === 'string' && COGNITO_ISSUER.test(claims.iss);
  const groups = fromCognito ? cognitoGroups(claims?.['cognito:groups']) : [];
  return {
    subject,
    admin:
      groups.includes(ADMIN_GROUP) ||
      [...scopeTokens(claims?.scope), ...scpTokens(claims?.scp)].includes(ADMIN_SCOPE),
  } satisfies Caller;
};
