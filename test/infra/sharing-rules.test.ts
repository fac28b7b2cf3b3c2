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
const matching = (event: unknown) =>
  rules
    .filter(([, rule]) => matchesPattern(rule.Properties.EventPattern, event))
    .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
const SHARING_FIXTURES = readdirSync(FIXTURES).filter((name) =>
  /^cloudtrail-(ec2-modify-(snapshot|image)|rds-modify-db(-cluster)?-snapshot)-attribute/.test(name),
);

describe('data-shared-out rule', () => {
  it.each(SHARING_FIXTURES)('delivers %s to the classifier through exactly one rule', (name) => {
    expect(matching(fixture(name))).toEqual(['RouterDataSharedOut']);
  });

  it('does not deliver other attribute changes of EC2', () => {
    const event = fixture('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    event.detail.eventName = 'ModifyInstanceAttribute';

    expect(matching(event)).toEqual([]);
  });
});
