import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CLI_SOURCE, type CliResponse } from '#functions/approval-decision/cli-actions.ts';
import { RemediationError } from '#shared/errors.ts';
import { type Credentials, signIdentityProof } from './identity-proof.ts';

/** The decision function could not be found or answered with an error. */
export class ApprovalsUnavailableError extends RemediationError {
  override name = 'ApprovalsUnavailableError';
}

/** Where the approvals live and who is asking. */
export interface ApprovalsClientOptions {
  /** An endpoint other than AWS's (the sandbox); the SDK also reads `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  /** @default AWS_REGION, else us-east-1 */
  readonly region?: string;
  /** @default the SDK's credential chain (environment, profile, SSO, instance role) */
  readonly credentials?: Credentials;
  /** The decision function's name; found by listing functions when absent. */
  readonly functionName?: string;
}

/** What a deployed stack calls its decision function (CloudFormation names it `<stack>-ApprovalsDecision…`). */
const DECISION_FUNCTION = /ApprovalsDecision[0-9A-F]{8}/;

/**
 * `remediate approvals` against a deployed stack: every request goes to the decision function
 * with lambda:InvokeFunction under the caller's own IAM credentials; decisions also carry a
 * signed identity proof, so the function records the caller's verified ARN as the approver.
 */
export class ApprovalsClient {
  private readonly lambda: LambdaClient;
  private readonly region: string;
  private readonly credentials: Credentials;
  private readonly endpoint?: string;
  private functionName?: string;

  constructor(options: ApprovalsClientOptions = {}) {
    this.region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL;
    this.credentials = options.credentials ?? fromNodeProviderChain();
    this.functionName = options.functionName ?? process.env.REMEDIATION_APPROVALS_FUNCTION;
    this.lambda = new LambdaClient({
      region: this.region,
      credentials: this.credentials,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  }

  /** Pending requests (expired ones are marked as such). */
  list(): Promise<CliResponse> {
    return this.invoke({ source: CLI_SOURCE, action: 'list' });
  }

  /** One request with the finding's audit trail. */
  show(id: string): Promise<CliResponse> {
    return this.invoke({ source: CLI_SOURCE, action: 'show', id });
  }

  /** Approve or deny, as the caller. */
  async decide(id: string, verdict: 'approve' | 'deny', reason: string): Promise<CliResponse> {
    const proof = await signIdentityProof({
      purpose: `${id}:${verdict}`,
      region: this.region,
      credentials: this.credentials,
      endpoint: this.endpoint,
    });
    return this.invoke({ source: CLI_SOURCE, action: 'decide', id, verdict, reason, proof });
  }

  close(): void {
    this.lambda.destroy();
  }

  private async invoke(request: Record<string, unknown>): Promise<CliResponse> {
    const FunctionName = await this.decisionFunction();
    const out = await this.lambda.send(
      new InvokeCommand({ FunctionName, Payload: new TextEncoder().encode(JSON.stringify(request)) }),
    );
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    if (out.FunctionError) {
      const error = JSON.parse(text || '{}') as { errorType?: string; errorMessage?: string };
      throw new ApprovalsUnavailableError(
        `${FunctionName} failed: ${error.errorType}: ${error.errorMessage}`,
      );
    }
    return JSON.parse(text) as CliResponse;
  }

  private async decisionFunction(): Promise<string> {
    if (this.functionName) return this.functionName;
    let Marker: string | undefined;
    do {
      const page = await this.lambda.send(new ListFunctionsCommand({ Marker }));
      const found = page.Functions?.find((f) => DECISION_FUNCTION.test(f.FunctionName ?? ''));
      if (found?.FunctionName) {
        this.functionName = found.FunctionName;
        return found.FunctionName;
      }
      Marker = page.NextMarker;
    } while (Marker);
    throw new ApprovalsUnavailableError(
      'No approval decision function found: deploy the stack, or name it with --function or REMEDIATION_APPROVALS_FUNCTION',
    );
  }
}
