import type { EventTarget } from '../services/events/model.ts';
import type { BusPolicyStatement, EventsService } from '../services/events.ts';
import type { Template } from './assembly.ts';
import type { DeployTarget, PhysicalResource } from './resolve.ts';

/**
 * Create the stack's event buses (`AWS::Events::EventBus`), keep their policy statements
 * (`AWS::Events::EventBusPolicy`), and register its rules (`AWS::Events::Rule`) on the bus each
 * names, with their targets, in the target account and region.
 */
export function deployEvents(
  template: Template,
  physical: Map<string, PhysicalResource>,
  target: DeployTarget,
  events: EventsService,
): void {
  const scope = { accountId: target.accountId, region: target.region };
  const of = (type: string) => [...physical.values()].filter((r) => r.type === type);
  const props = (r: PhysicalResource) => template.Resources[r.logicalId]?.Properties ?? {};

  for (const bus of of('AWS::Events::EventBus')) events.createEventBus(bus.name, scope);
  for (const policy of of('AWS::Events::EventBusPolicy')) {
    const p = props(policy);
    const statement: BusPolicyStatement = p.Statement ?? {
      // The older form: one account (or the organization, by condition) allowed to PutEvents.
      Sid: p.StatementId,
      Effect: 'Allow',
      Principal: p.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${p.Principal}:root` },
      Action: p.Action,
      Resource: `arn:aws:events:${target.region}:${target.accountId}:event-bus/${p.EventBusName ?? 'default'}`,
      Condition: p.Condition ? { StringEquals: { [p.Condition.Key]: p.Condition.Value } } : undefined,
    };
    events.putPermission(p.EventBusName ?? 'default', { Sid: p.StatementId, ...statement }, scope);
  }
  for (const rule of of('AWS::Events::Rule')) {
    const p = props(rule);
    const eventBusName: string | undefined = p.EventBusName;
    events.putRule({
      name: rule.name,
      eventBusName,
      eventPattern: p.EventPattern,
      state: p.State ?? 'ENABLED',
      description: p.Description,
      ...scope,
    });
    const targets: EventTarget[] = (p.Targets ?? []).map((t: Record<string, any>) => ({
      id: t.Id,
      arn: t.Arn,
      input: t.Input,
      inputPath: t.InputPath,
      inputTransformer: t.InputTransformer
        ? { inputPathsMap: t.InputTransformer.InputPathsMap, inputTemplate: t.InputTransformer.InputTemplate }
        : undefined,
      deadLetterArn: t.DeadLetterConfig?.Arn,
      retryAttempts: t.RetryPolicy?.MaximumRetryAttempts,
      roleArn: t.RoleArn,
    }));
    events.putTargets(rule.name, targets, eventBusName, scope);
  }
}
