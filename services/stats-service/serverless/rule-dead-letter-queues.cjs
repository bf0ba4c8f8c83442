'use strict';

/**
 * The framework gives an EventBridge rule's dead-letter queue no policy, so EventBridge could not
 * send to it. This writes `<queue>Policy` for each queue that rules name as their dead-letter
 * queue, letting EventBridge send for those rules only (aws:SourceArn), never for another rule,
 * another account's included. The rules' logical ids are the framework's: read, not retyped.
 */
class RuleDeadLetterQueues {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        const { Resources } = serverless.service.provider.compiledCloudFormationTemplate;
        const rulesOf = new Map();
        for (const [ruleId, rule] of Object.entries(Resources)) {
          if (rule.Type !== 'AWS::Events::Rule') continue;
          for (const target of rule.Properties.Targets ?? []) {
            const queue = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
            if (queue) rulesOf.set(queue, (rulesOf.get(queue) ?? new Set()).add(ruleId));
          }
        }
        for (const [queue, rules] of rulesOf) {
          Resources[`${queue}Policy`] = {
            Type: 'AWS::SQS::QueuePolicy',
            Properties: {
              Queues: [{ Ref: queue }],
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { Service: 'events.amazonaws.com' },
                    Action: 'sqs:SendMessage',
                    Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
                    Condition: {
                      ArnEquals: {
                        'aws:SourceArn': [...rules].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
                      },
                    },
                  },
                ],
              },
            },
          };
        }
      },
    };
  }
}

module.exports = RuleDeadLetterQueues;
