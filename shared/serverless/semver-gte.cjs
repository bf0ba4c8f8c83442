// Bundled in place of `semver` (28 KB): its importers in the bundles, the X-Ray SDK's patcher for
// the AWS SDK v2 (never called here: the functions use SDK v3) and cls-hooked (at load, with
// Node's version), only call `semver.gte(version, min)`. Plain "x.y.z" versions, as they pass.
const parts = (version) => String(version).split(/[.+-]/).slice(0, 3).map(Number);

exports.gte = (version, minimum) => {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};
