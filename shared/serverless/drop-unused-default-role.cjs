'use strict';

/**
 * Every function here has its own least-privilege role (serverless-iam-roles-per-function), yet
 * the framework still adds its shared default role, with stream and queue permissions, to the
 * stack. Nothing assumes it; this removes it so the template holds only roles that are used.
 */
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        const name = 'IamRoleLambdaExecution';
        const { [name]: _defaultRole, ...others } = template.Resources;
        if (!JSON.stringify({ ...template, Resources: others }).includes(`"${name}"`)) {
          delete template.Resources[name];
        }
      },
    };
  }
}

module.exports = DropUnusedDefaultRole;
