import { validationError } from '../errors';
import type { ExpressionLabel } from './syntax';

export type Token = {
  kind: 'identifier' | 'name' | 'value' | 'number' | 'symbol' | 'end';
  text: string;
  at: number;
};

const SYMBOLS = ['<>', '<=', '>=', '<', '>', '=', '(', ')', '[', ']', ',', '.', '+', '-'];
const WORD = /[A-Za-z0-9_]/;

export const syntaxError = (label: ExpressionLabel, text: string, token: Token) =>
  validationError(
    `Invalid ${label}: Syntax error; token: "${token.kind === 'end' ? '<EOF>' : token.text}", near: "${text.slice(Math.max(0, token.at - 8), token.at + token.text.length + 8)}"`,
  );

const wordEnd = (text: string, from: number) => {
  let end = from;
  while (end < text.length && WORD.test(text[end] as string)) end++;
  return end;
};

/**
 * Attribute names start with a letter (anything else needs a `#name`); placeholders are `#` or
 * `:` followed by letters, digits and underscores; numbers only appear as list indexes.
 */
export const tokenize = (text: string, label: ExpressionLabel): Token[] => {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === '#' || char === ':') {
      const end = wordEnd(text, at + 1);
      const token: Token = { kind: char === '#' ? 'name' : 'value', text: text.slice(at, end), at };
      if (end === at + 1) throw syntaxError(label, text, token);
      tokens.push(token);
      at = end;
      continue;
    }
    if (/[A-Za-z]/.test(char) || /\d/.test(char)) {
      const end = wordEnd(text, at);
      const word = text.slice(at, end);
      const kind = /^\d+$/.test(word)
        ? 'number'
        : /^[A-Za-z]/.test(word)
          ? 'identifier'
          : undefined;
      if (!kind) throw syntaxError(label, text, { kind: 'symbol', text: char, at });
      tokens.push({ kind, text: word, at });
      at = end;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, at));
    if (!symbol) throw syntaxError(label, text, { kind: 'symbol', text: char, at });
    tokens.push({ kind: 'symbol', text: symbol, at });
    at += symbol.length;
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
};
