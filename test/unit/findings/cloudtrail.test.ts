import { describe, expect, it } from 'vitest';
import { CloudTrailEventSchema } from '#shared/findings/cloudtrail.ts';
import { exposesSensitivePort, isWorldOpen } from '#shared/findings/cloudtrail-ingress.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const sshWorld = () => ourEvent('cloudtrail-authorize-sg-ingress-ssh-world.json');

/** The ingress fixture with one rule, as EC2 reports it in securityGroupRuleSet. */
function ingressOf(rule: Record<string, unknown>) {
  const event = sshWorld();
  event.detail.responseElements.securityGroupRuleSet.items = [
    {
      groupId: 'sg-0a1b2c3d4e5f60718',
      securityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaaa',
      isEgress: false,
      ...rule,
    },
  ];
  return event;
}

describe('CloudTrail schema', () => {
  it('accepts the real field names of an AWS API Call via CloudTrail event', () => {
    const parsed = CloudTrailEventSchema.safeParse(sshWorld());

    expect(parsed.success).toBe(true);
    expect(parsed.data?.detail.eventName).toBe('AuthorizeSecurityGroupIngress');
  });

  it('rejects a record without its eventID, naming the field', () => {
    const event = sshWorld();
    delete event.detail.eventID;

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual(['detail.eventID: missing']);
  });
});

describe('AuthorizeSecurityGroupIngress', () => {
  it('turns SSH opened to the world into a High finding listing the added rules with their ids', () => {
    const finding = onlyFindingOf(normalizeEvent(sshWorld()));

    expect(finding).toMatchObject({
      id: '5d0f8a3c-7b2e-4c19-9a64-1e2f3a4b5c6d',
      source: 'cloudtrail',
      type: 'AuthorizeSecurityGroupIngress',
      severity: { score: 8, label: 'High' },
      title: 'Security group sg-0a1b2c3d4e5f60718 opened to the internet on 22/tcp',
      actor: { principalArn: 'arn:aws:sts::111122223333:assumed-role/Developer/bob', type: 'AssumedRole' },
      sample: false,
    });
    expect(finding.resource).toEqual({
      kind: 'SecurityGroup',
      groupId: 'sg-0a1b2c3d4e5f60718',
      addedRules: [
        { ruleId: 'sgr-0123456789abcdef0', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' },
        { ruleId: 'sgr-0fedcba9876543210', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' },
      ],
    });
  });

  it.each([
    [
      'HTTPS to the world',
      5,
      'Medium',
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' },
    ],
    [
      'SSH to a private range',
      2,
      'Low',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '10.0.0.0/8' },
    ],
    [
      'all traffic to the world',
      8,
      'High',
      { ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' },
    ],
    [
      'ports 3000-4000 (RDP) to IPv6',
      8,
      'High',
      { ipProtocol: 'tcp', fromPort: 3000, toPort: 4000, cidrIpv6: '::/0' },
    ],
    [
      'ICMP to the world',
      5,
      'Medium',
      { ipProtocol: 'icmp', fromPort: 8, toPort: -1, cidrIpv4: '0.0.0.0/0' },
    ],
  ])('scores %s as %s %s', (_what, score, label, rule) => {
    expect(onlyFindingOf(normalizeEvent(ingressOf(rule))).severity).toEqual({ score, label });
  });

  it('reads the rules from requestParameters when the record has no securityGroupRuleSet', () => {
    const event = sshWorld();
    event.detail.responseElements = null;

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.resource).toEqual({
      kind: 'SecurityGroup',
      groupId: 'sg-0a1b2c3d4e5f60718',
      addedRules: [
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' },
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' },
      ],
    });
    expect(finding.severity.label).toBe('High');
  });

  it('keeps a rule that references another group as an added rule without CIDR, scored Low', () => {
    const finding = onlyFindingOf(
      normalizeEvent(
        ingressOf({
          ipProtocol: 'tcp',
          fromPort: 1521,
          toPort: 1521,
          referencedGroupInfo: { groupId: 'sg-1' },
        }),
      ),
    );

    expect(finding.resource).toMatchObject({
      addedRules: [{ protocol: 'tcp', fromPort: 1521, toPort: 1521 }],
    });
    expect(finding.severity.label).toBe('Low');
  });

  it('rejects a call that names no usable security group id', () => {
    const event = sshWorld();
    event.detail.requestParameters.groupId = 'default';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(
      /names no usable security group id \("default"\)/,
    );
  });

  it('tells world-open rules and sensitive ports apart', () => {
    expect(isWorldOpen({ protocol: 'tcp', cidrIpv4: '0.0.0.0/0' })).toBe(true);
    expect(isWorldOpen({ protocol: 'tcp', cidrIpv4: '0.0.0.0/1' })).toBe(false);
    expect(exposesSensitivePort({ protocol: '6', fromPort: 5432, toPort: 5432 })).toBe(true);
    expect(exposesSensitivePort({ protocol: 'tcp', fromPort: 8080, toPort: 8443 })).toBe(false);
  });
});

describe('AuthorizeSecurityGroupIngress judged by CIDR arithmetic', () => {
  /** The SSH fixture with its request's IPv4 ranges replaced and no rule set in the response. */
  const withRanges = (...cidrs: string[]) => {
    const event = sshWorld();
    const permission = event.detail.requestParameters.ipPermissions.items[0];
    permission.ipRanges = { items: cidrs.map((cidrIp) => ({ cidrIp })) };
    permission.ipv6Ranges = {};
    event.detail.responseElements = null;
    return event;
  };

  it('scores a prefix length of 0 on any address as world-open', () => {
    const finding = onlyFindingOf(normalizeEvent(withRanges('208.236.235.254/0')));

    expect(finding.severity.label).toBe('High');
    expect(finding.title).toContain('opened to the internet on 22/tcp');
  });

  it('scores two halves that together admit every IPv4 address as world-open', () => {
    const finding = onlyFindingOf(normalizeEvent(withRanges('0.0.0.0/1', '128.0.0.0/1')));

    expect(finding.severity.label).toBe('High');
  });

  it('scores one half as narrower', () => {
    expect(onlyFindingOf(normalizeEvent(withRanges('0.0.0.0/1'))).severity.label).toBe('Low');
  });

  it('reads an older record that names the rule at the top level (cidrIp)', () => {
    const event = sshWorld();
    event.detail.requestParameters = {
      groupId: 'sg-0a1b2c3d4e5f60718',
      ipPermissions: {},
      ipProtocol: 'tcp',
      fromPort: 3389,
      toPort: 3389,
      cidrIp: '0.0.0.0/0',
    };
    event.detail.responseElements = { _return: true };

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.severity.label).toBe('High');
    expect(finding.resource).toMatchObject({
      kind: 'SecurityGroup',
      addedRules: [{ protocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIpv4: '0.0.0.0/0' }],
    });
  });
});

describe('CloudTrail trail and bucket calls', () => {
  it('reads StopLogging on a trail ARN as name plus ARN, High', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('cloudtrail-stop-logging.json')));

    expect(finding.resource).toEqual({
      kind: 'Trail',
      trailName: 'management-events',
      trailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events',
    });
    expect(finding.severity).toEqual({ score: 8, label: 'High' });
  });

  it('reads DeleteTrail on a plain name, Critical', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('cloudtrail-delete-trail.json')));

    expect(finding.resource).toEqual({ kind: 'Trail', trailName: 'management-events' });
    expect(finding.severity.label).toBe('Critical');
  });

  it('scores a bucket policy that allows everyone High, one for a named account Medium', () => {
    const open = ourEvent('cloudtrail-put-bucket-policy-public.json');
    const scoped = ourEvent('cloudtrail-put-bucket-policy-public.json');
    scoped.detail.requestParameters.bucketPolicy.Statement[0].Principal = {
      AWS: 'arn:aws:iam::444455556666:root',
    };

    const [openFinding, scopedFinding] = [open, scoped].map((event) => onlyFindingOf(normalizeEvent(event)));

    expect(openFinding?.resource).toEqual({ kind: 'Bucket', bucketName: 'example-reports-111122223333' });
    expect(openFinding?.severity.label).toBe('High');
    expect(scopedFinding?.severity.label).toBe('Medium');
  });

  it('scores an ACL granting AllUsers High and a private canned ACL Low', () => {
    const acl = (requestParameters: Record<string, unknown>) => {
      const event = ourEvent('cloudtrail-put-bucket-policy-public.json');
      event.detail.eventName = 'PutBucketAcl';
      event.detail.requestParameters = { bucketName: 'example-reports-111122223333', ...requestParameters };
      return onlyFindingOf(normalizeEvent(event));
    };
    const grantee = {
      Grantee: { URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    };

    const open = acl({ AccessControlPolicy: { AccessControlList: { Grant: [grantee] } } });
    const closed = acl({ 'x-amz-acl': ['private'] });

    expect(open.severity.label).toBe('High');
    expect(closed.severity.label).toBe('Low');
  });

  it('scores DeleteBucketPublicAccessBlock High', () => {
    const finding = onlyFindingOf(
      normalizeEvent(ourEvent('cloudtrail-delete-bucket-public-access-block.json')),
    );

    expect(finding).toMatchObject({
      type: 'DeleteBucketPublicAccessBlock',
      severity: { score: 7, label: 'High' },
    });
  });

  it('rejects a bucket name that is not a valid bucket name', () => {
    const event = ourEvent('cloudtrail-delete-bucket-public-access-block.json');
    event.detail.requestParameters.bucketName = 'Not_A_Bucket';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(/names no usable bucket \("Not_A_Bucket"\)/);
  });
});

describe('CloudTrail root activity and failed calls', () => {
  it('turns a root CreateAccessKey into a Critical finding on the new root key', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('cloudtrail-root-create-access-key.json')));

    expect(finding.severity.label).toBe('Critical');
    expect(finding.resource).toEqual({
      kind: 'AccessKey',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      userName: 'root',
      userType: 'Root',
      principalArn: 'arn:aws:iam::111122223333:root',
    });
    expect(finding.actor).toMatchObject({ type: 'Root', principalArn: 'arn:aws:iam::111122223333:root' });
  });

  it('attributes a key root created for an IAM user to that user', () => {
    const event = ourEvent('cloudtrail-root-create-access-key.json');
    event.detail.requestParameters = { userName: 'carol' };

    expect(onlyFindingOf(normalizeEvent(event)).resource).toMatchObject({
      userName: 'carol',
      userType: 'IAMUser',
    });
  });

  it('rejects CreateAccessKey by anyone but root as routine', () => {
    const event = ourEvent('cloudtrail-root-create-access-key.json');
    event.detail.userIdentity = { type: 'IAMUser', userName: 'alice', accountId: '111122223333' };

    expect(rejectionOf(normalizeEvent(event)).message).toBe(
      'CreateAccessKey is acted on only when the root user calls it (caller type IAMUser)',
    );
  });

  it('turns a root console sign-in into a High finding about the account', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('cloudtrail-root-console-login.json')));

    expect(finding).toMatchObject({
      type: 'ConsoleLogin',
      resource: { kind: 'Account' },
      severity: { label: 'High' },
    });
  });

  it('rejects a failed root sign-in: nothing happened to remediate', () => {
    const event = ourEvent('cloudtrail-root-console-login.json');
    event.detail.responseElements = { ConsoleLogin: 'Failure' };
    event.detail.errorMessage = 'Failed authentication';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(
      /^ConsoleLogin failed \(Failure: Failed authentication\): the call changed nothing/,
    );
  });

  it('rejects a call that failed with an errorCode', () => {
    const event = ourEvent('cloudtrail-stop-logging.json');
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized to perform: cloudtrail:StopLogging';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(
      /^StopLogging failed \(AccessDenied: .*nothing to remediate$/,
    );
  });
});
