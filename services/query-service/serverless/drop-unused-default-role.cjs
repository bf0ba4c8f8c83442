'use strict';

// Shared by both services: see shared/serverless/drop-unused-default-role.cjs.
module.exports = require('../../../shared/serverless/drop-unused-default-role.cjs');
