'use strict';

/**
 * Checks a stage's parameters before anything is packaged or deployed:
 * - a JWT issuer and audience come together (with neither, the stage runs its own Cognito user
 *   pool); one without the other would leave the API guarded by a half-configured authorizer;
 * - prod without an SNS topic for its alarms gets a warning: they would fire unheard;
 * - an erasure grace period (`erasureGraceDays`, the command service's) is 0 to 3650 days: the
 *   command function would refuse to start with anything else.
 */
class StageChecks {
  constructor(serverless, _options, { log }) {
    // Each service lists the parameters checked here under custom.checkedParams, resolved.
    const param = (name) => String(serverless.service.custom?.checkedParams?.[name] ?? '');
    this.hooks = {
      'before:package:initialize': async () => {
        const issuer = await param('jwtIssuer');
        const audience = await param('jwtAudience');
        if ((issuer === '') !== (audience === '')) {
          throw new serverless.classes.Error(
            `Stage "${serverless.service.provider.stage}" sets ${issuer ? 'jwtIssuer' : 'jwtAudience'} without ${issuer ? 'jwtAudience' : 'jwtIssuer'}: set both to use your own identity provider, or neither to have the stage create a Cognito user pool.`,
          );
        }
        const declared = 'erasureGraceDays' in (serverless.service.custom?.checkedParams ?? {});
        const grace = await param('erasureGraceDays');
        const days = Number(grace);
        // Empty would read as 0 (an erasure at once): refused where the service declares it.
        const valid = days === 0 || (days >= 1 / 1440 && days <= 3650);
        if (declared && !(grace.trim() !== '' && valid)) {
          throw new serverless.classes.Error(
            `Stage "${serverless.service.provider.stage}" sets erasureGraceDays to "${grace}": it must be a number of days from 0 (erase at once) to 3650, and at least a minute (0.0007) when not 0.`,
          );
        }
        const hasAlarms = Object.values(serverless.service.resources?.Resources ?? {}).some(
          (resource) => resource?.Type === 'AWS::CloudWatch::Alarm',
        );
        if (
          hasAlarms &&
          serverless.service.provider.stage === 'prod' &&
          (await param('alarmTopicArn')) === ''
        ) {
          log.warning(
            'prod has no alarmTopicArn: its alarms (failed projections, projection lag) will notify nobody. Set it with --param "alarmTopicArn=arn:aws:sns:..."',
          );
        }
      },
    };
  }
}

module.exports = StageChecks;
