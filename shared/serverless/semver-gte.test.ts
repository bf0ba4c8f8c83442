import { dirname } from 'node:path';

const { gte } = require('./semver-gte.cjs') as { gte: (a: string, b: string) => boolean };
// The semver the X-Ray SDK depends on, which the bundles leave out.
const semver = require(
  require.resolve('semver', { paths: [dirname(require.resolve('aws-xray-sdk-core'))] }),
) as { gte: (a: string, b: string) => boolean };

describe('the semver stand-in of the bundles', () => {
  it.each([
    ['2.7.15', '2.7.15'],
    ['2.7.14', '2.7.15'],
    ['2.7.16', '2.7.15'],
    ['2.10.0', '2.7.15'],
    ['2.6.99', '2.7.15'],
    ['3.0.0', '2.7.15'],
    ['1.999.0', '2.7.15'],
  ])('answers gte(%s, %s) as semver does', (version, minimum) => {
    expect(gte(version, minimum)).toBe(semver.gte(version, minimum));
  });
});
