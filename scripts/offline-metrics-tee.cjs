'use strict';

/**
 * The functions' metrics, as they write them: every line of the offline process's stdout that is a
 * CloudWatch embedded-metric-format document (Powertools Metrics) also goes, a batch every half
 * second, to the local AWS stand-in (scripts/local-stack/local-metrics.ts), which the console's
 * metrics panel reads. The line itself is written as before.
 */
const teeMetrics = (url) => {
  let pending = [];
  let partial = '';
  const write = process.stdout.write;
  process.stdout.write = function writeAndTee(chunk, ...rest) {
    const text =
      partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > 1_000_000) partial = '';
    for (const line of lines) if (line.startsWith('{"_aws":')) pending.push(line);
    return write.call(this, chunk, ...rest);
  };
  const flush = () => {
    if (pending.length === 0) return;
    const body = pending.join('\n');
    pending = [];
    // Metrics are a view: a stand-in that is not there (yet) costs these lines, nothing else.
    fetch(url, { method: 'POST', body }).catch(() => {});
  };
  setInterval(flush, 500).unref();
};

module.exports = { teeMetrics };
