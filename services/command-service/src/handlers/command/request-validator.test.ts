import { describeErrors } from '@users/shared';
import { validateCommandRequest } from './request-validator';

const request = (body: unknown) => ({ body, headers: {} });
const creation = (user_id: string, name: string) =>
  request({ user_id, event_type: 'USER_CREATED', payload: { name, email: 'a@b.example' } });

const INVISIBLE = {
  'zero width space': '\u200b',
  'hangul filler': '\u3164',
  'hangul choseong filler': '\u115f',
  'braille blank': '\u2800',
  'right-to-left override': '\u202e',
  'mix of them with spaces': ' \u200b\u3164 \u2800\u202e\u2060 ',
};

describe('POST /command validation', () => {
  it.each(Object.entries(INVISIBLE))('refuses a name made only of: %s', (_, name) => {
    expect(validateCommandRequest(creation('user-1', name))).toBe(false);
    expect(describeErrors(validateCommandRequest.errors)).toContain(
      '/body/payload/name must contain a visible character',
    );
  });

  it.each(Object.entries(INVISIBLE).filter(([, id]) => !/\s/.test(id)))(
    'refuses a user_id made only of: %s',
    (_, id) => {
      expect(validateCommandRequest(creation(id, 'Ada'))).toBe(false);
      expect(describeErrors(validateCommandRequest.errors).join()).toMatch(/\/body\/user_id/);
    },
  );

  it('refuses invisible names in updates too', () => {
    const update = request({
      user_id: 'user-1',
      event_type: 'USER_UPDATED',
      payload: { name: '\u3164\u3164' },
    });
    expect(validateCommandRequest(update)).toBe(false);
  });

  it.each([
    'Ada',
    'Zoë',
    '李小龍',
    '\u200bAda',
    'Ada\u3164Lovelace',
    '👩‍💻',
    'ㄱ',
    // Line and paragraph separators are neither control characters nor invisible fillers.
    '\u2028Ada',
    '\u2029Ada',
    'Ada\u2028',
  ])('accepts the name %j', (name) => {
    expect(validateCommandRequest(creation('user-1', name))).toBe(true);
  });
});
