import { describe, expect, it } from 'vitest';
import { PolicyError } from '#shared/errors.ts';
import { parsePolicy } from '#shared/policy/load.ts';
import { MAX_AUTO_ACTIONS, MAX_WINDOW_MINUTES } from '#shared/policy/schema.ts';

/** The message of the PolicyError parsing `text` throws. */
function refusal(text: string): string {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error('expected the policy to be refused');
}

/** Nine times nine times … copies of a string, from a few lines of anchors and aliases. */
const ALIAS_BOMB = `version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
rules: []
`;

describe('settings that would disable a safety', () => {
  it('refuses a YAML alias bomb with one line naming where the aliases start', () => {
    const message = refusal(ALIAS_BOMB);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^policy\.yaml:3:\d+ aliases \(\*name\) expand into more than 100 copies/);
  });

  it('still reads the few aliases a person writes', () => {
    const policy = parsePolicy(
      'version: 1\nrules:\n  - id: a\n    match: &keys { resource: AccessKey }\n    playbook: disable-access-key\n  - id: b\n    match: *keys\n    mode: notify\n',
    );
    expect(policy.rules[1]?.match).toEqual(policy.rules[0]?.match);
    expect(policy.rules[1]?.match.resource).toEqual(['AccessKey']);
  });

  it.each([
    ['"*"'],
    ['"arn:*"'],
    ['"arn:aws:iam::*:role/*"'],
    ['"arn:aws:iam::111122223333:*"'],
    ['"arn:aws:iam::111122223333:role/*/*"'],
    ['"*:role/OnCall"'],
  ])('refuses the approver %s with its line', (pattern) => {
    const message = refusal(
      `version: 1\napprovals:\n  approvers:\n    - "arn:aws:iam::1:role/Ok"\n    - ${pattern}\nrules: []\n`,
    );
    expect(message).toMatch(
      /^policy\.yaml:5:7 approvals\.approvers\[1\]: expected an IAM user or role ARN whose name is written out/,
    );
  });

  it('accepts approvers that name users or roles, with wildcard partitions and accounts', () => {
    const policy = parsePolicy(
      'version: 1\napprovals:\n  approvers:\n    - "arn:*:iam::*:role/OnCall*"\n    - "arn:aws:iam::111122223333:user/oncall-*"\n    - "arn:aws:sts::111122223333:assumed-role/Responder/*"\n    - "arn:aws:iam::111122223333:role/oncall/*"\nrules: []\n',
    );
    expect(policy.approvals.approvers).toHaveLength(4);
  });

  it.each([
    ['maxAutoActions: 9007199254740991', /blastRadius\.maxAutoActions: at most 1000/],
    ['maxAutoActions: 1001', /blastRadius\.maxAutoActions: at most 1000/],
    ['windowMinutes: 1441', /blastRadius\.windowMinutes: at most 1440 \(one day\)/],
    ['windowMinutes: 0', /blastRadius\.windowMinutes: at least 1 minute/],
  ])('refuses blastRadius %s with its line', (setting, expected) => {
    const message = refusal(`version: 1\nblastRadius:\n  ${setting}\nrules: []\n`);
    expect(message).toMatch(/^policy\.yaml:3:\d+ /);
    expect(message).toMatch(expected);
  });

  it('accepts the bounds themselves', () => {
    const policy = parsePolicy(
      `version: 1\nblastRadius: { maxAutoActions: ${MAX_AUTO_ACTIONS}, windowMinutes: ${MAX_WINDOW_MINUTES} }\nrules: []\n`,
    );
    expect(policy.blastRadius).toEqual({ maxAutoActions: 1000, windowMinutes: 1440 });
    expect(
      parsePolicy('version: 1\nblastRadius: { maxAutoActions: 0 }\nrules: []\n').blastRadius.maxAutoActions,
    ).toBe(0);
  });
});
