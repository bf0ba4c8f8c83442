import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The tables a DynamoDB request names, without the stage's prefix. */
const tablesOf = (operation: string, body: string) => {
  try {
    const input = JSON.parse(body);
    const names: string[] =
      operation === 'TransactWriteItems' || operation === 'TransactGetItems'
        ? input.TransactItems.map((item: object) => Object.values(item)[0].TableName)
        : input.TableName
          ? [input.TableName]
          : Object.keys(input.RequestItems ?? {});
    return names.map((name) => name.replace(/^users-local-/, '')).join(' + ');
  } catch {
    return '';
  }
};

/**
 * A pass-through in front of DynamoDB Local that counts requests by operation and table: what
 * the whole local stack asks of DynamoDB per command (the functions, the stream readers).
 */
export const startCountingProxy = async (targetPort: number) => {
  const counts = new Map<string, number>();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(incoming.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const key = `${operation} ${tablesOf(operation, body.toString())}`.trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const forwarded = request(
        {
          port: targetPort,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    reset: () => counts.clear(),
    counts: () => new Map(counts),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};
