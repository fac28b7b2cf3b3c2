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

const SHARING_FIXTURES = readdirSync(EVENT_FIXTURES).filter((name) =>
  /^cloudtrail-(ec2-modify-(snapshot|image)|rds-modify-db(-cluster)?-snapshot)-attribute/.test(name),
);

describe('data-shared-out rule', () => {
  it.each(SHARING_FIXTURES)('delivers %s to the classifier through exactly one rule', (name) => {
    expect(rulesMatching(rules, eventFixture(name))).toEqual(['RouterDataSharedOut']);
  });

  it('does not deliver other attribute changes of EC2', () => {
    const event = eventFixture('cloudtrail-ec2-modify-snapshot-attribute-public.json');
    event.detail.eventName = 'ModifyInstanceAttribute';

    expect(rulesMatching(rules, event)).toEqual([]);
  });
});
