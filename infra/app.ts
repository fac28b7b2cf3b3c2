import path from 'node:path';
import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { PolicyError } from '#shared/errors.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { checkPolicyPlaybooks } from '#shared/policy/playbook-checks.ts';
import { playbooks } from '#statemachines/registry.ts';
import { parseStackConfig } from './config.ts';
import { GLOBAL_SERVICE_EVENTS_REGION, globalEventsRegion } from './constructs/event-forwarding.ts';
import { GlobalEventsStack } from './global-events-stack.ts';
import { MemberStack } from './member-stack.ts';
import { RemediationStack } from './remediation-stack.ts';

/** Build the CDK app: validated context, validated policy, one stack, cdk-nag packs applied. */
export function buildApp(app = new App()): {
  app: App;
  stack: RemediationStack;
  member?: MemberStack;
  memberRegion?: MemberStack;
  globalEvents?: GlobalEventsStack;
} {
  const config = parseStackConfig(app.node.getAllContext());
  const policyPath = path.resolve(config.policyFile);
  const policy = loadPolicyFile(policyPath);
  // The same checks as `remediate policy check` and `remediate policy test`, with the same messages.
  const problems = checkPolicyPlaybooks(policy, playbooks);
  if (problems.length > 0) throw new PolicyError(problems.join('\n'));
  const stack = new RemediationStack(app, 'AutoRemediation', {
    config,
    policy,
    description: 'Event-driven auto-remediation: findings to audited Step Functions playbooks',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // The member stacks are environment-agnostic (no `env`): one template deployed by StackSets into
  // every account and region, each resolving `AWS::AccountId` and `AWS::Region` where it lands. An
  // `env` from the synthesizing shell's credentials would pin every ARN to that account.
  // The member stack, for StackSets or `cdk deploy` in each member account, once the security
  // account is known: `-c organizationId=o-… -c securityAccountId=111122223333`.
  const { organizationId, securityAccountId } = config;
  const member =
    organizationId && securityAccountId
      ? new MemberStack(app, 'AutoRemediationMember', {
          config: { ...config, organizationId, securityAccountId },
          description: 'Auto-remediation member account: the role the security account playbooks act as',
          synthesizer: stackSetReady(),
        })
      : undefined;
  // The member's other regions: the forwarding rules only (IAM roles are global, made once above).
  const memberRegion =
    organizationId && securityAccountId
      ? new MemberStack(app, 'AutoRemediationMemberRegion', {
          config: { ...config, organizationId, securityAccountId },
          executionRole: false,
          description:
            'Auto-remediation member account, each further region: forwards events to the security account',
          synthesizer: stackSetReady(),
        })
      : undefined;
  // Global-service events (root sign-in and access keys) arrive in us-east-1 only: a stack deployed
  // elsewhere needs this one in us-east-1 of its own account to bring them over.
  const home = globalEventsRegion(config.regions);
  const globalEvents =
    home === GLOBAL_SERVICE_EVENTS_REGION
      ? undefined
      : new GlobalEventsStack(app, 'AutoRemediationGlobalEvents', {
          home,
          description: `Auto-remediation, us-east-1: forwards IAM, STS and sign-in events to ${home}`,
          synthesizer: stackSetReady(),
        });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack, member, memberRegion, globalEvents };
}

/**
 * Member templates go to every account through CloudFormation StackSets, where no account is
 * bootstrapped for CDK: no bootstrap-version parameter or rule (they hold no assets either). The
 * us-east-1 forwarding stack is the same: a template to deploy where CDK may not be bootstrapped.
 */
function stackSetReady(): DefaultStackSynthesizer {
  return new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildApp().app.synth();
  } catch (err) {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  }
}
