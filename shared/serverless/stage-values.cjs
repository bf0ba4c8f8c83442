'use strict';

/**
 * Values that depend on stage parameters, decided when the service is packaged (never by
 * CloudFormation conditions on literals, which cfn-lint rightly flags as W8003): each service's
 * serverless.yml reads them as ${file(../../shared/serverless/stage-values.cjs):<name>}.
 */
module.exports = async ({ resolveVariable }) => {
  const alarmTopicArn = await resolveVariable('param:alarmTopicArn');
  const billingMode = await resolveVariable('param:billingMode');
  const jwtIssuer = await resolveVariable('param:jwtIssuer');
  const ownIdentityProvider = jwtIssuer !== '';
  // `--param deletionProtection=true` arrives as a string, the params.yml value as a boolean.
  const deletionProtection = String(await resolveVariable('param:deletionProtection'));
  if (!['true', 'false'].includes(deletionProtection)) {
    throw new Error(`deletionProtection must be true or false, not "${deletionProtection}"`);
  }
  const tracing = String(await resolveVariable('param:tracing'));
  if (!['Active', 'PassThrough', 'Off'].includes(tracing)) {
    throw new Error(
      `tracing must be Active, PassThrough or Off, not "${tracing}" (PassThrough traces next to nothing here: no caller of these functions samples)`,
    );
  }
  return {
    /** Lambda's X-Ray mode: with tracing Off, Lambda samples nothing (no caller passes a trace). */
    tracing: tracing === 'Off' ? 'PassThrough' : tracing,
    /**
     * POWERTOOLS_TRACE_ENABLED: with tracing Off the functions never load the Tracer and the X-Ray
     * SDK (shared/src/observability/tracing.ts), which saves that much of every cold start.
     */
    traceEnabled: String(tracing !== 'Off'),
    /**
     * Whose tokens the API accepts: the stage's own issuer and audience, or those of the Cognito
     * user pool the stage then creates (command-service/serverless/identity-cognito.yml).
     */
    identityProvider: ownIdentityProvider ? 'own' : 'cognito',
    jwtIssuer: ownIdentityProvider
      ? jwtIssuer
      : { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['UserPool', 'ProviderURL'] }]] },
    jwtAudience: ownIdentityProvider
      ? [await resolveVariable('param:jwtAudience')]
      : [{ Ref: 'UserPoolClient' }],
    /** The user pool's deletion protection: on where the tables have theirs (deletionProtection). */
    userPoolDeletionProtection: deletionProtection === 'true' ? 'ACTIVE' : 'INACTIVE',
    /** Where an alarm notifies: the stage's SNS topic, or nobody (stage-checks warns in prod). */
    alarmActions: alarmTopicArn ? [alarmTopicArn] : [],
    /** The event store's capacity: on demand, or provisioned with the stage's two figures. */
    eventsTableCapacity:
      billingMode === 'PROVISIONED'
        ? {
            BillingMode: 'PROVISIONED',
            ProvisionedThroughput: {
              ReadCapacityUnits: Number(await resolveVariable('param:readCapacity')),
              WriteCapacityUnits: Number(await resolveVariable('param:writeCapacity')),
            },
          }
        : { BillingMode: billingMode },
  };
};
