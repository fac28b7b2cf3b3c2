import { AwsError, type Protocol } from '../protocol.ts';

/** Why a request was not authenticated. */
export type AuthFailure =
  /** No SigV4 signature at all (no Authorization header, no X-Amz-Signature). */
  | 'missing'
  /** A signature whose parts (credential scope, signed headers, date) cannot be read. */
  | 'incomplete'
  /** An access key id no one issued, deleted, or set Inactive. */
  | 'unknown-key'
  /** A temporary key without its session token, or with another. */
  | 'bad-token'
  /** The signature is not the one the key's secret gives for this request. */
  | 'signature'
  /** The session the temporary key belongs to has expired. */
  | 'expired-token'
  /** X-Amz-Date is more than 15 minutes from now, or a presigned URL has expired. */
  | 'skewed';

type Answer = readonly [code: string, status: number, message: string];

const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

/**
 * How each protocol's services answer a request they cannot authenticate.
 * - query (IAM, STS, SNS, Auto Scaling, ELBv2): the common errors of the query APIs,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html and
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
 *   (`InvalidClientTokenId` 403, `MissingAuthenticationToken` 403, `IncompleteSignature`,
 *   `ExpiredToken`); a stale date is `SignatureDoesNotMatch` "Signature expired".
 * - ec2: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 *   (`AuthFailure`: the credentials could not be validated; `RequestExpired`: the date is more
 *   than 15 minutes off, or the temporary credentials have expired; `MissingAuthenticationToken`).
 * - json / rest-json (Step Functions, EventBridge, CloudTrail, DynamoDB, SQS, Lambda): the JSON
 *   services' `UnrecognizedClientException`, `InvalidSignatureException`,
 *   `ExpiredTokenException`, `MissingAuthenticationTokenException`, `IncompleteSignatureException`;
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 * - rest-xml (S3): https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 *   (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `InvalidToken`, `ExpiredToken`,
 *   `RequestTimeTooSkewed`, and `AccessDenied` for an anonymous request).
 */
const ANSWERS: Record<'query' | 'ec2' | 'json' | 'rest-xml', Record<AuthFailure, Answer>> = {
  query: {
    missing: [
      'MissingAuthenticationToken',
      403,
      'Request must contain either a valid (registered) AWS access key ID or X.509 certificate.',
    ],
    incomplete: ['IncompleteSignature', 400, 'The request signature does not conform to AWS standards.'],
    'unknown-key': ['InvalidClientTokenId', 403, INVALID_TOKEN],
    'bad-token': ['InvalidClientTokenId', 403, INVALID_TOKEN],
    signature: ['SignatureDoesNotMatch', 403, SIGNATURE_MESSAGE],
    'expired-token': ['ExpiredToken', 403, EXPIRED_TOKEN],
    skewed: ['SignatureDoesNotMatch', 403, 'Signature expired'],
  },
  ec2: {
    missing: ['MissingAuthenticationToken', 401, 'The request must contain valid credentials.'],
    incomplete: ['IncompleteSignature', 400, 'The request signature does not conform to AWS standards.'],
    'unknown-key': ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    'bad-token': ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    signature: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    'expired-token': ['RequestExpired', 400, 'Request has expired.'],
    skewed: ['RequestExpired', 400, 'Request has expired.'],
  },
  json: {
    missing: ['MissingAuthenticationTokenException', 400, 'Missing Authentication Token'],
    incomplete: [
      'IncompleteSignatureException',
      400,
      'The request signature does not conform to AWS standards.',
    ],
    'unknown-key': ['UnrecognizedClientException', 400, INVALID_TOKEN],
    'bad-token': ['UnrecognizedClientException', 400, INVALID_TOKEN],
    signature: ['InvalidSignatureException', 400, SIGNATURE_MESSAGE],
    'expired-token': ['ExpiredTokenException', 400, EXPIRED_TOKEN],
    skewed: ['InvalidSignatureException', 400, 'Signature expired'],
  },
  'rest-xml': {
    missing: ['AccessDenied', 403, 'Access Denied'],
    incomplete: ['AuthorizationHeaderMalformed', 400, 'The authorization header is malformed.'],
    'unknown-key': [
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
    ],
    'bad-token': ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'],
    signature: ['SignatureDoesNotMatch', 403, SIGNATURE_MESSAGE],
    'expired-token': ['ExpiredToken', 400, 'The provided token has expired.'],
    skewed: [
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
    ],
  },
};

/** The error `protocol`'s services answer for `failure`; `detail` is appended to the message. */
export function authError(protocol: Protocol, failure: AuthFailure, detail?: string): AwsError {
  // Lambda (rest-json) uses the JSON services' codes, always with 403.
  const table = protocol === 'rest-json' ? ANSWERS.json : ANSWERS[protocol];
  const [code, status, message] = table[failure];
  return new AwsError(
    code,
    detail ? `${message} ${detail}` : message,
    protocol === 'rest-json' ? 403 : status,
  );
}

/** Raised while authenticating a request: which failure, rendered by the service that was asked. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(
    readonly failure: AuthFailure,
    /** Shown after the service's message (e.g. the dates of a stale signature). */
    readonly detail?: string,
  ) {
    super(detail ? `${failure}: ${detail}` : failure);
  }
}
