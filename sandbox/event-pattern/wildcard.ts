import { invalidPattern } from './errors.ts';

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function literal(text: string): string {
  return text.replace(REGEXP_SPECIAL, '\\$&');
}

/**
 * Compile an EventBridge `wildcard` value into an anchored regular expression.
 * `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a
 * literal backslash. EventBridge rejects two unescaped `*` in a row and a backslash before any
 * other character, so this does too.
 */
export function compileWildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '\\') {
      const escaped = pattern.charAt(i + 1);
      if (escaped !== '*' && escaped !== '\\') invalidPattern(`Invalid escape character at pos ${i}`);
      source += literal(escaped);
      i++;
    } else if (char === '*') {
      if (pattern.charAt(i + 1) === '*') invalidPattern(`Consecutive wildcard characters at pos ${i + 1}`);
      source += '.*';
    } else {
      source += literal(char);
    }
  }
  // `s`: a wildcard also spans line breaks inside the value.
  return new RegExp(`^${source}$`, 's');
}
