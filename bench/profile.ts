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
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    return { result, frames: hottest(profile as never, top) };
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

/** The `top` modules by self time in a `.cpuprofile` file, idle time left out (percent of busy). */
export const hottestModules = (file: string, top: number) => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    const delta = profile.timeDeltas[i] ?? 0;
    busy += delta;
    const module = moduleOf(frame.url, frame.functionName);
    selfMs.set(module, (selfMs.get(module) ?? 0) + delta);
  });
  return [...selfMs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([module, ms]) => ({ module, busyPercent: Math.round((ms / busy) * 1000) / 10 }));
};
