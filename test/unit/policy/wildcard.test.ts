import { describe, expect, it } from 'vitest';
import { matchesWildcard } from '#shared/policy/wildcard.ts';

describe('matchesWildcard', () => {
  it.each([
    ['UnauthorizedAccess:IAMUser/TorIPCaller', 'UnauthorizedAccess:IAMUser/*', true],
    ['arn:aws:iam::111122223333:role/service-role/Deploy', 'arn:aws:iam::*:role/*', true],
    ['arn:aws:iam::111122223333:user/break-glass-2', 'arn:*:iam::*:user/break-glass?', false],
    ['arn:aws:iam::111122223333:user/break-glass2', 'arn:*:iam::*:user/break-glass?', true],
    ['Backdoor:EC2/C&CActivity.B!DNS', 'Backdoor:EC2/C&CActivity.B!DNS', true],
    ['Backdoor:EC2/C&CActivityXB!DNS', 'Backdoor:EC2/C&CActivity.B!DNS', false],
    ['eu-west-1', 'EU-*', false],
    ['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:root/*', false],
  ])('%s against %s → %s', (value, pattern, expected) => {
    expect(matchesWildcard(value, pattern)).toBe(expected);
  });
});
