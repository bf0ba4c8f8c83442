// Jest resolves `require` calls (everything here runs as CommonJS after @swc/jest) with the
// `require` export condition. Middy 7 publishes ES modules under `import` only, so its packages
// are resolved with that condition too; @swc/jest then transforms them (transformIgnorePatterns
// in jest.config.ts). Every other package keeps jest's own conditions.
const IMPORT_ONLY = /^@middy\//;

module.exports = (request, options) =>
  options.defaultResolver(
    request,
    IMPORT_ONLY.test(request)
      ? { ...options, conditions: [...(options.conditions ?? []), 'import'] }
      : options,
  );
