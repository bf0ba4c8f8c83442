import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { RE2JS } from 're2js';

/** An engine's verdict on each string for one pattern, or why it cannot read the pattern. */
export type Verdicts = boolean[] | { error: string };

type Engine = (patterns: string[], texts: string[]) => Verdicts[];

const inProcess =
  (compile: (pattern: string) => (text: string) => boolean): Engine =>
  (patterns, texts) =>
    patterns.map((pattern) => {
      try {
        return texts.map(compile(pattern));
      } catch (error) {
        return { error: (error as Error).message };
      }
    });

/** UTF-16 code units: a lone surrogate crosses the process boundary intact. */
const codeUnits = (text: string) =>
  Array.from({ length: text.length }, (_, index) => text.charCodeAt(index)).join(',');

/** One process for every pattern and string (one JVM start); a missing engine fails loudly. */
const inChildProcess =
  (command: string, script: string): Engine =>
  (patterns, texts) => {
    const header = `${patterns.length} ${texts.length}`;
    const input = `${[header, ...[...patterns, ...texts].map(codeUnits)].join('\n')}\n`;
    const output = execFileSync(command, [join(__dirname, script)], { input, encoding: 'utf8' });
    return output
      .split('\n')
      .slice(0, patterns.length)
      .map((line) =>
        line.startsWith('!')
          ? { error: line.slice(1) }
          : [...line].map((verdict) => verdict === '1'),
      );
  };

/** Where consumers paste the documents' patterns: `pattern` is a search, not a full match. */
export const ENGINES: Record<string, Engine> = {
  'JavaScript with u': inProcess((pattern) => {
    const regex = new RegExp(pattern, 'u');
    return (text) => regex.test(text);
  }),
  'JavaScript without u': inProcess((pattern) => {
    const regex = new RegExp(pattern);
    return (text) => regex.test(text);
  }),
  'RE2 (re2js)': inProcess((pattern) => {
    const regex = RE2JS.compile(pattern);
    return (text) => regex.matcher(text).find();
  }),
  'Python re (jsonschema)': inChildProcess('python3', 'verdicts.py'),
  'Java (Pattern.find)': inChildProcess('java', 'Verdicts.java'),
};
