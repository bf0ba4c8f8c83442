// Tests assert on behaviour, not log lines: keep Powertools quiet unless asked (LOG_LEVEL=DEBUG).
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOG_LEVEL ?? 'SILENT';
