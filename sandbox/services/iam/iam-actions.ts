/**
 * The IAM service prefix of each signing name the sandbox serves. All of today's services sign
 * with their IAM prefix; the table is where one that does not (e.g. `execute-api`) would go.
 */
const PREFIX_BY_SIGNING_NAME: Readonly<Record<string, string>> = {
  autoscaling: 'autoscaling',
  cloudtrail: 'cloudtrail',
  dynamodb: 'dynamodb',
  ec2: 'ec2',
  elasticloadbalancing: 'elasticloadbalancing',
  events: 'events',
  guardduty: 'guardduty',
  iam: 'iam',
  kms: 'kms',
  lambda: 'lambda',
  s3: 's3',
  's3-control': 's3',
  secretsmanager: 'secretsmanager',
  sns: 'sns',
  sqs: 'sqs',
  states: 'states',
  sts: 'sts',
};

/**
 * Operations whose IAM action has another name (the Service Authorization Reference), keyed by
 * `<prefix>:<operation name the sandbox reports>`.
 */
const ACTION_BY_OPERATION: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  // S3 has no separate permission for deleting the configuration.
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** S3 Control's account-level operations, whose IAM actions are named after the account. */
const ACTION_BY_S3_CONTROL_OPERATION: Readonly<Record<string, string>> = {
  PutPublicAccessBlock: 's3:PutAccountPublicAccessBlock',
  GetPublicAccessBlock: 's3:GetAccountPublicAccessBlock',
  // No separate permission for deleting the account's configuration either.
  DeletePublicAccessBlock: 's3:PutAccountPublicAccessBlock',
};

/**
 * Actions every caller may perform whatever its policies say: who am I, and GetSessionToken,
 * an authentication operation no policy controls
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
 */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity', 'sts:GetSessionToken']);

/**
 * The IAM action a request needs, `<prefix>:<Action>` (`s3:PutBucketPublicAccessBlock` for
 * S3's PutPublicAccessBlock), or `undefined` when it needs none: GetCallerIdentity, and
 * requests the service could not name (it answers those with its own error).
 */
export function iamActionOf(signingName: string, operation: string): string | undefined {
  if (operation === 'Unknown' || operation === 'Unsupported') return undefined;
  const prefix = PREFIX_BY_SIGNING_NAME[signingName] ?? signingName;
  const action =
    (signingName === 's3-control' ? ACTION_BY_S3_CONTROL_OPERATION[operation] : undefined) ??
    ACTION_BY_OPERATION[`${prefix}:${operation}`] ??
    `${prefix}:${operation}`;
  return ALWAYS_ALLOWED.has(action) ? undefined : action;
}
