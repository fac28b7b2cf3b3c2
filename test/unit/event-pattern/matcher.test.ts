import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '#sandbox/event-pattern/index.ts';
import { anythingButAndNumericCases } from './cases/anything-but-and-numeric.ts';
import { ec2Event } from './cases/fixtures.ts';
import { invalidCases } from './cases/invalid.ts';
import { ipAndExistsCases } from './cases/ip-and-exists.ts';
import { orCases } from './cases/or.ts';
import { stringOperatorCases } from './cases/string-operators.ts';
import { valueCases } from './cases/values-and-arrays.ts';

const matchCases = [
  ...valueCases,
  ...stringOperatorCases,
  ...anythingButAndNumericCases,
  ...ipAndExistsCases,
  ...orCases,
];

describe('matchesPattern', () => {
  it.each(matchCases)('$name', ({ pattern, event, matches }) => {
    // Arrange: the case. Act
    const result = matchesPattern(pattern, event);
    // Assert
    expect(result).toBe(matches);
  });

  it('accepts the pattern as JSON text, as the EventBridge API carries it', () => {
    const pattern = JSON.stringify({
      source: ['aws.ec2'],
      detail: { state: [{ 'anything-but': 'stopped' }] },
    });

    expect(matchesPattern(pattern, ec2Event)).toBe(true);
  });
});

describe('compilePattern', () => {
  it('returns a matcher that can be reused for many events', () => {
    const matcher = compilePattern({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } });
    const events = [0, 1, 5, 6].map((n) => ({ ...ec2Event, detail: { 'c-count': n } }));

    const results = events.map(matcher);

    expect(results).toEqual([false, true, true, false]);
  });
});

describe('validatePattern', () => {
  it.each(invalidCases)('rejects $name', ({ pattern, reason }) => {
    const attempt = () => validatePattern(pattern);

    expect(attempt).toThrow(InvalidEventPatternError);
    expect(attempt).toThrow(reason);
  });

  it('words the error like InvalidEventPatternException', () => {
    const error = (() => {
      try {
        validatePattern({ source: 'aws.ec2' });
      } catch (err) {
        return err;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).message).toBe(
      'Event pattern is not valid. Reason: "source" must be an object or an array',
    );
    expect((error as InvalidEventPatternError).name).toBe('InvalidEventPatternError');
  });

  it('accepts every pattern of the match table', () => {
    for (const { pattern } of matchCases) expect(() => validatePattern(pattern)).not.toThrow();
  });
});

const leaf = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

describe('matcher properties', () => {
  it('anything-but X matches exactly the present values that X does not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer()), leaf, (excluded, value) => {
        const event = { field: value };

        const exact = matchesPattern({ field: [excluded] }, event);
        const anythingBut = matchesPattern({ field: [{ 'anything-but': excluded }] }, event);

        expect(anythingBut).toBe(!exact);
      }),
    );
  });

  it('exists true and exists false partition every event', () => {
    const fieldValue = fc.option(
      fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string(), leaf)),
      {
        nil: undefined,
      },
    );
    fc.assert(
      fc.property(fieldValue, (value) => {
        const event = value === undefined ? {} : { field: value };

        const present = matchesPattern({ field: [{ exists: true }] }, event);
        const absent = matchesPattern({ field: [{ exists: false }] }, event);

        expect(present).not.toBe(absent);
      }),
    );
  });

  it('a numeric range agrees with plain comparison', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, finite, finite, (low, high, value) => {
        fc.pre(low < high);

        const inRange = matchesPattern({ n: [{ numeric: ['>=', low, '<', high] }] }, { n: value });

        expect(inRange).toBe(value >= low && value < high);
      }),
    );
  });
});
