import { createHash, randomUUID } from 'node:crypto';

type StoredMessage = { id: string; body: string; visibleAt: number; receipt?: string };

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * SQS as the local stack's scripts use it (npm run redrive): named queues in memory, messages
 * sent, received out of sight for their visibility timeout, made visible again, deleted by their
 * receipt. Locally no stream mapping sends to a failure queue: a drill (or a test) fills it.
 */
export const createLocalQueues = (baseUrl: string, names: readonly string[]) => {
  const queues = new Map<string, StoredMessage[]>(names.map((name) => [name, []]));
  const urlOf = (name: string) => `${baseUrl}/000000000000/${name}`;
  const queueOf = (url: unknown) => {
    const queue = queues.get(String(url).split('/').pop() ?? '');
    if (!queue) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
    return queue;
  };
  const byReceipt = (queue: StoredMessage[], receipt: unknown) =>
    queue.find((message) => message.receipt === receipt);

  const handlers: Record<string, (input: Record<string, unknown>) => unknown> = {
    ListQueues: ({ QueueNamePrefix = '' }) => ({
      QueueUrls: [...queues.keys()]
        .filter((name) => name.startsWith(String(QueueNamePrefix)))
        .map(urlOf),
    }),
    SendMessage: ({ QueueUrl, MessageBody }) => {
      const body = String(MessageBody);
      const message = { id: randomUUID(), body, visibleAt: 0 };
      queueOf(QueueUrl).push(message);
      return { MessageId: message.id, MD5OfMessageBody: md5(body) };
    },
    ReceiveMessage: ({ QueueUrl, MaxNumberOfMessages = 1, VisibilityTimeout = 30 }) => {
      const now = Date.now();
      const visible = queueOf(QueueUrl)
        .filter((message) => message.visibleAt <= now)
        .slice(0, Number(MaxNumberOfMessages));
      for (const message of visible) {
        message.visibleAt = now + Number(VisibilityTimeout) * 1000;
        message.receipt = randomUUID();
      }
      return {
        Messages: visible.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receipt,
          Body: message.body,
          MD5OfBody: md5(message.body),
        })),
      };
    },
    ChangeMessageVisibility: ({ QueueUrl, ReceiptHandle, VisibilityTimeout }) => {
      const message = byReceipt(queueOf(QueueUrl), ReceiptHandle);
      if (message) message.visibleAt = Date.now() + Number(VisibilityTimeout) * 1000;
      return {};
    },
    DeleteMessage: ({ QueueUrl, ReceiptHandle }) => {
      const queue = queueOf(QueueUrl);
      const message = byReceipt(queue, ReceiptHandle);
      if (message) queue.splice(queue.indexOf(message), 1);
      return {};
    },
  };
  return {
    /** The answer to `AmazonSQS.<operation>`, or undefined for an operation not played here. */
    answer: (operation: string, input: Record<string, unknown>) => handlers[operation]?.(input),
    depth: (name: string) => queues.get(name)?.length ?? 0,
  };
};
