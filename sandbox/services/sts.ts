import { createHash, randomBytes } from 'node:crypto';
import type { SandboxCredentials } from '../aws-sdk-clients.ts';
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
import type { RequestAuthorizer } from '../server.ts';
import type { SigningKey, SigningKeySource } from '../signing/signing-keys.ts';
import { iamActionOf } from './iam/iam-actions.ts';
import { identityPolicyDenial, requestedResource } from './iam/identity-authorization.ts';
import { iamId, secretAccessKey } from './iam/model.ts';
import type { ConditionContext } from './iam/policy-conditions.ts';
import { conditionContext, evaluatePolicies, type PolicyPrincipal } from './iam/policy-evaluation.ts';
import type { AccessKeyView, IamService, RoleView } from './iam.ts';

/** The XML namespace of STS responses (API version 2011-06-15). */
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** Options of {@link StsService}. */
export interface StsServiceOptions {
  /** The sandbox IAM: the roles that may be assumed, their trust and identity policies, the users behind keys. */
  iam: IamService;
  /**
   * The organization an account belongs to (`aws:PrincipalOrgID`): pass
   * `(account) => server.organizations.organizationOf(account)`.
   * @default no account is in an organization
   */
  organizationOf?: (accountId: string) => string | undefined;
}

/** A role session STS issued: what its temporary key stands for. */
export interface RoleSession {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The role's ARN, path included: the session's `aws:PrincipalArn`. */
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

/** What an AWS service knows of the resource it assumes a role for (`aws:SourceAccount`, `aws:SourceArn`). */
export interface ServiceSessionRequest {
  readonly sessionName: string;
  readonly sourceAccount?: string;
  readonly sourceArn?: string;
}

/** `arn:aws:iam::<account>:role/<path/><name>` */
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]+\/)?([\w+=,.@-]{1,64})$/;

/** A stable id for something the sandbox did not create (the default user). */
function derivedId(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 17).toUpperCase();
}

function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, 403);
}

/** Whether `role`'s trust policy lets `principal` call sts:AssumeRole in `context`. */
function trusts(role: RoleView, principal: PolicyPrincipal, context: ConditionContext): boolean {
  return evaluatePolicies([role.trustPolicy], { action: 'sts:AssumeRole', principal, context }) === 'Allow';
}

/**
 * The sandbox's STS: who am I, and role sessions whose temporary keys act in the role's
 * account on every sandbox service. AssumeRole is allowed as in AWS: the role must exist in the
 * sandbox IAM and its trust policy must allow the caller. Registered with the server, a session's
 * key signs requests (with its session token, until it expires); as the server's authorizer STS
 * also holds role sessions to their role's identity policies on every call.
 */
export class StsService implements SandboxService, RequestAuthorizer, SigningKeySource {
  readonly signingNames = ['sts'] as const;
  readonly protocol: Protocol = 'query';
  private readonly sessions = new Map<string, RoleSession>();
  /** Each session's secret and token, by access key id. */
  private readonly sessionSecrets = new Map<string, { secret: string; token: string }>();

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

  /** A session's key, secret, token and expiry, for the server to verify signatures with. */
  signingKey(accessKeyId: string): SigningKey | undefined {
    const session = this.sessions.get(accessKeyId);
    const secrets = this.sessionSecrets.get(accessKeyId);
    if (!session || !secrets) return undefined;
    return {
      accessKeyId,
      secretAccessKey: secrets.secret,
      sessionToken: secrets.token,
      accountId: session.accountId,
      expiration: session.expiration,
    };
  }

  /** Whether `roleArn` names a role of the sandbox IAM (whose trust policy can be evaluated). */
  hasRole(roleArn: string): boolean {
    return this.options.iam.roleByArn(roleArn) !== undefined;
  }

  /**
   * A session of `roleArn` for an AWS service principal (`states.amazonaws.com`), as the service
   * obtains one in-process: the role must exist and its trust policy allow the service, else
   * `AccessDenied` in the words Step Functions uses for its own role.
   */
  serviceSession(roleArn: string, service: string, request: ServiceSessionRequest): SandboxCredentials {
    const refused = accessDenied(
      `Neither the global service principal ${service}, nor the regional one is authorized to assume the provided role.`,
    );
    const role = this.options.iam.roleByArn(roleArn);
    if (!role) throw refused;
    const principal: PolicyPrincipal = { arn: service, principalArn: service, type: 'Service', service };
    const context = conditionContext(principal, undefined, {
      'aws:SourceAccount': request.sourceAccount,
      'aws:SourceArn': request.sourceArn,
    });
    if (!trusts(role, principal, context)) throw refused;
    const { session, secret, token } = this.issue(
      role,
      request.sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
      3600,
    );
    return { accessKeyId: session.accessKeyId, secretAccessKey: secret, sessionToken: token };
  }

  /** Who signed `req`, as GetCallerIdentity names it; `undefined` for unsigned requests. */
  callerArn(req: SandboxRequest): string | undefined {
    if (!req.accessKeyId) return undefined;
    return this.principalOf(req, this.options.iam.findAccessKey(req.accessKeyId)).arn;
  }

  /**
   * Hold a call signed by a role session to the role's identity policies (its inline policies:
   * the sandbox IAM has no managed policies). Long-term keys and the sandbox's default
   * credentials are not checked, nor sessions whose role the sandbox IAM does not hold.
   */
  authorize(req: SandboxRequest, operation: string, protocol: Protocol): void {
    const session = req.accessKeyId ? this.sessions.get(req.accessKeyId) : undefined;
    const role = session && this.options.iam.roleByArn(session.roleArn);
    const action = iamActionOf(req.service, operation);
    if (!session || !role || !action) return;
    const resource = requestedResource(req, operation, this.options.iam);
    // The resource's account: the one its ARN names, else the account the call acts in.
    const resourceAccount =
      (resource && /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(resource)?.[1]) || req.accountId;
    const denial = identityPolicyDenial({
      principal: this.sessionPrincipal(session),
      policies: Object.values(role.policies),
      action,
      resource,
      organizationId: this.options.organizationOf?.(session.accountId),
      resourceAccount,
      resourceOrganizationId: this.options.organizationOf?.(resourceAccount),
      request: req,
      protocol,
    });
    if (denial) throw denial;
  }

  private getCallerIdentity(req: SandboxRequest): XmlObject {
    const session = req.accessKeyId ? this.sessions.get(req.accessKeyId) : undefined;
    // The server has refused an expired session's requests already (ExpiredToken).
    if (session) {
      return { UserId: session.assumedRoleId, Account: session.accountId, Arn: session.arn };
    }
    const key = this.options.iam.authenticate(req);
    const user = key && this.options.iam.user(key.accountId, key.userName);
    if (user) return { UserId: user.userId, Account: user.accountId, Arn: user.arn };
    return {
      UserId: derivedId('AIDA', req.accountId),
      Account: req.accountId,
      Arn: `arn:aws:iam::${req.accountId}:user/sandbox`,
    };
  }

  /** The caller as policies see it: a role session, the IAM user owning the key, or the default user. */
  private principalOf(req: SandboxRequest, key: AccessKeyView | undefined): PolicyPrincipal {
    const session = req.accessKeyId ? this.sessions.get(req.accessKeyId) : undefined;
    if (session) return this.sessionPrincipal(session);
    const user = key && this.options.iam.user(key.accountId, key.userName);
    const accountId = user?.accountId ?? req.accountId;
    const arn = user?.arn ?? `arn:aws:iam::${accountId}:user/sandbox`;
    return { arn, principalArn: arn, accountId, type: 'User' };
  }

  private sessionPrincipal(session: RoleSession): PolicyPrincipal {
    return {
      arn: session.arn,
      principalArn: session.roleArn,
      accountId: session.accountId,
      type: 'AssumedRole',
    };
  }

  private assumeRole(req: SandboxRequest): XmlObject {
    const key = this.options.iam.authenticate(req);
    const params = queryParams(req);
    const roleArn = requiredParam(params, 'RoleArn');
    const sessionName = requiredParam(params, 'RoleSessionName');
    if (!ROLE_ARN.test(roleArn)) throw new AwsError('ValidationError', `${roleArn} is invalid`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    // Sessions last 15 minutes to 12 hours, and never longer than the role allows.
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    const caller = this.principalOf(req, key);
    const role = this.options.iam.roleByArn(roleArn);
    const context = conditionContext(
      caller,
      caller.accountId && this.options.organizationOf?.(caller.accountId),
      {
        'sts:ExternalId': params.get('ExternalId') ?? undefined,
      },
    );
    // A missing role and a trust policy that does not allow the caller answer alike, as in AWS.
    if (!role || !trusts(role, caller, context)) {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (durationSeconds > role.maxSessionDuration) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const { session, secret, token } = this.issue(role, sessionName, durationSeconds);
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: secret,
        SessionToken: token,
        Expiration: session.expiration,
      },
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
    };
  }

  /** Issue a session of `role`: its key signs as the session, in the role's account. */
  private issue(
    role: RoleView,
    sessionName: string,
    durationSeconds: number,
  ): { session: RoleSession; secret: string; token: string } {
    const issuedAt = new Date();
    const session: RoleSession = {
      // Temporary keys start with ASIA; long-term keys with AKIA.
      accessKeyId: iamId('ASIA', 16),
      accountId: role.accountId,
      roleArn: role.arn,
      roleName: role.roleName,
      sessionName,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`,
      issuedAt,
      expiration: new Date(issuedAt.getTime() + durationSeconds * 1000),
    };
    const secret = secretAccessKey();
    const token = randomBytes(192).toString('base64');
    this.sessions.set(session.accessKeyId, session);
    this.sessionSecrets.set(session.accessKeyId, { secret, token });
    return { session, secret, token };
  }
}
