/** `\xHH` is the one escape JavaScript, Python, Java and RE2 share; above it, the character itself. */
const classMember = (code: number) =>
  code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : String.fromCharCode(code);

const isSurrogate = (code: number) => code >= 0xd800 && code <= 0xdfff;

/**
 * The characters up to U+FFFF that `characters` matches, as the inside of a character class that
 * every regex engine reads alike. Surrogates are left out: JavaScript without `u` reads each
 * character above U+FFFF as two of them, and RE2 has no way to name them.
 */
export const bmpClassOf = (characters: RegExp): string => {
  const ranges: [number, number][] = [];
  for (let code = 0; code <= 0xffff; code++) {
    if (isSurrogate(code) || !characters.test(String.fromCharCode(code))) continue;
    const last = ranges.at(-1);
    if (last && last[1] === code - 1) last[1] = code;
    else ranges.push([code, code]);
  }
  return ranges
    .map(([from, to]) =>
      from === to ? classMember(from) : `${classMember(from)}-${classMember(to)}`,
    )
    .join('');
};
