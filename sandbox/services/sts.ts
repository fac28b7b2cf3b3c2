import type { AssumeRoleRequest, GetSessionTokenRequest } from '@aws-sdk/client-sts';
import type { SandboxCredentials } from '../aws-sdk-clients.ts';
import { AwsError, type Protocol, type SandboxRequest } from '../protocol.ts';
import { queryParams } from '../query-protocol.ts';
import type { RequestAuthorizer } from '../server.ts';
import type { SigningKey, SigningKeySource } from '../signing/signing-keys.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { type Caller, callerOf, rootCaller } from './iam/callers.ts';
import { iamActionOf } from './iam/iam-actions.ts';
import type { ConditionContext } from './iam/policy-conditions.ts';
import { conditionContext, evaluatePolicies, type PolicyPrincipal } from './iam/policy-evaluation.ts';
import { authorizeCall } from './iam/request-authorization.ts';
import type { ResourceLookups } from './iam/request-resources.ts';
import type { ResourcePolicyStore } from './iam/resource-policies.ts';
import type { IamService, RoleView } from './iam.ts';
import { type IssuedCredentials, type RoleSession, SessionStore } from './sts-sessions.ts';

export type { RoleSession, UserSession } from './sts-sessions.ts';

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
  /** Where the resources of a call are looked up (see `requestResources`). @default none */
  resources?: ResourceLookups;
  /** The resource policies evaluated with identity policies. @default none */
  resourcePolicies?: ResourcePolicyStore;
}

/** What an AWS service knows of the resource it assumes a role for (`aws:SourceAccount`, `aws:SourceArn`). */
export interface ServiceSessionRequest {
  readonly sessionName: string;
  readonly sourceAccount?: string;
  readonly sourceArn?: string;
  /** @default 3600 */
  readonly durationSeconds?: number;
}

/** `arn:aws:iam::<account>:role/<path/><name>` */
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]+\/)?([\w+=,.@-]{1,64})$/;

function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, 403);
}

/** Whether `role`'s trust policy lets `principal` call sts:AssumeRole in `context`. */
function trusts(role: RoleView, principal: PolicyPrincipal, context: ConditionContext): boolean {
  return evaluatePolicies([role.trustPolicy], { action: 'sts:AssumeRole', principal, context }) === 'Allow';
}

/** An STS `DurationSeconds` outside its range, worded as STS words it. */
function durationError(value: number, bound: string): AwsError {
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${bound}`,
  );
}

/**
 * The sandbox's STS: who am I, role sessions (AssumeRole) and GetSessionToken credentials,
 * whose temporary keys act in their account on every sandbox service. AssumeRole is allowed as
 * in AWS: the role must exist in the sandbox IAM and its trust policy must allow the caller.
 * As the server's authorizer it holds every signed call to its caller's identity policies
 * (see {@link StsService.authorize}).
 */
export class StsService extends ModelService implements RequestAuthorizer, SigningKeySource {
  readonly signingNames = ['sts'] as const;
  readonly protocol = 'query' as const;
  private readonly sessions: SessionStore;

  protected readonly model = new ServiceModel('@aws-sdk/client-sts', 'STSClient');
  protected readonly operations: Record<string, OperationHandler> = {
    GetCallerIdentity: (req) => this.getCallerIdentity(req),
    AssumeRole: (req, input) => this.assumeRole(req, input),
    GetSessionToken: (req, input) => this.getSessionToken(req, input),
  };

  constructor(private readonly options: StsServiceOptions) {
    super();
    this.sessions = new SessionStore();
  }

  /** The role session a temporary access key belongs to, if STS issued it by AssumeRole. */
  session(accessKeyId: string): RoleSession | undefined {
    return this.sessions.role(accessKeyId);
  }

  /** A session's key, secret, token and expiry, for the server to verify signatures with. */
  signingKey(accessKeyId: string): SigningKey | undefined {
    return this.sessions.signingKey(accessKeyId);
  }

  /** Whether `roleArn` names a role of the sandbox IAM (whose trust policy can be evaluated). */
  hasRole(roleArn: string): boolean {
    return this.options.iam.roleByArn(roleArn) !== undefined;
  }

  /**
   * A session of `roleArn` for an AWS service principal (`states.amazonaws.com`,
   * `ec2.amazonaws.com` for an instance profile's role), as the service obtains one in-process:
   * the role must exist and its trust policy allow the service, else `AccessDenied` in the
   * words Step Functions uses for its own role.
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
    const { credentials } = this.sessions.issueRoleSession(
      role,
      request.sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
      request.durationSeconds ?? 3600,
    );
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    return { accessKeyId, secretAccessKey, sessionToken };
  }

  /** Who signed `req`, as GetCallerIdentity names it; `undefined` for unsigned requests. */
  callerArn(req: SandboxRequest): string | undefined {
    // For the call log only: look the key up without authenticating it again.
    const caller = callerOf(req, this.options.iam, this.sessions, (r) =>
      r.accessKeyId ? this.options.iam.findAccessKey(r.accessKeyId) : undefined,
    );
    return caller.kind === 'unsigned' ? undefined : caller.principal.arn;
  }

  /**
   * Authorize a signed call as IAM does
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
   * an Inactive or deleted access key is refused on every service; a role session, an IAM user's
   * long-term key and a user's GetSessionToken credentials are held to the role's or user's
   * identity policies and the policies of the resources the call acts on (see
   * {@link authorizeCall}), with the request context of {@link conditionContext}. The sandbox's
   * own credentials act as an account's root user, which only resource policies can refuse;
   * unsigned requests are not checked here.
   */
  async authorize(req: SandboxRequest, operation: string, protocol: Protocol): Promise<void> {
    const caller = this.authenticatedCaller(req, protocol);
    const action = iamActionOf(req.service, operation);
    if (caller.kind === 'unsigned' || !action) return;
    const { principal } = caller;
    if (caller.kind === 'identity' && caller.fromGetSessionToken && req.service === 'iam') {
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
      throw accessDenied(
        `User: ${principal.arn} is not authorized to perform: ${action} because credentials from GetSessionToken without MFA cannot call IAM`,
      );
    }
    if (caller.kind === 'identity' && action === 'sts:AssumeRole' && this.trustAloneAllows(req, principal))
      return;
    const { iam } = this.options;
    await authorizeCall({
      caller,
      action,
      request: req,
      protocol,
      lookups: {
        iamUser: (account, name) => iam.user(account, name)?.arn,
        iamRole: (account, name) => iam.role(account, name)?.arn,
        iamAccessKeyUser: (keyId) => {
          const key = iam.findAccessKey(keyId);
          return key && iam.user(key.accountId, key.userName)?.arn;
        },
        ...this.options.resources,
      },
      resourcePolicies: this.options.resourcePolicies,
      organizationOf: this.options.organizationOf,
    });
  }

  /** The caller of `req`; a refused key answers in the words of the service called. */
  private authenticatedCaller(req: SandboxRequest, protocol: Protocol): Caller {
    try {
      return callerOf(req, this.options.iam, this.sessions, (r) => this.options.iam.authenticate(r));
    } catch (err) {
      // S3 names a key it does not accept InvalidAccessKeyId; every other service InvalidClientTokenId.
      if (protocol === 'rest-xml' && err instanceof AwsError && err.code === 'InvalidClientTokenId') {
        throw new AwsError(
          'InvalidAccessKeyId',
          'The AWS Access Key Id you provided does not exist in our records.',
          403,
        );
      }
      throw err;
    }
  }

  /**
   * Within one account, a trust policy that names the caller itself (its ARN, or `*`) lets it
   * assume the role without an identity policy allowing sts:AssumeRole; one that names only the
   * account delegates the decision to the account's identity policies, as does any other account.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_resource.html
   */
  private trustAloneAllows(req: SandboxRequest, principal: PolicyPrincipal): boolean {
    const role = this.options.iam.roleByArn(queryParams(req).get('RoleArn') ?? '');
    if (!role || role.accountId !== principal.accountId) return false;
    const context = conditionContext(principal, this.options.organizationOf?.(role.accountId), {
      'sts:ExternalId': queryParams(req).get('ExternalId') ?? undefined,
    });
    return trusts(role, { ...principal, accountId: undefined }, context);
  }

  private getCallerIdentity(req: SandboxRequest): object {
    const expiration = (this.sessions.role(req.accessKeyId) ?? this.sessions.user(req.accessKeyId))
      ?.expiration;
    if (expiration && expiration.getTime() <= Date.now()) {
      throw new AwsError('ExpiredToken', 'The security token included in the request is expired');
    }
    const caller = callerOf(req, this.options.iam, this.sessions, (r) => this.options.iam.authenticate(r));
    const principal = caller.kind === 'unsigned' ? rootCaller(req.accountId) : caller.principal;
    return { UserId: principal.userId, Account: principal.accountId ?? req.accountId, Arn: principal.arn };
  }

  /**
   * GetSessionToken: temporary credentials with the permissions of the long-term key that asks
   * (an IAM user's, or the sandbox's own, which act as the root user). Needs no permission, and
   * may not be called with temporary credentials. Duration 900 s to 36 hours, 12 by default;
   * a root user's is cut to one hour.
   * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
   */
  private getSessionToken(req: SandboxRequest, params: GetSessionTokenRequest): object {
    if (this.sessions.role(req.accessKeyId) || this.sessions.user(req.accessKeyId)) {
      throw accessDenied('Cannot call GetSessionToken with session credentials');
    }
    if (params.SerialNumber || params.TokenCode) {
      throw accessDenied(
        'The sandbox has no MFA devices: GetSessionToken with SerialNumber is not supported',
      );
    }
    const durationSeconds = params.DurationSeconds ?? 43_200;
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900)
      throw durationError(durationSeconds, 'greater than or equal to 900');
    if (durationSeconds > 129_600) throw durationError(durationSeconds, 'less than or equal to 129600');
    const key = this.options.iam.authenticate(req);
    const accountId = key?.accountId ?? req.accountId;
    const issued = this.sessions.issueUserSession(
      accountId,
      key?.userName,
      key ? durationSeconds : Math.min(durationSeconds, 3600),
    );
    return { Credentials: credentialsXml(issued) };
  }

  private assumeRole(
    req: SandboxRequest,
    params: WithRequired<AssumeRoleRequest, 'RoleArn' | 'RoleSessionName'>,
  ): object {
    const roleArn = params.RoleArn;
    const sessionName = params.RoleSessionName;
    if (!ROLE_ARN.test(roleArn)) throw new AwsError('ValidationError', `${roleArn} is invalid`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const durationSeconds = params.DurationSeconds ?? 3600;
    // Sessions last 15 minutes to 12 hours, and never longer than the role allows.
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    const caller = callerOf(req, this.options.iam, this.sessions, (r) => this.options.iam.authenticate(r));
    const principal = caller.kind === 'unsigned' ? rootCaller(req.accountId) : caller.principal;
    const role = this.options.iam.roleByArn(roleArn);
    const context = conditionContext(
      principal,
      principal.accountId && this.options.organizationOf?.(principal.accountId),
      { 'sts:ExternalId': params.ExternalId },
    );
    // A missing role and a trust policy that does not allow the caller answer alike, as in AWS.
    if (!role || !trusts(role, principal, context)) {
      throw accessDenied(
        `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (durationSeconds > role.maxSessionDuration) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const { session, credentials } = this.sessions.issueRoleSession(role, sessionName, durationSeconds);
    return {
      Credentials: credentialsXml(credentials),
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
    };
  }
}

/** The `<Credentials>` element of AssumeRole and GetSessionToken. */
function credentialsXml(credentials: IssuedCredentials): object {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration,
  };
}
