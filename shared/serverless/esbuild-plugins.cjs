// serverless-esbuild's `plugins` (shared/serverless/esbuild.yml): what the bundles take in place
// of a dependency.
const { join } = require('node:path');

const semverGte = join(__dirname, 'semver-gte.cjs');

module.exports = [
  {
    name: 'semver-gte-only',
    setup(build) {
      build.onResolve({ filter: /^semver$/ }, () => ({ path: semverGte }));
    },
  },
];
