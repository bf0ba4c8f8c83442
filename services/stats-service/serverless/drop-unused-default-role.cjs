'use strict';

// Shared by every service: see shared/serverless/drop-unused-default-role.cjs.
module.exports = require('../../../shared/serverless/drop-unused-default-role.cjs');
