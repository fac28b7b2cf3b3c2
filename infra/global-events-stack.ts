import { Aws, CfnRule, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  eventBusArn,
  forwardEvents,
  GLOBAL_SERVICE_EVENTS_REGION,
  GLOBAL_SOURCES,
} from './constructs/event-forwarding.ts';

/** Props of {@link GlobalEventsStack}. */
export interface GlobalEventsStackProps extends StackProps {
  /** The region the remediation stack that handles global-service events is deployed in. */
  readonly home: string;
}

/**
 * For a remediation stack deployed outside us-east-1: deployed in us-east-1 of the same account,
 * it forwards the global-service events (root `CreateAccessKey`, `ConsoleLogin`), which AWS
 * delivers there only, to the default bus of the stack's region, where its rules see them. Member
 * accounts need nothing more: their member stacks forward these events to that region already.
 */
export class GlobalEventsStack extends Stack {
  constructor(scope: Construct, id: string, props: GlobalEventsStackProps) {
    super(scope, id, props);
    forwardEvents(this, {
      to: `this account's default bus in ${props.home}`,
      sources: GLOBAL_SOURCES.map((source) => ({
        source,
        busArn: eventBusArn(Aws.ACCOUNT_ID, 'default', props.home),
      })),
    });
    // Anywhere else its rules would never match: refuse the deployment rather than do nothing.
    new CfnRule(this, 'DeployedInUsEast1', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, GLOBAL_SERVICE_EVENTS_REGION),
          assertDescription: `Deploy this stack in ${GLOBAL_SERVICE_EVENTS_REGION}: AWS delivers IAM, STS and sign-in events there only`,
        },
      ],
    });
  }
}
