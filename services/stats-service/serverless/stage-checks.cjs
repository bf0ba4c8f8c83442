'use strict';

// Shared by every service: see shared/serverless/stage-checks.cjs.
module.exports = require('../../../shared/serverless/stage-checks.cjs');
