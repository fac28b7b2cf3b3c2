import { aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props of {@link OrganizationBus}. */
export interface OrganizationBusProps {
  /** The AWS Organizations id (`o-…`) whose accounts may put events on the bus. */
  readonly organizationId: string;
  /** @default OrganizationBus.DEFAULT_NAME */
  readonly eventBusName?: string;
}

/**
 * The security account's event bus for the organization: member accounts forward their
 * CloudTrail and Config events to it (GuardDuty and Security Hub findings already reach the
 * delegated administrator). Its resource policy lets any principal of the organization, and only
 * the organization, put events on it.
 */
export class OrganizationBus extends Construct {
  /** The bus name member stacks forward to. */
  public static readonly DEFAULT_NAME = 'remediation-findings';
  public readonly eventBus: events.EventBus;

  constructor(scope: Construct, id: string, props: OrganizationBusProps) {
    super(scope, id);
    if (!/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      throw new Error(`OrganizationBus: "${props.organizationId}" is not an organization id (o-…)`);
    }
    this.eventBus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName ?? OrganizationBus.DEFAULT_NAME,
      description: 'Findings and API calls forwarded by the organization member accounts',
    });
    this.eventBus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationMembersPutEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
  }
}
