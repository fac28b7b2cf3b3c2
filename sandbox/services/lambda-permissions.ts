import { randomUUID } from 'node:crypto';
import type { AddPermissionRequest } from '@aws-sdk/client-lambda';
import { AwsError } from '../protocol.ts';
import { permissionStatement, type ResourcePolicyStore } from './iam/resource-policies.ts';

/**
 * A function's resource-based policy as Lambda's GetPolicy, AddPermission and RemovePermission
 * show and change it, one statement at a time, kept in the sandbox's resource policies (which the
 * sandbox evaluates for every call to the function and for its URL).
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_RemovePermission.html
 */
export class FunctionPermissions {
  constructor(private readonly store: ResourcePolicyStore) {}

  getPolicy(functionArn: string): object {
    const statements = this.store.permissionsOf(functionArn);
    // A function without a policy: Lambda answers 404 ResourceNotFoundException.
    if (statements.length === 0)
      throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    return {
      Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
      RevisionId: randomUUID(),
    };
  }

  add(
    functionArn: string,
    input: AddPermissionRequest & { StatementId: string; Action: string; Principal: string },
  ): object {
    const taken = this.store
      .permissionsOf(functionArn)
      .some((s) => (s as { Sid?: string }).Sid === input.StatementId);
    if (taken)
      throw new AwsError(
        'ResourceConflictException',
        `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        409,
      );
    const statement = permissionStatement({
      sid: input.StatementId,
      functionArn,
      action: input.Action,
      principal: input.Principal,
      sourceArn: input.SourceArn,
      sourceAccount: input.SourceAccount,
      principalOrgId: input.PrincipalOrgID,
      functionUrlAuthType: input.FunctionUrlAuthType,
      invokedViaFunctionUrl: input.InvokedViaFunctionUrl,
    });
    this.store.addPermission(functionArn, statement);
    return { Statement: JSON.stringify(statement) };
  }

  remove(functionArn: string, statementId: string): object {
    if (!this.store.removePermission(functionArn, statementId))
      throw new AwsError(
        'ResourceNotFoundException',
        `Statement ${statementId} is not found in resource policy.`,
        404,
      );
    return {};
  }
}
