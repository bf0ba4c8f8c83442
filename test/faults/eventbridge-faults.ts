import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';

type PutEventsRequest = { Entries: unknown[] };
type PutEventsAnswer = {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
};

/**
 * PutEvents answers 200 with some entries failed (FailedEntryCount > 0), as EventBridge does under
 * load: the entries `fail` picks never reach the bus, and come back with `code`. Returns how many
 * entries were failed so, for a test to check the fault happened.
 */
export const failEntries = (
  client: EventBridgeClient,
  { fail, code = 'InternalFailure' }: { fail: (entry: unknown) => boolean; code?: string },
) => {
  const failed = { entries: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutEventsCommand') return next(args);
      const request = args.request as {
        body: Uint8Array | string;
        headers: Record<string, string>;
      };
      const text =
        typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      const body = JSON.parse(text) as PutEventsRequest;
      const failing = body.Entries.map((entry) => fail(entry));
      failed.entries += failing.filter(Boolean).length;
      const sent = body.Entries.filter((_, i) => !failing[i]);
      if (sent.length === body.Entries.length) return next(args);
      let answered: PutEventsAnswer['Entries'] = [];
      let result: Awaited<ReturnType<typeof next>> | undefined;
      if (sent.length > 0) {
        request.body = JSON.stringify({ ...body, Entries: sent });
        request.headers['content-length'] = String(Buffer.byteLength(request.body));
        result = await next(args);
        answered = (result.output as PutEventsAnswer).Entries ?? [];
      }
      const entries = failing.map((isFailing) =>
        isFailing ? { ErrorCode: code, ErrorMessage: 'Failed on purpose' } : answered.shift(),
      );
      const output = {
        ...(result?.output as object),
        FailedEntryCount: entries.filter((entry) => entry?.ErrorCode).length,
        Entries: entries,
      };
      return { ...(result ?? { response: {} }), output } as Awaited<ReturnType<typeof next>>;
    },
    { step: 'build', name: 'failEntries' },
  );
  return failed;
};
