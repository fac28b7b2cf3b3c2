import { AwsError } from '../../protocol.ts';

/**
 * Step Functions names (state machines, executions): 1 to 80 characters, none of them whitespace,
 * brackets `< > { } [ ]`, wildcards `? *`, the specials `" # % \ ^ | ~ \` $ & , ; : /`, or control
 * characters (U+0000-001F, U+007F-009F), as the StartExecution and CreateStateMachine references say.
 */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;

function hasControlCharacter(name: string): boolean {
  return [...name].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}

/** Throw `InvalidName` unless `name` is a valid state machine or execution name. */
export function assertValidName(name: string): void {
  if (name.length < 1 || name.length > 80) {
    throw new AwsError('InvalidName', `Invalid Name: '${name}' (must be between 1 and 80 characters)`);
  }
  if (FORBIDDEN_NAME_CHARACTERS.test(name) || hasControlCharacter(name)) {
    throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
  }
}

/** The parts of a Step Functions ARN. */
export interface StatesArn {
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'stateMachine' | 'execution';
  /** The state machine's name. */
  readonly stateMachineName: string;
  /** The execution's name, for execution ARNs. */
  readonly executionName?: string;
}

const STATES_ARN =
  /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):([^:]+)(?::([^:]+))?$/;

/** Parse a state machine or execution ARN; throws `InvalidArn` for anything else. */
export function parseStatesArn(arn: unknown, expected: StatesArn['resourceType']): StatesArn {
  const match = typeof arn === 'string' ? STATES_ARN.exec(arn) : null;
  if (!match || match[3] !== expected || (expected === 'execution') !== (match[5] !== undefined)) {
    throw new AwsError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  }
  return {
    region: match[1]!,
    accountId: match[2]!,
    resourceType: expected,
    stateMachineName: match[4]!,
    executionName: match[5],
  };
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

/** `arn:aws:states:<region>:<account>:execution:<state machine>:<execution>` */
export function executionArn(stateMachine: string, executionName: string): string {
  const { region, accountId, stateMachineName } = parseStatesArn(stateMachine, 'stateMachine');
  return `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${executionName}`;
}

/** `arn:aws:iam::<account>:role/<path/name>`, as CreateStateMachine requires of `roleArn`. */
export function assertRoleArn(roleArn: unknown): asserts roleArn is string {
  if (typeof roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw new AwsError('InvalidArn', `Invalid Arn: '${String(roleArn)}'`);
  }
}
