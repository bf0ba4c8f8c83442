// Imported first by the simulation's entry points: the functions' logs and metrics are off before
// any module that writes them is loaded (a run's own output is its report).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'users-sim';
