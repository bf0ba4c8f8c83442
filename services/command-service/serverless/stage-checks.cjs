'use strict';

// Shared by both services: see shared/serverless/stage-checks.cjs.
module.exports = require('../../../shared/serverless/stage-checks.cjs');
