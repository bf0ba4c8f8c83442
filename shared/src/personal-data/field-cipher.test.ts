import { randomBytes } from 'node:crypto';
import {
  isSealed,
  openField,
  SEALED_FIELD_PATTERN,
  sealField,
  UnreadableFieldError,
} from './field-cipher';

const key = randomBytes(32);
const place = { userId: 'u1', version: 3, path: 'payload.name' };

describe('sealed personal fields', () => {
  it('round-trips any text, with a fresh IV each time', () => {
    for (const text of ['Ada', '', 'Zoë 李小龍 👩‍💻', 'x'.repeat(200)]) {
      const sealed = sealField(key, text, place);
      expect(isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain(text || '\u0000');
      expect(openField(key, sealed, place)).toBe(text);
    }
    expect(sealField(key, 'Ada', place)).not.toBe(sealField(key, 'Ada', place));
    expect(sealField(key, 'Ada', place)).toMatch(new RegExp(SEALED_FIELD_PATTERN));
  });

  it('refuses a tampered value, another key, and another user, version or field', () => {
    const sealed = sealField(key, 'ada@example.com', place);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}` as typeof sealed;
    const attempts: [Buffer, typeof sealed, typeof place][] = [
      [key, tampered, place],
      [randomBytes(32), sealed, place],
      [key, sealed, { ...place, userId: 'u2' }],
      [key, sealed, { ...place, version: 4 }],
      [key, sealed, { ...place, path: 'payload.email' }],
      [key, 'enc1.short.x' as typeof sealed, place],
    ];
    for (const [withKey, value, at] of attempts) {
      expect(() => openField(withKey, value, at)).toThrow(UnreadableFieldError);
    }
  });
});
