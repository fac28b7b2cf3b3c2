import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '#sandbox/event-pattern/index.ts';
import { synthesize } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation resources as Template returns them.
let rules: [string, { [key: string]: any }][];
beforeAll(() => {
  rules = Object.entries(synthesize().template.findResources('AWS::Events::Rule'));
}, 120_000);

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
/** The rules of the synthesized stack whose pattern matches `event`, by logical id without its hash. */
const matching = (event: unknown) =>
  rules
    .filter(([, rule]) => matchesPattern(rule.Properties.EventPattern, event))
    .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));

const EVASION_FIXTURES = readdirSync(FIXTURES).filter((name) =>
  /^cloudtrail-(put-(advanced-)?event-selectors|update-trail|guardduty|config-|ec2-delete-flow|securityhub|organizations)/.test(
    name,
  ),
);

describe('defense-evasion rule', () => {
  it('has a fixture for each of the sixteen evasion calls', () => {
    expect(EVASION_FIXTURES).toHaveLength(16);
  });

  it.each(EVASION_FIXTURES)('delivers %s to the classifier through exactly one rule', (name) => {
    expect(matching(fixture(name))).toEqual(['RouterDefenseEvasion']);
  });

  it('does not deliver an unrelated call of the same services', () => {
    const event = fixture('cloudtrail-guardduty-delete-detector.json');
    event.detail.eventName = 'ListDetectors';

    expect(matching(event)).toEqual([]);
  });
});
