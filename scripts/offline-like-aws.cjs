'use strict';

const { randomUUID } = require('node:crypto');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
// The error answers of the closed list (shared/src/http/error-codes.ts), by `npm run generate`.
const ERROR_ANSWERS = require('./offline-errors.generated.json');

/**
 * As every answer of the functions themselves, an error carries the request's correlation id and
 * a code of the closed list (in AWS, API Gateway's own answer has the same `message` and no more).
 */
const jsonError = (code, event) => {
  const supplied = event?.headers?.['x-correlation-id'];
  const correlationId = /^[\x21-\x7e]{1,128}$/.test(supplied ?? '') ? supplied : randomUUID();
  const body = ERROR_ANSWERS[code];
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify(body),
  };
};

/** API Gateway hands a JWT authorizer's claims to functions as strings; arrays as "[a b]". */
const asApiGatewayClaims = (claims) =>
  Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : String(value),
    ]),
  );

/**
 * Three things serverless-offline 14 and its streams plugin do unlike AWS, corrected around
 * LambdaFunction (local runs only; nothing here reaches a deployed bundle):
 * - its JWT authorizer never checks a token's signature, and lets any request set its own
 *   claims (header sls-offline-authorizer-override); `authenticate` here plays the stage's JWT
 *   authorizer: a verified token's claims, or 401 `Unauthorized` as API Gateway;
 * - an HTTP API function that fails or times out is answered HTTP 200 with the error's stack
 *   trace in the body; API Gateway answers a JSON 502 (504 on a timeout) without either;
 * - a stream function's partial batch response (ReportBatchItemFailures) is ignored and the
 *   failed records dropped; Lambda retries them, so the batch fails here and is redelivered
 *   (the projector skips what it already applied).
 */
const behaveLikeAws = (LambdaFunction, kindOf, log, authenticate) => {
  const events = new WeakMap();
  const setEvent = LambdaFunction.prototype.setEvent;
  LambdaFunction.prototype.setEvent = function setEventAndKeepIt(event) {
    events.set(this, event);
    return setEvent?.call(this, event);
  };
  const runHandler = LambdaFunction.prototype.runHandler;
  LambdaFunction.prototype.runHandler = async function runHandlerLikeAws() {
    const kind = kindOf(this.functionName);
    const event = events.get(this);
    if (kind === 'http' && event) {
      const claims = await authenticate(event.headers?.authorization);
      if (!claims) return jsonError('UNAUTHORIZED', event);
      event.requestContext = {
        ...event.requestContext,
        authorizer: { jwt: { claims: asApiGatewayClaims(claims), scopes: null } },
      };
    }
    let result;
    try {
      result = await runHandler.call(this);
    } catch (error) {
      if (kind !== 'http' && kind !== 'public') throw error;
      const timedOut = /\[504\]/.test(String(error?.message));
      log(`${this.functionName} ${timedOut ? 'timed out' : `failed: ${error?.message}`}`);
      return jsonError(timedOut ? 'FUNCTION_TIMEOUT' : 'FUNCTION_FAILED', event);
    }
    const failures = kind === 'stream' ? (result?.batchItemFailures ?? []) : [];
    if (failures.length > 0) {
      throw new Error(`${failures.length} record(s) reported failed; the batch is redelivered`);
    }
    return result;
  };
};

/**
 * With LOCAL_AUTH_ISSUER (`npm start -- --auth`), a request needs a token that issuer signed
 * for LOCAL_AUTH_AUDIENCE, as a deployed stage requires one from its own issuer. Without it, the
 * stack stays open: every request acts as a local administrator.
 */
const localAuthenticator = async () => {
  const issuer = process.env.LOCAL_AUTH_ISSUER;
  if (!issuer) return async () => ({ sub: 'local-developer', scope: 'users/admin' });
  const { createRemoteJWKSet, jwtVerify } = await import('jose');
  const keys = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
  const audience = process.env.LOCAL_AUTH_AUDIENCE;
  return async (authorization) => {
    const [scheme, token] = String(authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) return undefined;
    try {
      return (await jwtVerify(token, keys, { issuer, audience })).payload;
    } catch {
      return undefined;
    }
  };
};

const patchServerlessOffline = async (serverless, log) => {
  const offlineEntry = require.resolve('serverless-offline', { paths: [serverless.serviceDir] });
  const { default: LambdaFunction } = await import(
    pathToFileURL(join(dirname(offlineEntry), 'lambda/LambdaFunction.js')).href
  );
  const publicFunctions = serverless.service.custom?.publicFunctions ?? [];
  const kinds = new Map(
    serverless.service.getAllFunctions().map((key) => {
      const definition = serverless.service.getFunction(key);
      const events = definition.events ?? [];
      const kind = publicFunctions.includes(key)
        ? 'public'
        : events.some((event) => event.httpApi)
          ? 'http'
          : events.some((event) => event.stream)
            ? 'stream'
            : 'other';
      return [definition.name, kind];
    }),
  );
  behaveLikeAws(
    LambdaFunction,
    (name) => kinds.get(name),
    (line) => log.warning(line),
    await localAuthenticator(),
  );
};

module.exports = { behaveLikeAws, patchServerlessOffline };
