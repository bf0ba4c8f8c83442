import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { requiredEnv } from '@users/shared/dynamo';
import { EventBridgeBus } from '../../infrastructure/eventbridge-bus';
import { createPublisher } from './publisher';

export const handler = createPublisher(
  new EventBridgeBus(new EventBridgeClient({}), requiredEnv('EVENT_BUS_ARN')),
);
