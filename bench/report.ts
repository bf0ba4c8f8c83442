/** Prints bench results as Markdown tables (docs/benchmarks.md quotes them). */
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
  console.log('\nQueries: GET /detail (requests/s, latency ms)\n');
  console.log(
    table(
      ['concurrency', 'direct/s', 'direct p99', 'HTTP/s', 'HTTP p50', 'HTTP p99', 'HTTP/direct'],
      results.queryPath.map((r: Results) => [
        r.concurrency,
        r.direct.perSecond,
        r.direct.p99,
        r.http.perSecond,
        r.http.p50,
        r.http.p99,
        r.httpToDirect,
      ]),
    ),
  );
  if (results.peers) printPeers(results.peers);
  if (results.publishPath) {
    const { lag, throughput } = results.publishPath;
    console.log(
      `\nPublish lag, command answered to its event counted by the stats service (${lag.commands} commands): p50 ${lag.p50} ms, p99 ${lag.p99} ms`,
    );
    console.log(
      `Publisher ${throughput.publisherPerSecond} entries/s against raw PutEvents ${throughput.rawPutEventsPerSecond}/s on the same local bus (${throughput.ratio}x, ${throughput.entries} entries)`,
    );
  }
  printHotUser(results.hotUser);
  const plainAt = (concurrency: number) =>
    results.commandPath.find(
      (r: Results) => r.concurrency === concurrency && r.variant === 'plain',
    );
  const at8 = plainAt(8);
  const at32 = plainAt(32);
  const queryAt32 = results.queryPath.find((r: Results) => r.concurrency === 32);
  const {
    coldBurst: burst,
    historyCost: h,
    projectionLag: l,
    loadedProjectionLag: loaded,
    projectorThroughput: p,
    rebuild: b,
    coldStart: c,
  } = results;
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
          'commands over HTTP, concurrency 8',
          `${at8.http.perSecond}/s`,
          `${at8.direct.perSecond}/s direct`,
          at8.httpToDirect,
          '>= 0.6 x direct',
          target(at8.httpToDirect >= 0.6),
        ],
        [
          'p99 over HTTP at concurrency 32: commands / queries',
          `${at32.http.p99} / ${queryAt32.http.p99} ms`,
          `${at32.direct.p99} / ${queryAt32.direct.p99} ms direct`,
          '',
          '< 500 ms',
          target(at32.http.p99 < 500 && queryAt32.http.p99 < 500),
        ],
        ...(burst
          ? [
              [
                `${burst.commands} commands at once on a fresh stack`,
                `${JSON.stringify(burst.statuses)}, last in ${burst.lastAnswerMs} ms`,
                '',
                '',
                'all 200/409 JSON, < 10 s',
                target(burst.allJson && burst.expectedOnly && burst.lastAnswerMs < 10_000),
              ],
            ]
          : []),
        [
          `projection lag p50 / p99 under load (${loaded.background.clients} clients, ${loaded.background.requestsPerSecond} requests/s)`,
          `${loaded.detailVisible.p50} / ${loaded.detailVisible.p99} ms`,
          `${loaded.rawStreamPoll.p50} / ${loaded.rawStreamPoll.p99} ms raw poll`,
          loaded.ratioP50 ?? '-',
          'p99 < 1 s',
          target(loaded.detailVisible.p99 < 1000),
        ],
        [
          'projection lag p50 / p99',
          `${l.detailVisible.p50} / ${l.detailVisible.p99} ms`,
          `${l.rawStreamPoll.p50} / ${l.rawStreamPoll.p99} ms raw poll`,
          l.ratioP50 ?? '-',
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
          `projector: ${p.events} events of ${p.users} users at once, all current in ${p.allCurrentSeconds} s`,
          `${p.eventsPerSecond} events/s`,
          `${p.rawBatchWritePerSecond}/s raw BatchWriteItem`,
          p.ratio,
          '',
          '',
        ],
        [
          `rebuild, ${b.events} events`,
          `${b.rebuildEventsPerSecond} events/s`,
          `${b.rawScanAndBatchWritePerSecond}/s raw`,
          b.ratio,
          '>= 0.5 x raw',
          target(b.ratio >= 0.5),
        ],
        [
          `projection build, ${b.events} events`,
          `${b.projectionBuildEventsPerSecond} events/s`,
          `${b.rawScanAndBatchWritePerSecond}/s raw`,
          b.projectionBuildRatio,
          '>= 0.5 x raw',
          target(b.projectionBuildRatio >= 0.5),
        ],
        [
          'query: live-version pointer',
          `detail read p50 ${b.livePointer.withPointer.p50} ms`,
          `${b.livePointer.without.p50} ms without`,
          b.livePointer.p50Ratio,
          '',
          '',
        ],
        ...Object.entries(c as Results).map(([name, v]) => [
          `cold start: ${name}`,
          `${v.kilobytes} KB, import ${v.importMs} ms (${v.importMsTraced} traced)`,
          `${v.importMsWithSourceMaps} ms with source maps`,
          '',
          '<= 400 KB, <= 60 ms (<= 100 traced)',
          `${target(v.kilobytes <= 400)} / ${target(v.importMs <= 60)} / ${target(v.importMsTraced <= 100)}`,
        ]),
      ],
    ),
  );
};

const printHotUser = (hot: Results) => {
  const cells = (row: Results) => [
    row.successesPerSecond,
    row.redecidesPerSuccess,
    row.conflictRate,
    row.p50,
    row.p99,
  ];
  console.log(
    '\nOne hot user (commands/s that stored an event, decisions beyond the first per success, share answered 409, latency ms)\n',
  );
  console.log(
    table(
      ['concurrency', 'variant', 'stored/s', 're-decides/success', '409 share', 'p50', 'p99'],
      (['plain', 'idempotent', 'raw'] as const).flatMap((variant) =>
        hot[variant].map((row: Results) => [row.concurrency, variant, ...cells(row)]),
      ),
    ),
  );
  console.log(`\nRetry policies, no key (kept: ${JSON.stringify(hot.kept)})\n`);
  console.log(
    table(
      ['policy', 'concurrency', 'stored/s', 're-decides/success', '409 share', 'p50', 'p99'],
      Object.entries(hot.sweep as Results).flatMap(([name, rows]) =>
        rows.map((row: Results) => [name, row.concurrency, ...cells(row)]),
      ),
    ),
  );
};

/** Requests by operation, as counted: `Query 1, PutItem 1`. */
const listRequests = (sent: Record<string, number>) =>
  Object.entries(sent)
    .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
    .join(', ') || 'none';

/**
 * Where each contender's time goes: CPU per command in the bench's Node process (the contender's
 * code and SDK, and the harness and garbage collection beside them) and in its DynamoDB Local.
 */
const printPeersCpu = (peers: Results) => {
  const contenders = ['product', 'castore', 'equinox', 'raw', 'castoreNoStream', 'rawSmall'];
  const rows = (['short', 'long'] as const).flatMap((kind) =>
    contenders
      .filter((contender) => peers[kind]?.[contender]?.nodeCpuMs !== undefined)
      .map((contender) => {
        const r = peers[kind][contender];
        const jvm = r.dynamoDbLocalCpuMs;
        return [
          `${peers[kind].events} event(s)`,
          contender,
          peers[kind].eventsPerUserAtEnd?.[contender] ?? '',
          r.perSecond,
          r.nodeCpuMs,
          jvm ?? '(shared)',
          jvm === undefined ? '' : round1(r.nodeCpuMs + jvm),
        ];
      }),
  );
  if (rows.length === 0) return;
  console.log(
    "\nCPU per command (ms, medians of the runs): the bench's Node process (the contender's code and SDK, the harness, GC) and the contender's DynamoDB Local JVM; each history's length per user when the runs ended\n",
  );
  console.log(
    table(
      ['history', 'contender', 'events at end', 'commands/s', 'Node', 'DynamoDB Local', 'together'],
      rows,
    ),
  );
};

/** The product against Castore, Equinox and the raw loop, and what each command costs. */
export const printPeers = (peers: Results) => {
  const target = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\nUSER_BALANCE +1 against Castore 2.4.2, Equinox 1.2.0 and the raw loop (${peers.instances ?? 'one DynamoDB Local'}, every events table streamed; commands/s, p50 ms)\n`,
  );
  console.log(
    table(
      [
        'history',
        'concurrency',
        'product/s',
        'p50',
        'Castore/s',
        'p50',
        'Equinox/s',
        'p50',
        'raw/s',
        'p50',
        'product/Castore',
        'product/Equinox',
        'product/raw',
        'p50 Castore/product',
        'p50 Equinox/product',
      ],
      (['short', 'long'] as const).map((kind) => {
        const r = peers[kind];
        return [
          `${r.events} event(s)`,
          r.concurrency,
          r.product.perSecond,
          r.product.p50,
          r.castore.perSecond,
          r.castore.p50,
          r.equinox?.perSecond ?? '',
          r.equinox?.p50 ?? '',
          r.raw.perSecond,
          r.raw.p50,
          r.productToCastore,
          r.productToEquinox ?? '',
          r.productToRaw,
          r.castoreP50ToProductP50,
          r.equinoxP50ToProductP50 ?? '',
        ];
      }),
    ),
  );
  const { short, long } = peers;
  console.log(
    `\nTargets (issue 32): short >= 1.2x Castore: ${target(short.productToCastore >= 1.2)}; short >= 1.2x Equinox: ${target(short.productToEquinox >= 1.2)}; short >= 0.9x raw: ${target(short.productToRaw >= 0.9)}; 1,000 events at p50 >= 4x Castore: ${target(long.castoreP50ToProductP50 >= 4)}; >= 3x Equinox: ${target(long.equinoxP50ToProductP50 >= 3)}`,
  );
  if (short.castoreNoStream) {
    console.log(
      `Castore on a table without a stream (as its docs create it): ${short.castoreNoStream.perSecond}/s; product/Castore ${short.productToCastoreNoStream}x`,
    );
  }
  if (short.rawSmall) {
    console.log(
      `Control: the raw loop with Castore-sized items ${short.rawSmall.perSecond}/s, ${short.rawSmallToRaw}x the raw loop with the product's items (what an item's size costs DynamoDB Local)`,
    );
  }
  printPeersCpu(peers);
  if (peers.footprint) printFootprint(peers.footprint);
  console.log('\nRequests per command (an SDK middleware; a function that never saw the user)\n');
  console.log(
    table(
      ['command', 'DynamoDB', 'KMS'],
      Object.entries(peers.requestsPerCommand as Results).map(([kind, sent]) => [
        kind,
        listRequests(sent.dynamodb),
        listRequests(sent.kms),
      ]),
    ),
  );
  if (peers.hotFrames) {
    console.log('\nHottest frames of the product, short histories at concurrency 8 (self time)\n');
    console.log(
      table(
        ['frame', 'self %'],
        peers.hotFrames.map((f: Results) => [f.frame, f.selfPercent]),
      ),
    );
  }
};

/** What one command sends, reads and writes per contender: requests, items, bytes, capacity units. */
const printFootprint = (footprint: Results) => {
  console.log(
    '\nOne USER_BALANCE +1, per contender (SDK middlewares; item bytes as DynamoDB sizes them; units as AWS bills them: 4 KB per read unit, half when eventually consistent, 1 KB per write unit)\n',
  );
  console.log(
    table(
      [
        'history',
        'contender',
        'requests',
        'items read',
        'bytes read',
        'read units',
        'items written',
        'bytes written',
        'write units',
      ],
      (['short', 'long'] as const).flatMap((kind) =>
        Object.entries(footprint[kind] as Results)
          .filter(([name]) => name !== 'events')
          .map(([name, f]) => [
            `${footprint[kind].events} event(s)`,
            name,
            listRequests(f.dynamodb),
            f.read.items,
            f.read.bytes,
            f.read.units,
            f.written.items,
            f.written.bytes + (f.written.unsized ? ` (+${f.written.unsized} unsized)` : ''),
            f.written.units,
          ]),
      ),
    ),
  );
  const tip = footprint.long?.equinox?.read.bytes;
  if (tip !== undefined) {
    console.log(
      `\nEquinox's Tip at ${footprint.long.events} events: ${tip} bytes (${round1(tip / 1024)} KB), read whole and rewritten (returned whole: ReturnValues ALL_NEW) by every command`,
    );
  }
};

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Where the local stack's CPU goes per command over HTTP (BENCH_ONLY=stack). */
export const printStackCost = (cost: Results) => {
  const { cpu } = cost;
  console.log(
    `\nUSER_BALANCE over HTTP at concurrency ${cost.concurrency}: ${cpu.commandsPerSecond}/s, p50 ${cpu.p50} ms, p99 ${cpu.p99} ms, ${cpu.errors} errors\n`,
  );
  console.log(
    table(
      ['process', 'CPU ms per command', 'cores busy'],
      [
        ['DynamoDB Local (JVM)', cpu.cpuMsPerCommand.dynamodbLocal, cpu.coresBusy.dynamodbLocal],
        ['serverless offline', cpu.cpuMsPerCommand.offline, cpu.coresBusy.offline],
        [
          'the bench (clients, local bus, KMS, Secrets)',
          cpu.cpuMsPerCommand.benchAndLocalAws,
          cpu.coresBusy.benchAndLocalAws,
        ],
      ],
    ),
  );
  console.log('\nDynamoDB requests per command, the whole stack (a counting proxy)\n');
  console.log(
    table(
      ['request and tables', 'per command'],
      cost.requests.map((row: Results) => [row.request, row.perCommand]),
    ),
  );
  console.log("\nDynamoDB Local's JVM CPU per request, on an instance of its own (warm)\n");
  console.log(
    table(
      ['request', 'JVM CPU ms'],
      Object.entries(cost.dynamodbOperations).map(([name, ms]) => [name, ms as number]),
    ),
  );
  if (cpu.offlineModules) {
    console.log('\nThe offline process, self time by module (percent of its busy time)\n');
    console.log(
      table(
        ['module', 'busy %'],
        cpu.offlineModules.map((row: Results) => [row.module, row.busyPercent]),
      ),
    );
  }
};
