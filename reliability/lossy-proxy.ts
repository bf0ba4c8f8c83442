import { createServer, request } from 'node:http';

const WRITES = new Set(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.TransactWriteItems']);
/** What the stream poller asks for (table and stream metadata, records), never stalled. */
const NOT_ITEMS = /^DynamoDBStreams_|DescribeTable$|ListTables$/;

const readAll = async (stream: AsyncIterable<Buffer>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
};

/**
 * An HTTP proxy in front of DynamoDB Local that forwards every request, and for a share of the
 * writes (PutItem, TransactWriteItems) resets the connection after DynamoDB applied the write:
 * the caller never gets the answer, as with a network blip or a timeout in AWS. With `stall`,
 * the writes (or every read and write of items) are never forwarded nor answered at all.
 */
export const startLossyProxy = async ({
  port,
  targetPort,
  loseShare,
  stall,
}: {
  port: number;
  targetPort: number;
  loseShare: number;
  stall?: 'writes' | 'items';
}) => {
  let lost = 0;
  let writes = 0;
  const server = createServer(async (incoming, outgoing) => {
    const body = await readAll(incoming);
    const target = String(incoming.headers['x-amz-target']);
    const isWrite = WRITES.has(target);
    if (stall === 'writes' && isWrite) return;
    if (stall === 'items' && !NOT_ITEMS.test(target)) return;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      async (answer) => {
        const answerBody = await readAll(answer);
        if (isWrite) writes++;
        if (isWrite && Math.random() < loseShare) {
          lost++;
          incoming.socket.destroy();
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
        outgoing.end(answerBody);
      },
    );
    upstream.on('error', () => incoming.socket.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://localhost:${port}`,
    counts: () => ({ writes, lost }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
