// Tests assert on behaviour, not log lines: keep Powertools quiet unless asked (LOG_LEVEL=DEBUG).
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'SILENT';
// What a stage sets (provider.yml); tests that read metrics would otherwise print a warning.
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'users-test';
