// `npm run redrive [-- --stage local] [--region us-east-1] [--apply] [--queue-url URL]`
// Applies again the stream batches in the projector's failure queue (docs/operations.md):
// a dry run unless --apply.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stageConfig } from './local-stack/tables';
import { redriveProjectorFailures } from './redrive-projector-failures';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    apply: { type: 'boolean', default: false },
    'queue-url': { type: 'string' },
  },
});

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const main = async () => {
  const stage = values.stage as string;
  const local = stage === 'local';
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const dynamodb =
    values.endpoint ??
    (local ? `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  const sqs = new SQSClient({
    region,
    ...(local && {
      endpoint: `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}`,
      credentials: LOCAL_CREDENTIALS,
    }),
  });
  const streams = new DynamoDBStreamsClient({
    region,
    ...(dynamodb && { endpoint: dynamodb, credentials: LOCAL_CREDENTIALS }),
  });
  // CloudFormation names the queue after its stack and logical id.
  const prefix = `users-query-${stage}-ProjectorFailureQueue`;
  const queueUrl =
    values['queue-url'] ??
    (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls?.[0];
  if (!queueUrl) throw new Error(`no queue named ${prefix}...: is the query service deployed?`);
  const plans = await redriveProjectorFailures(
    stageConfig(stage, values),
    { sqs, streams, queueUrl },
    { apply: values.apply as boolean },
  );
  for (const plan of plans) {
    const what = `${plan.messageId}: ${plan.records} records of ${plan.users.length} users (shard ${plan.shardId})`;
    console.log(
      plan.problem
        ? `${what}: ${plan.problem}`
        : `${what}: ${plan.redriven ? 'rebuilt, message deleted' : 'would rebuild'} ${plan.users.join(', ')}`,
    );
  }
  console.log(
    `${plans.length} message(s) in ${queueUrl}; ${plans.filter((p) => p.redriven).length} redriven.${values.apply ? '' : ' Dry run: --apply to act.'}`,
  );
  if (plans.some((plan) => plan.problem)) process.exitCode = 1;
};

main().catch((error) => {
  console.error(`Redrive failed: ${error.message}`);
  process.exitCode = 1;
});
