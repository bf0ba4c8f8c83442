// Bundled in place of `semver` (28 KB of every function's bundle): its only importer in the
// bundles is the X-Ray SDK's patcher for the AWS SDK v2, which calls `semver.gte(version, min)`
// once, and never here (the functions use SDK v3). Plain "x.y.z" versions, as that call gets.
const parts = (version) => String(version).split(/[.+-]/).slice(0, 3).map(Number);

exports.gte = (version, minimum) => {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};
