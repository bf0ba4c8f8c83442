import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SUBSCRIBER = join(__dirname, '../../clients/events/src/python_subscriber.py');

/**
 * What the Python subscriber (clients/events/src/python_subscriber.py: `jsonschema`, Draft
 * 2020-12, formats checked) says of each event against the AsyncAPI document: null when it is on
 * the contract, otherwise what is wrong. A schema Python cannot compile fails the call.
 */
export const validateInPython = (asyncApiDocument: unknown, events: unknown[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'python-subscriber-'));
  try {
    writeFileSync(join(dir, 'asyncapi.json'), JSON.stringify(asyncApiDocument));
    writeFileSync(join(dir, 'events.json'), JSON.stringify(events));
    const output = execFileSync(
      'python3',
      [SUBSCRIBER, join(dir, 'asyncapi.json'), join(dir, 'events.json')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(output) as (string | null)[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
