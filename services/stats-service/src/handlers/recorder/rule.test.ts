import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventPatternOf, INTEGRATION_SCHEMA_VERSION } from '@users/events';
import { parse } from 'yaml';
import { STATS_SUBSCRIPTION } from '../../application/record-event';

/** The recorder's rule on the bus, as serverless/functions.yml declares it. */
const declaredPattern = () => {
  const functions = parse(
    readFileSync(join(__dirname, '../../../serverless/functions.yml'), 'utf8'),
  );
  const [rule] = (functions.statsRecorder.events as { eventBridge?: { pattern: unknown } }[])
    .map((event) => event.eventBridge)
    .filter(Boolean);
  return rule?.pattern;
};

describe("the stats recorder's rule on the bus", () => {
  it('selects exactly what the recorder reads: its types, in the schema version it reads', () => {
    expect(declaredPattern()).toEqual(eventPatternOf(STATS_SUBSCRIPTION));
    expect(declaredPattern()).toEqual({
      source: ['users'],
      'detail-type': [
        'user.registered',
        'user.balance-changed',
        'user.deleted',
        'user.erased',
        'user.erasure-requested',
        'user.erasure-cancelled',
      ],
      detail: { schema_version: [INTEGRATION_SCHEMA_VERSION] },
    });
  });
});
