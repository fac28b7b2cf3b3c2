import { createHash } from 'node:crypto';
import NodeEvaluator from 'cfn-resolver-lib';
import type { Template } from './assembly.ts';

/** Where a stack is "deployed" in the sandbox. */
export interface DeployTarget {
  stackName: string;
  accountId: string;
  region: string;
  /** The sandbox endpoint, used in SQS queue URLs. */
  endpoint: string;
}

/** The names CloudFormation would give a resource and the values its Ref and Fn::GetAtt return. */
export interface PhysicalResource {
  logicalId: string;
  type: string;
  name: string;
  arn: string;
  ref: string;
  attributes: Record<string, string>;
}

/** CloudFormation-style generated names: `<stack>-<logicalId>-<suffix>`, within the type's length limit. */
function generatedName(target: DeployTarget, logicalId: string, maxLength: number): string {
  const suffix = createHash('sha256').update(`${target.stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  const head = `${target.stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1);
  return `${head}-${suffix}`;
}

/** Compute the physical identity of every resource, the way CloudFormation names them. */
export function physicalResources(template: Template, target: DeployTarget): Map<string, PhysicalResource> {
  const { accountId: acct, region } = target;
  const out = new Map<string, PhysicalResource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    const named = (key: string, max: number) => (typeof p[key] === 'string' ? (p[key] as string) : generatedName(target, logicalId, max));
    let r: Omit<PhysicalResource, 'logicalId' | 'type'>;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName', 255);
        const arn = `arn:aws:dynamodb:${region}:${acct}:table/${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/sandbox` } };
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', 64);
        const arn = `arn:aws:lambda:${region}:${acct}:function:${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn } };
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const name = named('StateMachineName', 80);
        const arn = `arn:aws:states:${region}:${acct}:stateMachine:${name}`;
        r = { name, arn, ref: arn, attributes: { Arn: arn, Name: name } };
        break;
      }
      case 'AWS::SNS::Topic': {
        const name = named('TopicName', 256);
        const arn = `arn:aws:sns:${region}:${acct}:${name}`;
        r = { name, arn, ref: arn, attributes: { TopicArn: arn, TopicName: name } };
        break;
      }
      case 'AWS::SQS::Queue': {
        const name = named('QueueName', 80);
        const arn = `arn:aws:sqs:${region}:${acct}:${name}`;
        const url = `${target.endpoint}/${acct}/${name}`;
        r = { name, arn, ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
        break;
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName', 64);
        const arn = `arn:aws:iam::${acct}:role/${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn, RoleId: `AROA${logicalId.slice(0, 16).toUpperCase()}` } };
        break;
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', 64);
        const arn = `arn:aws:events:${region}:${acct}:rule/${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn } };
        break;
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', 512);
        const arn = `arn:aws:logs:${region}:${acct}:log-group:${name}:*`;
        r = { name, arn, ref: name, attributes: { Arn: arn } };
        break;
      }
      default: {
        const name = generatedName(target, logicalId, 128);
        r = { name, arn: `arn:aws:sandbox:${region}:${acct}:${logicalId}`, ref: name, attributes: {} };
      }
    }
    out.set(logicalId, { logicalId, type: resource.Type, ...r });
  }
  return out;
}

/**
 * Resolve every intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, pseudo parameters, ...)
 * with cfn-resolver-lib, given the physical identities computed above.
 */
export function resolveTemplate(template: Template, target: DeployTarget, physical: Map<string, PhysicalResource>): Template {
  const refs: Record<string, unknown> = {
    'AWS::Region': target.region,
    'AWS::AccountId': target.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': target.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${target.region}:${target.accountId}:stack/${target.stackName}/sandbox`,
    'AWS::NoValue': undefined,
  };
  const getAtts: Record<string, Record<string, unknown>> = {};
  for (const r of physical.values()) {
    refs[r.logicalId] = r.ref;
    getAtts[r.logicalId] = r.attributes;
  }
  // CDK's bootstrap version parameter is the only parameter a default-synthesized stack has.
  refs.BootstrapVersion = '/cdk-bootstrap/hnb659fds/version';
  return new NodeEvaluator(template, { RefResolvers: refs, 'Fn::GetAttResolvers': getAtts }).evaluateNodes() as Template;
}
