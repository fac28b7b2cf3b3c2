import { isRegionName } from '#shared/text/formats.ts';

/**
 * Where a person follows a playbook after deciding: the execution in the Step Functions console,
 * and the audit timeline on the command line.
 */

/** The console's host per partition (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
const CONSOLE_HOSTS: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `https://${region}.console.aws.amazon.com`,
  'aws-us-gov': () => 'https://console.amazonaws-us-gov.com',
  'aws-cn': () => 'https://console.amazonaws.cn',
};

/** `arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>` */
const EXECUTION_ARN = /^arn:([a-z-]+):states:([a-z0-9-]+):\d{12}:execution:[^:]+:[^:]+$/;

/**
 * The execution's page in the Step Functions console (its graph, events and input/output), or
 * undefined when `executionArn` is not an execution ARN of a known partition. The console names
 * an execution by its ARN in the fragment of `states/home`.
 */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const match = EXECUTION_ARN.exec(executionArn);
  const [, partition = '', region = ''] = match ?? [];
  const host = CONSOLE_HOSTS[partition];
  if (!match || !host || !isRegionName(region)) return undefined;
  return `${host(region)}/states/home?region=${region}#/v2/executions/details/${encodeURI(executionArn)}`;
}

/** A word for a POSIX shell: as it is when it is plainly safe, else in single quotes. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9._:/@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command that prints the finding's audit timeline. */
export function auditCommand(findingId: string): string {
  return `remediate audit --finding ${shellWord(findingId)}`;
}
