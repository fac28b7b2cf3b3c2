import {
  type CfnElement,
  type aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
  Validations,
} from 'aws-cdk-lib';
import type { PlaybookContext, PlaybookFunctionProps } from '../playbook.ts';
import { catchToHuman } from './needs-human.ts';

/** Props of {@link plannerFunction}. */
export interface PlannerProps {
  /** The function's construct id, unique in the stack (for example `PlanIngressRevocation`). */
  readonly id: string;
  /** The handler's source file. */
  readonly entry: string;
  readonly description: string;
  /**
   * The needs-human path a failed invocation goes to. @default none: failures propagate (inside a
   * Map, which catches them)
   */
  readonly human?: sfn.IChainable;
  /**
   * The reads (or calls) it makes on the finding's resources, as the member role in an
   * organization (`PlaybookFunctionProps.memberAccess`). @default none: it reads nothing
   */
  readonly memberAccess?: PlaybookFunctionProps['memberAccess'];
}

/** A playbook's planner: its function, and the state that invokes it. */
export interface Planner {
  readonly fn: lambda.IFunction;
  /**
   * A state invoking the planner with `payload` (values may be `sfn.JsonPath` paths), its answer
   * put at `resultPath`; any failure goes to the needs-human path.
   */
  invoke(id: string, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke;
}

/**
 * A function a playbook asks what to change (which rules, which permissions, which settings), or
 * what stands on a resource when state-language reads and the choices shaping their answers would
 * cost many more transitions. A pure computation reads nothing and calls nothing, so its role has
 * only the logging grants the stack gives every function; one with `memberAccess` has exactly its
 * reads, or in an organization the member role it assumes has them. Step Functions invokes it with `lambda:InvokeFunction` on the function and
 * `<arn>:*`, which CDK grants for its versions and aliases; that suffix is acknowledged here once.
 */
export function plannerFunction(ctx: PlaybookContext, props: PlannerProps): Planner {
  const { scope } = ctx;
  const fn = ctx.createFunction(props.id, {
    entry: props.entry,
    description: props.description,
    ...(props.memberAccess ? { memberAccess: props.memberAccess } : {}),
  });
  // A planner defined elsewhere (an imported function) has no logical id here, and no grant to acknowledge.
  const resource = fn.node.defaultChild as CfnElement | undefined;
  const logicalId = resource ? Stack.of(scope).getLogicalId(resource) : 'none';
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    reason: `The ":*" suffix CDK grants covers the versions and aliases of the ${props.id} function only; it is this state machine's own function.`,
  });
  return {
    fn,
    invoke(id, payload, resultPath) {
      const task = new tasks.LambdaInvoke(scope, id, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject(payload),
        resultPath,
      });
      return props.human ? catchToHuman(task, props.human) : task;
    },
  };
}
