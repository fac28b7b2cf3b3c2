import { describe, expect, it } from 'vitest';
import { capText, displayBlock, displayText, jsonText } from '#shared/text/display.ts';

describe('displayText', () => {
  it('removes escape sequences, C1 controls and bidi overrides, and keeps the value on one line', () => {
    expect(displayText('ok\u001b]0;pwned\u0007\u001b[2J\r\nnext\u009b31m \u202Eevil\u202C')).toBe(
      'ok]0;pwned[2J  next31m evil',
    );
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(displayText('Zoë approved: key AKIA… 👍')).toBe('Zoë approved: key AKIA… 👍');
  });

  it('caps when asked, saying how long the value was', () => {
    expect(displayText(`x${'y'.repeat(500)}`, 10)).toBe('xyyyyyyyyy…(501 chars)');
  });
});

describe('capText', () => {
  it('keeps short values as they are and never splits a surrogate pair', () => {
    expect(capText('short', 200)).toBe('short');
    expect(capText(`${'a'.repeat(9)}😀tail`, 10)).toBe(`${'a'.repeat(9)}…(15 chars)`);
  });
});

describe('displayBlock', () => {
  it('keeps the caller’s lines and cleans each', () => {
    expect(displayBlock('a\u001b[31m\nb\u0007')).toBe('a[31m\nb');
  });
});

describe('jsonText', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same value', () => {
    const value = { reason: 'x\u009b31m\u202Ey\u2028z\u007f', n: 1 };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
