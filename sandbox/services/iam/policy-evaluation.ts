import { matchesWildcard } from '#shared/policy/wildcard.ts';
import { type ConditionContext, conditionsHold } from './policy-conditions.ts';

/**
 * Who makes a request, as policies see it.
 * - an IAM user: `arn` and `principalArn` are the user's ARN;
 * - a role session: `arn` is `arn:aws:sts::<account>:assumed-role/<role>/<session>`,
 *   `principalArn` the role's ARN `arn:aws:iam::<account>:role/<path><role>`;
 * - an AWS service (`states.amazonaws.com`): `service` is set, no account;
 * - a whole account (another account's events on a bus): `arn` and `principalArn` are its root.
 */
export interface PolicyPrincipal {
  readonly arn: string;
  readonly principalArn: string;
  readonly accountId?: string;
  /** The value of `aws:PrincipalType`. */
  readonly type: 'User' | 'AssumedRole' | 'Service' | 'Account';
  readonly service?: string;
  /** `aws:userid`: a user's `AIDA…` id, a role session's `AROA…:<session name>`. */
  readonly userId?: string;
  /** `aws:username`: set for IAM users only. */
  readonly userName?: string;
  /**
   * Set when the caller signs with temporary credentials (a role session, GetSessionToken):
   * when they were issued (`aws:TokenIssueTime`) and whether MFA was used. Absent for
   * long-term access keys, whose requests carry neither key.
   */
  readonly session?: { readonly issuedAt: Date; readonly mfaAuthenticated: boolean };
}

/** One request to decide. */
export interface PolicyRequest {
  /** The IAM action, `<prefix>:<Action>` (`sts:AssumeRole`). */
  readonly action: string;
  /**
   * The caller, matched against `Principal` in resource policies (a role's trust policy).
   * Omit it for identity policies, whose statements name no principal.
   */
  readonly principal?: PolicyPrincipal;
  /** Condition keys and their values (see {@link conditionContext}). */
  readonly context: ConditionContext;
  /**
   * The ARN of the resource the request acts on, when the sandbox can tell it: statements then
   * apply only where their `Resource` (or `NotResource`) covers it. Omitted, see
   * {@link evaluatePolicies}.
   */
  readonly resource?: string;
}

/** An explicit Deny wins over any Allow; without either, the request is implicitly denied. */
export type PolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/**
 * Parsed documents: every signed call evaluates its caller's policies, which rarely change, so
 * each text is parsed once. Bounded, since documents are kept by their text.
 */
const parsedDocuments = new Map<string, Statement[]>();
const MAX_PARSED_DOCUMENTS = 2000;

function statementsOf(document: string): Statement[] {
  const cached = parsedDocuments.get(document);
  if (cached) return cached;
  const statements = parseStatements(document);
  if (parsedDocuments.size >= MAX_PARSED_DOCUMENTS) parsedDocuments.clear();
  parsedDocuments.set(document, statements);
  return statements;
}

function parseStatements(document: string): Statement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    // IAM validates documents when they are stored; an unreadable one grants nothing.
    return [];
  }
  const statement = (parsed as { Statement?: unknown } | null)?.Statement;
  return (Array.isArray(statement) ? statement : [statement]).filter(
    (s): s is Statement => typeof s === 'object' && s !== null,
  );
}

/** Action names match case-insensitively, with `*` and `?` wildcards (`ec2:Describe*`). */
export function actionMatches(action: string, pattern: string): boolean {
  return matchesWildcard(action.toLowerCase(), pattern.toLowerCase());
}

/**
 * `states.amazonaws.com` matches the service principal of that name, and so does its regional
 * form (`states.eu-west-1.amazonaws.com`), which AWS also accepts for the service (any region here).
 */
function servicePrincipalMatches(value: string, service: string): boolean {
  const wanted = value.toLowerCase();
  const name = service.toLowerCase();
  if (wanted === name) return true;
  const [prefix, ...rest] = name.split('.');
  return (
    rest.join('.') === 'amazonaws.com' &&
    new RegExp(`^${prefix}\\.[a-z0-9-]+\\.amazonaws\\.com$`).test(wanted)
  );
}

function principalEntryMatches(type: string, value: string, who: PolicyPrincipal): boolean {
  if (type === 'Service') return who.type === 'Service' && servicePrincipalMatches(value, who.service ?? '');
  if (type !== 'AWS') return false;
  if (value === '*') return true;
  // An account (`123456789012` or its `:root` ARN) stands for every principal of the account.
  const account = /^(\d{12})$/.exec(value)?.[1] ?? /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(value)?.[1];
  if (account) return who.type !== 'Service' && who.accountId === account;
  // A role's ARN matches its sessions; a session's own ARN matches that session.
  return value === who.principalArn || value === who.arn;
}

/** Whether a `Principal` element (`"*"`, `{ "AWS": [...] }`, `{ "Service": ... }`) names `who`. */
export function principalMatches(principal: unknown, who: PolicyPrincipal): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  return Object.entries(principal as Record<string, unknown>).some(([type, values]) =>
    list(values).some((value) => principalEntryMatches(type, value, who)),
  );
}

function appliesTo(statement: Statement, request: PolicyRequest): boolean {
  const { principal } = request;
  if (principal) {
    if (statement.Principal !== undefined) {
      if (!principalMatches(statement.Principal, principal)) return false;
    } else if (statement.NotPrincipal !== undefined) {
      if (principalMatches(statement.NotPrincipal, principal)) return false;
    } else {
      return false;
    }
  }
  if (statement.Action !== undefined) {
    if (!list(statement.Action).some((p) => actionMatches(request.action, p))) return false;
  } else if (statement.NotAction !== undefined) {
    if (list(statement.NotAction).some((p) => actionMatches(request.action, p))) return false;
  } else {
    return false;
  }
  return conditionsHold(statement.Condition, request.context) === true;
}

/** `arn:partition:service:region:account:resource`: the resource part may hold colons. */
function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Whether a `Resource` entry covers the resource ARN `arn`, as IAM matches them: `*` alone is
 * every resource; otherwise segment by segment (the parts between colons), `*` and `?` wildcards
 * within a segment, and in the resource part a `*` spans any characters, `/` included. Matching
 * is case-sensitive, IAM user and role names included.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export function resourceMatches(arn: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const value = arnSegments(arn);
  const wanted = arnSegments(pattern);
  // Fewer segments (`arn:aws:iam::*`): a trailing `*` reaches over the colons that follow.
  if (!value || !wanted) return matchesWildcard(arn, pattern);
  return wanted.every((part, i) => matchesWildcard(value[i] ?? '', part));
}

/**
 * Whether a statement applies to the request's resource. Where the sandbox knows the resource
 * (`request.resource`), its `Resource` or `NotResource` decides, as in IAM. Where it does not,
 * an Allow counts whatever its `Resource`, and a Deny only when it covers every resource (`"*"`):
 * the sandbox errs towards letting a call through rather than refusing one AWS would allow.
 */
function coversResource(statement: Statement, request: PolicyRequest): boolean {
  const { resource } = request;
  if (resource === undefined) {
    if (statement.Effect !== 'Deny') return true;
    if (statement.NotResource !== undefined) return false;
    return statement.Resource === undefined || list(statement.Resource).includes('*');
  }
  if (statement.Resource !== undefined)
    return list(statement.Resource).some((p) => resourceMatches(resource, p));
  if (statement.NotResource !== undefined)
    return !list(statement.NotResource).some((p) => resourceMatches(resource, p));
  return true;
}

/**
 * Evaluate policy documents (JSON text) for one request as IAM does within one account: an
 * applicable explicit Deny wins, otherwise an applicable Allow allows, otherwise the request is
 * implicitly denied. A statement applies when its Principal (resource policies only), Action,
 * Resource (see {@link coversResource}) and Condition all match; see {@link conditionsHold} for
 * the conditions understood.
 *
 * Written by hand: the published IAM simulators need the whole IAM service catalogue and a
 * resource ARN for every request, and the sandbox only ever needs this subset.
 */
export function evaluatePolicies(documents: readonly string[], request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      if (!appliesTo(statement, request) || !coversResource(statement, request)) continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      if (statement.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** The sandbox listens on the loopback interface: every signed request comes from there. */
export const SANDBOX_SOURCE_IP = '127.0.0.1';

/**
 * The global condition keys of a request by `principal`, as IAM puts them in the request
 * context (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
 * - always: `aws:CurrentTime`, `aws:EpochTime`, `aws:SecureTransport` (true: AWS endpoints are
 *   reached over TLS; the sandbox's plain HTTP stands in for it);
 * - a service: `aws:PrincipalServiceName`, `aws:PrincipalIsAWSService`;
 * - anyone else: `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
 *   `aws:PrincipalOrgID` (when the account is in an organization), `aws:userid`,
 *   `aws:username` (users), `aws:SourceIp` (the loopback address the sandbox listens on);
 * - temporary credentials only: `aws:TokenIssueTime` and `aws:MultiFactorAuthPresent`;
 * plus any request-specific `extra` keys (`sts:ExternalId`, `aws:SourceArn`...).
 */
export function conditionContext(
  principal: PolicyPrincipal,
  organizationId: string | undefined,
  extra: Readonly<Record<string, string | undefined>> = {},
  now: Date = new Date(),
): ConditionContext {
  const context = new Map<string, string | boolean>();
  context.set('aws:currenttime', now.toISOString());
  context.set('aws:epochtime', String(Math.floor(now.getTime() / 1000)));
  context.set('aws:securetransport', true);
  if (principal.type === 'Service') {
    context.set('aws:principalservicename', principal.service ?? principal.arn);
    context.set('aws:principalisawsservice', true);
  } else {
    context.set('aws:principalarn', principal.principalArn);
    context.set('aws:principaltype', principal.type);
    context.set('aws:principalisawsservice', false);
    context.set('aws:sourceip', SANDBOX_SOURCE_IP);
    if (principal.accountId) context.set('aws:principalaccount', principal.accountId);
    if (organizationId) context.set('aws:principalorgid', organizationId);
    if (principal.userId) context.set('aws:userid', principal.userId);
    if (principal.userName) context.set('aws:username', principal.userName);
  }
  if (principal.session) {
    context.set('aws:tokenissuetime', principal.session.issuedAt.toISOString());
    context.set('aws:multifactorauthpresent', principal.session.mfaAuthenticated);
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) context.set(key.toLowerCase(), value);
  }
  return context;
}
