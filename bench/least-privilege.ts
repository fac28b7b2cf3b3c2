import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchSection } from './stats.ts';

/** Why a wildcard is there: AWS offers no narrower form for these. */
const JUSTIFICATIONS: [RegExp, string][] = [
  [/^xray:/i, 'X-Ray trace segments have no resource-level permissions'],
  [
    /^logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/i,
    'Step Functions log delivery requires Resource "*" (AWS documentation)',
  ],
  [
    /^(ec2|autoscaling|elasticloadbalancing):Describe/i,
    'Describe* actions do not support resource-level permissions',
  ],
  [
    /^lambda:InvokeFunction$/i,
    'one named function and its versions (`arn` and `arn:*`), as CDK grants invoke',
  ],
  [
    /^states:DescribeExecution$/i,
    "executions of the product's own state machines, named only at run time: undo's planner reads one named machine's (`execution:<machine>:*`); quarantine reads the execution holding a resource claim, an execution of itself, whose ARN cannot appear in its own role policy (a circular reference), so executions of this account and region",
  ],
  [
    /^(iam|ec2|cloudtrail|s3|autoscaling|elasticloadbalancing):/i,
    'the resource is named by the finding, known only at run time: scoped to that resource type in this account (and region), with only the actions the playbook calls',
  ],
];

/**
 * Every IAM statement in the synthesized template whose Action or Resource is a wildcard, each
 * with its justification (or "none found", which is a finding).
 */
export function benchLeastPrivilege(root: string): BenchSection {
  const template = JSON.parse(readFileSync(path.join(root, 'cdk.out/AutoRemediation.template.json'), 'utf8'));
  const rows: string[] = [];
  let unjustified = 0;
  for (const [id, res] of Object.entries<any>(template.Resources)) {
    if (res.Type !== 'AWS::IAM::Policy') continue;
    for (const s of res.Properties.PolicyDocument.Statement) {
      const actions: string[] = [s.Action].flat();
      const resources = JSON.stringify(s.Resource);
      const wildAction = actions.some((a) => a.includes('*'));
      const wildResource = /"\*"|\/\*"|:\*"/.test(resources) || resources.includes('/*');
      if (!wildAction && !wildResource) continue;
      const why = actions.map((a) => JUSTIFICATIONS.find(([re]) => re.test(a))?.[1]).find(Boolean);
      if (!why) unjustified++;
      rows.push(
        `| ${id} | ${s.Effect} | ${actions.join(', ')} | ${resources.replace(/\|/g, '\\|').slice(0, 120)} | ${why ?? '**no justification found**'} |`,
      );
    }
  }
  return {
    title: 'Least privilege report',
    body: [
      'Every IAM statement of the synthesized template whose Action or Resource holds a wildcard.',
      '',
      '| policy | effect | actions | resource | why no narrower form |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      unjustified === 0
        ? 'Every wildcard above has a justification. Candidates for narrowing later: tag-based conditions (aws:ResourceTag) on the EC2 and IAM mutations.'
        : `**${unjustified} statement(s) without a justification.**`,
    ].join('\n'),
  };
}
