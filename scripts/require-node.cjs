'use strict';

// Stops anything started on a Node older than package.json's `engines`, with one line. `npm ci`
// installs the project's own Node into node_modules/.bin, which npm scripts and npx put first on
// PATH; a bare `node` in a shell is the machine's. Required first by every entry point: jest's
// config, the scripts that npm runs, the local serverless plugin.
const { engines } = require('../package.json');

const needed = Number(/\d+/.exec(engines.node)[0]);
if (Number(process.versions.node.split('.')[0]) < needed) {
  process.stderr.write(
    `This project needs Node ${needed} or newer, not ${process.version} (${process.execPath}): run "npm ci" (it installs Node ${needed} into node_modules/.bin), then run things through npm or npx (npm start, npm test, npx jest).\n`,
  );
  process.exit(1);
}
