import { userIdSchema } from '@users/shared/schemas';
import asyncApiDocument from '../../services/query-service/src/portal/asyncapi.generated.json';
import openApiDocument from '../../services/query-service/src/portal/openapi.generated.json';
import { createAjv } from '../validators/compiler';
import { CORPUS } from './corpus';
import {
  LINE_BREAKS_AT_END,
  PORTABLE_FORMS,
  portableForm,
  withPortablePatterns,
} from './portable-patterns';
import { ENGINES, type Verdicts } from './regex-engines';

const patternsIn = (value: unknown): string[] => {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'pattern' && typeof child === 'string' ? [child] : patternsIn(child),
  );
};

const DOCUMENT_PATTERNS = [
  ...new Set([...patternsIn(openApiDocument), ...patternsIn(asyncApiDocument)]),
];
/** The documents' patterns, and every portable form ready for a schema that may join them. */
const PATTERNS = [
  ...new Set([
    ...DOCUMENT_PATTERNS,
    ...Object.keys(PORTABLE_FORMS).map((pattern) => portableForm(pattern).pattern),
  ]),
];

/** The server pattern a document pattern stands for (itself, if it was not made portable). */
const serverPatternOf = (pattern: string) =>
  [...Object.keys(PORTABLE_FORMS), pattern.replace(`${LINE_BREAKS_AT_END}$`, '$')].find(
    (server) => portableForm(server).pattern === pattern,
  ) ?? pattern;

/** Invisible and non-ASCII characters as escapes, so that a failure can be read. */
const shown = (text: string) =>
  JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

const endsWithLineBreak = (text: string) => /[\n\r\x85\u2028\u2029]$/.test(text);

const acceptedBy = (verdicts: Verdicts) => (Array.isArray(verdicts) ? verdicts : []);

const examples = (texts: string[]) =>
  `${texts.length} strings, e.g. ${texts.slice(0, 3).map(shown).join(', ')}`;

/** The engine the server's validators run (Ajv compiles patterns with `u`). */
const REFERENCE = 'JavaScript with u';

describe('the patterns of the OpenAPI and AsyncAPI documents', () => {
  let verdicts: Record<string, Verdicts[]>;
  beforeAll(() => {
    verdicts = Object.fromEntries(
      Object.entries(ENGINES).map(([engine, run]) => [engine, run(PATTERNS, CORPUS)]),
    );
  });

  it('get the same verdict on every string from JavaScript (with and without u), Python, Java and RE2', () => {
    const differences = PATTERNS.flatMap((pattern, index) => {
      const expected = acceptedBy(verdicts[REFERENCE]?.[index] ?? []);
      return Object.keys(ENGINES).flatMap((engine) => {
        const actual = verdicts[engine]?.[index] ?? [];
        if (!Array.isArray(actual))
          return [`${shown(pattern)}: ${engine} cannot read it: ${actual.error}`];
        if (engine === REFERENCE) return [];
        const differing = CORPUS.filter((_, text) => actual[text] !== expected[text]);
        return differing.length === 0
          ? []
          : [`${shown(pattern)}: ${engine} disagrees with ${REFERENCE} on ${examples(differing)}`];
      });
    });
    expect(differences).toEqual([]);
  });

  it('accept what the server accepts, and refuse what it refuses unless their description says what they let through', () => {
    const differences = PATTERNS.flatMap((pattern, index) => {
      const server = serverPatternOf(pattern);
      const validate = createAjv().compile({ type: 'string', pattern: server });
      const accepted = acceptedBy(verdicts[REFERENCE]?.[index] ?? []);
      const refusedWrongly = CORPUS.filter((text, i) => validate(text) && !accepted[i]);
      const acceptedWrongly = portableForm(server).rule
        ? []
        : CORPUS.filter((text, i) => !validate(text) && accepted[i] && !endsWithLineBreak(text));
      return [
        ...(refusedWrongly.length
          ? [`${shown(pattern)} refuses ${examples(refusedWrongly)} the server accepts`]
          : []),
        ...(acceptedWrongly.length
          ? [`${shown(pattern)} accepts ${examples(acceptedWrongly)} the server refuses`]
          : []),
      ];
    });
    expect(differences).toEqual([]);
  });

  it('are the portable forms of the server patterns', () => {
    const notPortable = DOCUMENT_PATTERNS.filter(
      (pattern) => portableForm(serverPatternOf(pattern)).pattern !== pattern,
    );
    expect(notPortable.map(shown)).toEqual([]);
  });
});

describe('withPortablePatterns', () => {
  it("puts each pattern's portable form in a copy, and the server's rule in its description when it is looser", () => {
    const document = { user: userIdSchema, day: { type: 'string', pattern: '^[0-9]{2}$' } };
    const portable = withPortablePatterns(document);
    expect(portable.user.pattern).toBe(portableForm(userIdSchema.pattern).pattern);
    expect(portable.user.description).toBe(
      `${userIdSchema.description} (${PORTABLE_FORMS[userIdSchema.pattern]?.rule})`,
    );
    expect(portable.day).toEqual({ type: 'string', pattern: `^[0-9]{2}${LINE_BREAKS_AT_END}$` });
    expect(document.user.pattern).toBe('^[^\\s\\p{Cc}\\p{Cf}\\p{Cs}\\p{Z}]+$');
  });
});
