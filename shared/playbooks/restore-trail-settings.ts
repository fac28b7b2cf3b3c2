import type { PlaybookFacts } from './definition.ts';

/** restore-trail-settings: turn back on what a PutEventSelectors or UpdateTrail call turned off. */
export const facts: PlaybookFacts = {
  name: 'restore-trail-settings',
  description:
    'Turn back on the trail settings a call turned off (management events, log file validation, multi-Region logging), then verify.',
  // Account: a Security Hub CloudTrail.1 finding names the account; the playbook finds its trail.
  resourceKinds: ['Trail', 'Account'],
  containmentAction: 'RestoreTrailSettings',
  steps: [
    "For a finding about the account (CloudTrail.1), find the account's own trail in the Region needing the fewest changes; with none, a person creates one (a trail needs a bucket the product will not choose).",
    'Read the trail and its event selectors, and record them.',
    'Choose what the call turned off and is still off: log file validation, multi-Region logging, or management events (the previous selectors are not in any record, so every read and write management event is logged again, next to the data events the trail has now).',
    'Turn exactly those back on, and start logging on the trail found for an account finding if it is stopped; the log destination is never changed (the previous bucket is not known).',
    'Read the trail again to verify, then notify the on-call topic with what was and was not restored.',
  ],
  undo: {
    irreversible:
      'restore-trail-settings only turned trail logging settings back on; turning them off again would repeat the weakening it answered, not reverse a remediation',
  },
  // CloudTrail.4 findings name the trail, whose log file validation this turns on. CloudTrail.1
  // names the account: the account's own trail in the Region is found, made multi-Region with
  // read and write management events, and started.
  // https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
  controls: ['CloudTrail.4', 'CloudTrail.1'],
};
