import type {
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_stepfunctions as sfn,
  aws_sns as sns,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PlaybookFacts } from '#shared/playbooks/definition.ts';
import type { PlaybookRunbook } from './runbook.ts';

/** What every playbook builder is given: where to audit and where to notify. */
export interface PlaybookContext {
  /** The construct scope the playbook's states are created in. */
  readonly scope: Construct;
  /** The append-only audit table (read by steps that need the trail, such as undo's plan). */
  readonly auditTable: dynamodb.ITable;
  /** Appends an audit record, linked into its finding's hash chain (`functions/audit-append`). */
  readonly auditAppender: lambda.IFunction;
  /** Where the playbook notifies the on-call engineer. */
  readonly topic: sns.ITopic;
  /**
   * The function an approval gate hands its task token to (records the request and notifies).
   * Required by playbooks that use `approvalGate`. @default none
   */
  readonly approvalRequest?: lambda.IFunction;
  /**
   * Create a small helper Lambda for a step (computations JSONPath cannot express), with every
   * default of the product's one Lambda construct. Supplied by the infrastructure, so playbooks
   * never import it.
   */
  readonly createFunction: (id: string, props: PlaybookFunctionProps) => lambda.IFunction;
  /**
   * The state machines this playbook may hand over to as its last step, because a policy rule
   * names them as its `next:` (see `fragments/hand-over.ts`). @default none
   */
  readonly followUps?: readonly sfn.IStateMachine[];
  /**
   * A small mutable table (key `pk`) for coordination that must not live in the append-only
   * trail, such as which execution is acting on a resource (`fragments/resource-claim.ts`). @default none
   */
  readonly claims?: dynamodb.ITable;
}

/** A playbook's helper function: its handler and what differs per function. */
export interface PlaybookFunctionProps {
  /** Path of the handler module (`functions/<name>/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  /** @default 10 seconds */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * A function that reads or acts on the finding's resources itself: its calls, and the short name
   * (at most 28 characters) its role is known by in an organization. In a single account the calls
   * are granted to its own role; in an organization it makes them as the member role of the
   * finding's account, which it assumes (the role's name fits the pattern member roles trust, and
   * the calls join the member role's policy), as the state machine's own calls do. @default none:
   * a pure computation with no permissions
   */
  readonly memberAccess?: {
    readonly name: string;
    readonly calls: readonly iam.PolicyStatement[];
  };
}

/**
 * A state machine the stack deploys with a {@link PlaybookContext}: a playbook, or undo. The
 * builder returns its definition; the execution input of a playbook is always `PlaybookInput`.
 */
export interface StateMachineDefinition {
  readonly name: string;
  readonly description: string;
  /** Whether the playbook ends with the hand-over step, so a policy rule may name a `next:`. @default false */
  readonly handsOver?: boolean;
  /** Its steps in plain words, for the generated runbook (`remediate runbook`). @default none */
  readonly runbook?: PlaybookRunbook;
  /** The audit action whose `succeeded` record marks containment (the latency metric). @default none */
  readonly containmentAction?: string | null;
  build(ctx: PlaybookContext): sfn.IChainable;
}

/**
 * One playbook: its plain-data facts (`shared/playbooks/<name>.ts`: name, resource kinds,
 * containment action, undo, steps in plain language) and the builder of its states. Everything
 * else (infrastructure, least privilege, alarms, metrics, the member role, undo, the policy
 * check) derives from the definitions `registry.ts` lists.
 */
export interface PlaybookDefinition extends PlaybookFacts, StateMachineDefinition {
  readonly containmentAction: string | null;
}

/**
 * The input `classify` starts every playbook with (see functions/classify/route.ts).
 * `audit.pk` and `audit.resourceKey` are precomputed so that audit steps need no string logic.
 */
export interface PlaybookInput {
  finding: import('#shared/findings/finding.ts').Finding;
  decision: {
    playbook: string;
    mode: 'auto' | 'approve' | 'dry-run';
    ruleId: string;
    reason: string;
    /** Present when `mode` is `approve`: how long the gate waits, and what happens if nobody decides. */
    approval?: { timeoutMinutes: number; timeoutSeconds: number; onTimeout: 'proceed' | 'abandon' };
    /** The policy rule's free-form `params`, e.g. the ports revoke-open-ingress closes. */
    params?: Record<string, unknown>;
  };
  audit: { pk: string; resourceKey: string };
  /** Where the playbook acts; `roleArn` (the member role) only when the stack protects an organization. */
  target: { accountId: string; region: string; roleArn?: string };
}
