/** Prints bench results as Markdown tables (the README quotes them). */
// biome-ignore lint/suspicious/noExplicitAny: reads the results object it was given, whatever its shape
type Results = Record<string, any>;

const table = (headers: string[], rows: (string | number)[][]) =>
  [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

export const printReport = (results: Results) => {
  const target = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\nBench ${results.date} (${results.machine.cpus} cores, Node ${results.machine.node})\n`,
  );
  console.log(
    'Command path (commands/s, latency ms; raw = read head + conditional write on the same DynamoDB Local)\n',
  );
  console.log(
    table(
      [
        'concurrency',
        'variant',
        'direct/s',
        'direct p50',
        'direct p99',
        'raw/s',
        'ratio direct/raw',
        'HTTP/s',
        'HTTP p50',
        'HTTP p99',
        'HTTP/direct',
      ],
      results.commandPath.map((r: Results) => [
        r.concurrency,
        r.variant,
        r.direct.perSecond,
        r.direct.p50,
        r.direct.p99,
        r.raw.perSecond,
        r.ratio,
        r.http?.perSecond ?? '',
        r.http?.p50 ?? '',
        r.http?.p99 ?? '',
        r.httpToDirect ?? '',
      ]),
    ),
  );
  const at8 = results.commandPath.find(
    (r: Results) => r.concurrency === 8 && r.variant === 'plain',
  );
  const { historyCost: h, projectionLag: l, rebuild: b, coldStart: c } = results;
  console.log('\nTargets\n');
  console.log(
    table(
      ['what', 'measured', 'baseline', 'ratio', 'target', ''],
      [
        [
          'command path direct, concurrency 8',
          `${at8.direct.perSecond}/s`,
          `${at8.raw.perSecond}/s raw`,
          at8.ratio,
          '>= 0.8 x raw',
          target(at8.ratio >= 0.8),
        ],
        [
          'projection lag p50 / p99',
          `${l.detailVisible.p50} / ${l.detailVisible.p99} ms`,
          `${l.rawStreamPoll.p50} / ${l.rawStreamPoll.p99} ms raw poll`,
          l.ratioP50,
          'p99 <= 500 ms',
          target(l.detailVisible.p99 <= 500),
        ],
        [
          'history cost, 10,000 vs 10 events',
          `${h.long.p50} ms`,
          `${h.short.p50} ms`,
          h.ratio,
          '<= 1.2',
          target(h.ratio <= 1.2),
        ],
        [
          `rebuild, ${b.events} events`,
          `${b.rebuildEventsPerSecond} events/s`,
          `${b.rawScanAndBatchWritePerSecond}/s raw`,
          b.ratio,
          '>= 0.5 x raw',
          target(b.ratio >= 0.5),
        ],
        ...Object.entries(c as Results).map(([name, v]) => [
          `cold start: ${name}`,
          `${v.kilobytes} KB, import ${v.importMs} ms`,
          `${v.importMsWithSourceMaps} ms with source maps`,
          '',
          '<= 300 KB, <= 100 ms',
          `${target(v.kilobytes <= 300)} / ${target(v.importMs <= 100)}`,
        ]),
      ],
    ),
  );
};
