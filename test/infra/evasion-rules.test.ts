import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_FIXTURES,
  type EventRule,
  eventFixture,
  eventRules,
  rulesMatching,
  synthesizedTemplate,
} from './helpers.ts';

let rules: EventRule[];
beforeAll(() => {
  rules = eventRules(synthesizedTemplate());
}, 120_000);

const EVASION_FIXTURES = readdirSync(EVENT_FIXTURES).filter((name) =>
  /^cloudtrail-(put-(advanced-)?event-selectors|update-trail|guardduty|config-|ec2-delete-flow|securityhub|organizations)/.test(
    name,
  ),
);

describe('defense-evasion rule', () => {
  it('has a fixture for each of the sixteen evasion calls', () => {
    expect(EVASION_FIXTURES).toHaveLength(16);
  });

  it.each(EVASION_FIXTURES)('delivers %s to the classifier through exactly one rule', (name) => {
    expect(rulesMatching(rules, eventFixture(name))).toEqual(['RouterDefenseEvasion']);
  });

  it('does not deliver an unrelated call of the same services', () => {
    const event = eventFixture('cloudtrail-guardduty-delete-detector.json');
    event.detail.eventName = 'ListDetectors';

    expect(rulesMatching(rules, event)).toEqual([]);
  });
});
