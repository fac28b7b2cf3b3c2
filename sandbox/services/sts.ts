import { createHash, randomBytes } from 'node:crypto';
import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
import {
  queryAction,
  queryParams,
  renderQueryResponse,
  requiredParam,
  type XmlObject,
} from '../query-protocol.ts';
import { iamId, secretAccessKey } from './iam/model.ts';
import type { IamService } from './iam.ts';

/** The XML namespace of STS responses (API version 2011-06-15). */
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** Options of {@link StsService}. */
export interface StsServiceOptions {
  /**
   * Where issued session keys are registered so later calls signed with them act in the
   * role's account: pass the `SandboxServer`.
   */
  keyRegistry: { mapAccessKey(accessKeyId: string, accountId: string): void };
  /**
   * The sandbox IAM, to name the user behind a long-term key, refuse inactive keys and use
   * a known role's id and session limit.
   * @default none: every long-term key is the account's `sandbox` user
   */
  iam?: IamService;
}

/** A role session STS issued: what its temporary key stands for. */
export interface RoleSession {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  /** `AROA…:<session name>`, the caller's UserId while using the session. */
  readonly assumedRoleId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  readonly arn: string;
  readonly issuedAt: Date;
  readonly expiration: Date;
}

/** `arn:aws:iam::<account>:role/<path/><name>` */
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]+\/)?([\w+=,.@-]{1,64})$/;

/** A stable id for something the sandbox did not create (a role of another account, the default user). */
function derivedId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 17).toUpperCase();
}

/**
 * The sandbox's STS: who am I, and role sessions whose temporary keys act in the role's
 * account on every sandbox service.
 */
export class StsService implements SandboxService {
  readonly signingNames = ['sts'] as const;
  readonly protocol: Protocol = 'query';
  private readonly sessions = new Map<string, RoleSession>();

  constructor(private readonly options: StsServiceOptions) {}

  operation(req: SandboxRequest): string {
    return queryAction(req);
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    let result: XmlObject;
    if (operation === 'GetCallerIdentity') result = this.getCallerIdentity(req);
    else if (operation === 'AssumeRole') result = this.assumeRole(req);
    else throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
    return renderQueryResponse({ action: operation, xmlns: STS_XMLNS, requestId: req.requestId, result });
  }

  /** The session a temporary access key belongs to, if STS issued it. */
  session(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  private getCallerIdentity(req: SandboxRequest): XmlObject {
    const session = req.accessKeyId ? this.sessions.get(req.accessKeyId) : undefined;
    if (session) {
      if (session.expiration.getTime() <= Date.now()) {
        throw new AwsError('ExpiredToken', 'The security token included in the request is expired');
      }
      return { UserId: session.assumedRoleId, Account: session.accountId, Arn: session.arn };
    }
    const key = this.options.iam?.authenticate(req);
    const user = key && this.options.iam?.user(key.accountId, key.userName);
    if (user) return { UserId: user.userId, Account: user.accountId, Arn: user.arn };
    return {
      UserId: derivedId('AIDA', req.accountId),
      Account: req.accountId,
      Arn: `arn:aws:iam::${req.accountId}:user/sandbox`,
    };
  }

  /**
   * Any well-formed role ARN may be assumed (trust policies are not evaluated), so other
   * accounts can be simulated without creating their roles first.
   */
  private assumeRole(req: SandboxRequest): XmlObject {
    this.options.iam?.authenticate(req);
    const params = queryParams(req);
    const roleArn = requiredParam(params, 'RoleArn');
    const sessionName = requiredParam(params, 'RoleSessionName');
    const arnMatch = ROLE_ARN.exec(roleArn);
    if (!arnMatch) throw new AwsError('ValidationError', `${roleArn} is invalid`);
    const [, accountId = '', roleName = ''] = arnMatch;
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const knownRole = this.options.iam?.role(accountId, roleName);
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    // Sessions last 15 minutes to 12 hours, and never longer than the role allows.
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    if (knownRole && durationSeconds > knownRole.maxSessionDuration) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const roleId = knownRole?.roleId ?? derivedId('AROA', roleArn);
    const issuedAt = new Date();
    const session: RoleSession = {
      // Temporary keys start with ASIA; long-term keys with AKIA.
      accessKeyId: iamId('ASIA', 16),
      accountId,
      roleArn,
      roleName,
      sessionName,
      assumedRoleId: `${roleId}:${sessionName}`,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      issuedAt,
      expiration: new Date(issuedAt.getTime() + durationSeconds * 1000),
    };
    this.sessions.set(session.accessKeyId, session);
    this.options.keyRegistry.mapAccessKey(session.accessKeyId, accountId);
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: secretAccessKey(),
        SessionToken: randomBytes(192).toString('base64'),
        Expiration: session.expiration,
      },
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
    };
  }
}
