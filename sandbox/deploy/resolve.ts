import { createHash } from 'node:crypto';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { functionUrlAddress, functionUrlId } from '../services/function-urls.ts';
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

/**
 * What a generated name is derived from: the stack and logical id, plus the account and region
 * when they are not the sandbox's default. The same stack deployed in two regions (or accounts)
 * then gets distinct names, as CloudFormation's random suffixes would give it, while a default
 * deployment keeps the names it always had.
 */
function identity(target: DeployTarget, logicalId: string): string {
  const base = `${target.stackName}/${logicalId}`;
  const isDefault = target.accountId === SANDBOX_ACCOUNT_ID && target.region === SANDBOX_REGION;
  return isDefault ? base : `${base}/${target.accountId}/${target.region}`;
}

/** CloudFormation-style generated names: `<stack>-<logicalId>-<suffix>`, within the type's length limit. */
function generatedName(target: DeployTarget, logicalId: string, maxLength: number): string {
  const suffix = createHash('sha256')
    .update(identity(target, logicalId))
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  const head = `${target.stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1);
  return `${head}-${suffix}`;
}

/** Compute the physical identity of every resource, the way CloudFormation names them. */
export function physicalResources(template: Template, target: DeployTarget): Map<string, PhysicalResource> {
  const { accountId: acct, region } = target;
  const out = new Map<string, PhysicalResource>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    // A name given in the template may be built from pseudo parameters (`name-${AWS::Region}`).
    const named = (key: string, max: number) =>
      p[key] === undefined ? generatedName(target, logicalId, max) : physicalName(p[key], target, logicalId);
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
        const rolePath = typeof p.Path === 'string' ? p.Path : '/';
        const arn = `arn:aws:iam::${acct}:role${rolePath}${name}`;
        r = {
          name,
          arn,
          ref: name,
          attributes: { Arn: arn, RoleId: `AROA${logicalId.slice(0, 16).toUpperCase()}` },
        };
        break;
      }
      case 'AWS::Events::Rule': {
        const name = named('Name', 64);
        // A rule on a custom bus has the bus in its ARN.
        const bus = busName(template, p.EventBusName);
        const arn = `arn:aws:events:${region}:${acct}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn } };
        break;
      }
      case 'AWS::Events::EventBus': {
        const name = named('Name', 256);
        const arn = `arn:aws:events:${region}:${acct}:event-bus/${name}`;
        r = { name, arn, ref: name, attributes: { Arn: arn, Name: name } };
        break;
      }
      case 'AWS::Lambda::Url': {
        const urlId = functionUrlId(identity(target, logicalId));
        const url = functionUrlAddress(target.endpoint, urlId);
        const arn = `arn:aws:lambda:${region}:${acct}:url:${urlId}`;
        r = { name: urlId, arn, ref: arn, attributes: { FunctionUrl: url, FunctionArn: arn } };
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        const name = named('Name', 256);
        // Secrets Manager appends six random characters to the secret's name in its ARN.
        const arn = `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-${generatedName(target, logicalId, 20).slice(-6)}`;
        r = { name, arn, ref: arn, attributes: { Id: arn } };
        break;
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', 512);
        const arn = `arn:aws:logs:${region}:${acct}:log-group:${name}:*`;
        r = { name, arn, ref: name, attributes: { Arn: arn } };
        break;
      }
      case 'AWS::KMS::Key': {
        // HMAC keys compute MACs (sandbox/services/kms.ts); the sandbox stores data unencrypted.
        const hex = createHash('sha256').update(identity(target, logicalId)).digest('hex');
        const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
        const arn = `arn:aws:kms:${region}:${acct}:key/${keyId}`;
        r = { name: keyId, arn, ref: keyId, attributes: { Arn: arn, KeyId: keyId } };
        break;
      }
      case 'AWS::KMS::Alias': {
        // Ref returns the alias name (`alias/…`), which its template always sets.
        const name = named('AliasName', 256);
        r = { name, arn: `arn:aws:kms:${region}:${acct}:${name}`, ref: name, attributes: {} };
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        // Not emulated (nothing in the sandbox evaluates alarms), but named and referable as in AWS.
        const name = named('AlarmName', 255);
        const arn = `arn:aws:cloudwatch:${region}:${acct}:alarm:${name}`;
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

/** The name of the bus a rule's `EventBusName` designates: a name, an ARN or a Ref to a bus of the template. */
function busName(template: Template, value: unknown): string {
  if (value === undefined) return 'default';
  if (typeof value === 'string') return value.split(':event-bus/').pop() as string;
  const ref = (value as { Ref?: unknown }).Ref;
  const bus = typeof ref === 'string' ? template.Resources[ref] : undefined;
  const name = bus?.Type === 'AWS::Events::EventBus' ? bus.Properties?.Name : undefined;
  if (typeof name !== 'string')
    throw new Error(`a rule's EventBusName must name a bus or Ref a named AWS::Events::EventBus`);
  return name;
}

/**
 * Resolve the intrinsics a CDK-synthesized template uses: Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split and the pseudo parameters. Written here because cfn-resolver-lib, the
 * npm library for this, collapses every single-key object it meets (an event pattern's
 * `{"eventName": [...]}` becomes the bare array), which corrupts rules and state machines.
 */
export function resolveTemplate(
  template: Template,
  target: DeployTarget,
  physical: Map<string, PhysicalResource>,
): Template {
  const refs = pseudoParameters(target);
  for (const r of physical.values()) refs.set(r.logicalId, r.ref);
  const getAtt = (logicalId: string, attribute: string): unknown => {
    const value = physical.get(logicalId)?.attributes[attribute];
    if (value === undefined)
      throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not known to the sandbox`);
    return value;
  };
  return resolveIntrinsics(template, refs, getAtt) as Template;
}

/** The pseudo parameters CloudFormation resolves `Ref` to, for this target. */
function pseudoParameters(target: DeployTarget): Map<string, unknown> {
  return new Map<string, unknown>([
    ['AWS::Region', target.region],
    ['AWS::AccountId', target.accountId],
    ['AWS::Partition', 'aws'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['AWS::StackName', target.stackName],
    [
      'AWS::StackId',
      `arn:aws:cloudformation:${target.region}:${target.accountId}:stack/${target.stackName}/sandbox`,
    ],
    // CDK's bootstrap version parameter is the only parameter a default-synthesized stack has.
    ['BootstrapVersion', '/cdk-bootstrap/hnb659fds/version'],
  ]);
}

/** A physical name the template gives, resolved: text, or intrinsics over pseudo parameters. */
function physicalName(value: unknown, target: DeployTarget, logicalId: string): string {
  const resolved = resolveIntrinsics(value, pseudoParameters(target), (id) => {
    throw new Error(`${logicalId}: a physical name built from ${id}'s attributes is not supported`);
  });
  if (typeof resolved !== 'string') throw new Error(`${logicalId}: its name does not resolve to text`);
  return resolved;
}

/** Resolve Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub in `node`. */
function resolveIntrinsics(
  node: unknown,
  refs: ReadonlyMap<string, unknown>,
  getAtt: (logicalId: string, attribute: string) => unknown,
): unknown {
  const ref = (name: string): unknown => {
    if (!refs.has(name)) throw new Error(`Ref to unknown resource or parameter ${name}`);
    return refs.get(name);
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node as Record<string, unknown>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      if (key === 'Ref') return ref(arg as string);
      if (key === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return getAtt(id as string, attr as string);
      }
      if (key === 'Fn::Join') {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).join(sep);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [unknown, unknown];
        return (resolve(list) as unknown[])[Number(resolve(index))];
      }
      if (key === 'Fn::Split') {
        const [sep, text] = arg as [string, unknown];
        return String(resolve(text)).split(sep);
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [arg as string, {}];
        const local = resolve(vars) as Record<string, unknown>;
        return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          if (name in local) return String(local[name]);
          if (name.includes('.')) {
            const [id, attr] = name.split('.');
            return String(getAtt(id as string, attr as string));
          }
          return String(ref(name));
        });
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return resolve(node);
}
