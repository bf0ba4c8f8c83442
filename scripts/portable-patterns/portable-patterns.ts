import {
  commandPayloadSchemas,
  visibleTextSchema,
} from '../../services/command-service/src/domain/commands';
import { nameSchema, userIdSchema } from '../../shared/src/events/schemas';
import { bmpClassOf } from './bmp-class';

/**
 * Python's and Java's `$` also match before a line break that ends the text, JavaScript's and
 * RE2's only at its very end, and no end-of-text anchor is common to all (JavaScript has no `\z`,
 * RE2 no lookahead). So an anchored pattern in the documents lets line breaks end the text, in
 * every engine alike; the server still refuses them.
 */
export const LINE_BREAKS_AT_END = '[\\n\\r\\x85\u2028\u2029]*';

const CONTROL = bmpClassOf(/\p{Cc}/u);
const CONTROL_OR_SEPARATOR = bmpClassOf(/[\p{Cc}\u2028\u2029]/u);
const SPACE_OR_CONTROL = bmpClassOf(/[\s\p{Cc}]/u);
const SPACE_CONTROL_FORMAT = bmpClassOf(/[\s\p{Cc}\p{Cf}\p{Z}]/u);
const INVISIBLE = bmpClassOf(/[\s\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u);

const LONE_SURROGATES = 'lone surrogates pass this pattern, the server refuses them';

type PortableForm = { pattern: string; rule?: string };

/**
 * The server's patterns that Python's `re`, Java or RE2 cannot read (Unicode properties,
 * lookaheads), each said with character classes they all read alike. Where that is looser than the
 * server, `rule` says what the server checks, for the schema's description.
 */
export const PORTABLE_FORMS: Record<string, PortableForm> = {
  [userIdSchema.pattern]: {
    pattern: `^[^${SPACE_CONTROL_FORMAT}]+$`,
    rule: `no whitespace and no character of the Unicode categories Cc, Cf, Cs or Z; format characters above U+FFFF and ${LONE_SURROGATES}`,
  },
  // The stored contract's dot stops at U+2028 and U+2029: its visible character comes before them.
  [nameSchema.pattern]: {
    pattern: `^[^${CONTROL_OR_SEPARATOR}]*[^${SPACE_OR_CONTROL}][^${CONTROL}]*$`,
    rule: `a character other than whitespace before any U+2028 or U+2029, and no character of the Unicode categories Cc or Cs; ${LONE_SURROGATES}`,
  },
  [commandPayloadSchemas.USER_CREATED.properties.name.pattern]: {
    pattern: `^[^${CONTROL}]*[^${SPACE_OR_CONTROL}][^${CONTROL}]*$`,
    rule: `a character other than whitespace, and no character of the Unicode categories Cc or Cs; ${LONE_SURROGATES}`,
  },
  [visibleTextSchema.pattern]: {
    pattern: `[^${INVISIBLE}]`,
    rule: 'a letter, number, punctuation mark or symbol (Unicode L, N, P or S) that is neither default-ignorable nor U+2800; text of only marks, private-use, unassigned or invisible characters above U+FFFF passes this pattern, the server refuses it',
  },
};

const tolerateLineBreaksAtEnd = (pattern: string) =>
  pattern.endsWith('$') && !pattern.endsWith('\\$')
    ? `${pattern.slice(0, -1)}${LINE_BREAKS_AT_END}$`
    : pattern;

/** What the documents say for one of the server's patterns. */
export const portableForm = (serverPattern: string): PortableForm => {
  const form = PORTABLE_FORMS[serverPattern] ?? { pattern: serverPattern };
  return { ...form, pattern: tolerateLineBreaksAtEnd(form.pattern) };
};

const withPortablePattern = (schema: Record<string, unknown> & { pattern: string }) => {
  const { pattern, rule } = portableForm(schema.pattern);
  if (rule === undefined) return { ...schema, pattern };
  const description = schema.description === undefined ? rule : `${schema.description} (${rule})`;
  return { ...schema, pattern, description };
};

/** Keys of a schema whose value is data: a field of it called `pattern` is no regex. */
const DATA = new Set(['example', 'examples', 'default', 'const', 'enum']);

const portable = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(portable);
  if (typeof value !== 'object' || value === null) return value;
  const node = Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, DATA.has(key) ? child : portable(child)]),
  );
  return typeof node.pattern === 'string'
    ? withPortablePattern({ ...node, pattern: node.pattern })
    : node;
};

/**
 * A copy of a document whose patterns every regex engine reads alike (the server's own validators
 * keep the exact ones): consumers paste them into Python, Java, Go or JavaScript without `u`.
 */
export const withPortablePatterns = <D>(document: D): D => portable(document) as D;
