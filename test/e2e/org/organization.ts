import path from 'node:path';

/** The organization every organization end-to-end test deploys into the sandbox. */
export const ORG = 'o-a1b2c3d4e5';
/** The security (delegated administrator) account, where the security stack runs. */
export const SECURITY = '111122223333';
export const MEMBER_A = '444455556666';
export const MEMBER_B = '777788889999';
export const HOME_REGION = 'us-east-1';
export const OTHER_REGION = 'eu-west-1';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The organization's CDK context and its own assembly (never the single-account `cdk.out`). */
export const ORG_CONTEXT = {
  organizationId: ORG,
  securityAccountId: SECURITY,
  regions: [HOME_REGION, OTHER_REGION],
};
export const ORG_ASSEMBLY = path.join(ROOT, 'cdk.out.org');
