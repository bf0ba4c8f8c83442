import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
export type HotFrame = { frame: string; selfPercent: number };

const where = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) => {
  const file = url.replace(/^.*\/(node_modules\/)?/, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
};

/** The `top` frames by self time, in percent of all samples. */
const hottest = (profile: { nodes: ProfileNode[]; samples: number[] }, top: number) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfSamples = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = where(node.callFrame);
    selfSamples.set(frame, (selfSamples.get(frame) ?? 0) + 1);
  }
  return [...selfSamples]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([frame, samples]): HotFrame => ({
        frame,
        selfPercent: Math.round((samples / profile.samples.length) * 1000) / 10,
      }),
    );
};

/**
 * Runs `work` under V8's sampling CPU profiler (what `node --cpu-prof` records, limited to this
 * work) and returns its result with the hottest frames by self time.
 */
export const profileDuring = async <T>(work: () => Promise<T>, top = 15) => {
  const { result, profile } = await recordProfile(work);
  return { result, frames: hottest(profile, top) };
};

type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** `work` under V8's sampling CPU profiler (every 100 us): its result and the whole profile. */
export const recordProfile = async <T>(work: () => Promise<T>) => {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    return { result, profile: profile as unknown as Profile };
  } finally {
    session.disconnect();
  }
};

/** What a frame's self time is counted against: a function's bundle, a package, or Node. */
const moduleOf = (url: string, functionName: string) => {
  const bundle = url.match(/handlers\/([^/]+)\/handler\.js$/);
  if (bundle) return `function ${bundle[1]}`;
  const pkg = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:') || url === '') return `node ${functionName || '(native)'}`;
  return url.split('/').pop() as string;
};

/** Busy time (idle left out) counted against `keyOf` each sampled frame: the `top`, in percent. */
const selfTimeBy = (
  profile: Profile,
  keyOf: (frame: ProfileNode['callFrame']) => string,
  top: number,
) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    const delta = profile.timeDeltas[i] ?? 0;
    busy += delta;
    const key = keyOf(frame);
    selfMs.set(key, (selfMs.get(key) ?? 0) + delta);
  });
  return [...selfMs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([module, ms]) => ({ module, busyPercent: Math.round((ms / busy) * 1000) / 10 }));
};

/** The `top` modules by self time in a `.cpuprofile` file, idle time left out (percent of busy). */
export const hottestModules = (file: string, top: number) =>
  selfTimeBy(
    JSON.parse(readFileSync(file, 'utf8')) as Profile,
    (frame) => moduleOf(frame.url, frame.functionName),
    top,
  );

/**
 * Self time per source module of an unminified esbuild bundle (its `// path` comments mark where
 * each module begins): node_modules by package, the project's own files by path, then Node's own
 * and V8's frames. Percent of busy time (idle left out).
 */
export const bundleModulesBySelfTime = (profile: Profile, bundleFile: string, top: number) => {
  const starts: [number, string][] = [];
  readFileSync(bundleFile, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const path = line.match(/^\/\/ (\S+\.(?:js|cjs|mjs|ts|json))$/)?.[1];
      if (!path) return;
      const pkg = path.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
      starts.push([index, pkg ? (pkg[1] as string) : path]);
    });
  const moduleAt = (line: number) => {
    let found = '(bundle)';
    for (const [start, module] of starts) {
      if (start > line) break;
      found = module;
    }
    return found;
  };
  return selfTimeBy(
    profile,
    (frame) =>
      frame.url.endsWith(bundleFile)
        ? moduleAt(frame.lineNumber)
        : moduleOf(frame.url, frame.functionName),
    top,
  );
};
