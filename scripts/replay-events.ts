// `npm run replay-events [-- --stage local] [--region R] [--from ISO] [--to ISO] [--user ID]`
// Publishes the integration events of a stage's stored events again (all of them, or those of one
// user, or those that occurred in a time window): for a subscriber that missed them, or after the
// publisher's failure-queue alarm. Read-only on the event store; subscribers deduplicate on the
// event id, so a replay never counts twice.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { stageConfig } from './local-stack/tables';
import { replayEvents } from './replay-events-with-progress';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    user: { type: 'string' },
  },
});

const validTime = (name: 'from' | 'to') => {
  const text = values[name];
  if (text !== undefined && Number.isNaN(Date.parse(text))) {
    throw new Error(`--${name} must be an ISO-8601 time, e.g. 2026-12-01T00:00:00Z`);
  }
  return text === undefined ? undefined : new Date(text).toISOString();
};

const main = async () => {
  const stage = values.stage as string;
  const config = stageConfig(stage, values);
  const local = stage === 'local';
  const eventBridge = new EventBridgeClient({
    region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(local && {
      endpoint: `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  // A bus that does not exist would take every event and drop it: make sure it is there.
  const { Arn } = await eventBridge.send(new DescribeEventBusCommand({ Name: `users-${stage}` }));
  const report = await replayEvents(config, eventBridge, Arn as string, {
    from: validTime('from'),
    to: validTime('to'),
    userId: values.user,
  });
  console.log(
    `Published ${report.published} of ${report.events} events to ${Arn} in ${report.seconds.toFixed(1)} s.`,
  );
  if (report.unreadable.length > 0) {
    console.error(
      `${report.unreadable.length} could not be read (user@version):\n  ${report.unreadable.slice(0, 20).join('\n  ')}`,
    );
    process.exitCode = 1;
  }
  if (report.unpublished > 0) {
    console.error(`${report.unpublished} could not be published; run it again.`);
    process.exitCode = 1;
  }
};

main().catch((error) => {
  console.error(`Replay failed: ${error.message}`);
  process.exitCode = 1;
});
