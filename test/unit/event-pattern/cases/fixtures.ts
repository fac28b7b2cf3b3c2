/**
 * What every matcher case looks like, and the EC2 state-change event the EventBridge user guide's
 * content-filtering section uses for its examples. Cases cite the guide's section (or the
 * event-ruler README, the library EventBridge is built on) in a comment above each group.
 */
export interface MatchCase {
  name: string;
  pattern: unknown;
  event: unknown;
  matches: boolean;
}

/** The EC2 state-change event the content-filtering section uses for its examples. */
export const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The example event with another `detail`. */
export const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });
