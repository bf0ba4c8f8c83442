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
