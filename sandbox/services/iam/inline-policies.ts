import { pageOf } from '../../wire/pagination.ts';
import { type IamAccount, limitExceeded, noSuchEntity } from './model.ts';
import type { IamCall, IamOperation } from './operation.ts';
import { checkName, checkPolicyDocument } from './validation.ts';
import { encodePolicyDocument } from './views.ts';

/**
 * The members of the inline-policy operations' inputs (`UserName` or `RoleName`, keyed by
 * {@link PolicyHolderKind.noun}); the model has checked the required ones are present.
 */
type PolicyInput = Record<string, string> & {
  PolicyName: string;
  PolicyDocument: string;
  Marker?: string;
  MaxItems?: number;
};

/** What the inline-policy operations need to know about users versus roles. */
interface PolicyHolderKind {
  /** `User` or `Role`: the action-name infix and the name parameter's prefix. */
  noun: 'User' | 'Role';
  find(account: IamAccount, name: string): { policies: Map<string, string> };
  /**
   * AWS caps the total size of a principal's inline policies, whitespace not counted:
   * 2,048 characters for a user, 10,240 for a role.
   */
  maxAggregateSize: number;
}

const USER: PolicyHolderKind = {
  noun: 'User',
  find: (account, name) => account.requireUser(name),
  maxAggregateSize: 2048,
};

const ROLE: PolicyHolderKind = {
  noun: 'Role',
  find: (account, name) => account.requireRole(name),
  maxAggregateSize: 10_240,
};

function sizeWithoutWhitespace(document: string): number {
  return document.replace(/\s/g, '').length;
}

function operationsFor(kind: PolicyHolderKind): Record<string, IamOperation> {
  const { noun } = kind;
  const nameParam = `${noun}Name`;
  const lowerNoun = noun.toLowerCase();
  return {
    [`Put${noun}Policy`]: ({ input, account }: IamCall<PolicyInput>) => {
      const holderName = input[nameParam] as string;
      const holder = kind.find(account, holderName);
      const policyName = checkName('policyName', input.PolicyName, 128);
      const document = input.PolicyDocument;
      checkPolicyDocument(document, 'identity');
      const others = [...holder.policies].filter(([name]) => name !== policyName);
      const total = others.reduce((sum, [, doc]) => sum + sizeWithoutWhitespace(doc), 0);
      if (total + sizeWithoutWhitespace(document) > kind.maxAggregateSize) {
        throw limitExceeded(
          `Maximum policy size of ${kind.maxAggregateSize} bytes exceeded for ${lowerNoun} ${holderName}`,
        );
      }
      holder.policies.set(policyName, document);
      return undefined;
    },

    [`Get${noun}Policy`]: ({ input, account }: IamCall<PolicyInput>) => {
      const holderName = input[nameParam] as string;
      const policyName = input.PolicyName;
      const document = kind.find(account, holderName).policies.get(policyName);
      if (document === undefined) {
        throw noSuchEntity(`The ${lowerNoun} policy with name ${policyName} cannot be found.`);
      }
      return {
        [nameParam]: holderName,
        PolicyName: policyName,
        PolicyDocument: encodePolicyDocument(document),
      };
    },

    [`List${noun}Policies`]: ({ input, account }: IamCall<PolicyInput>) => {
      const holder = kind.find(account, input[nameParam] as string);
      const page = pageOf([...holder.policies.keys()].sort(), {
        marker: input.Marker,
        maxItems: input.MaxItems,
      });
      return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },

    [`Delete${noun}Policy`]: ({ input, account }: IamCall<PolicyInput>) => {
      const holder = kind.find(account, input[nameParam] as string);
      const policyName = input.PolicyName;
      if (!holder.policies.delete(policyName)) {
        throw noSuchEntity(`The ${lowerNoun} policy with name ${policyName} cannot be found.`);
      }
      return undefined;
    },
  };
}

/** Put/Get/List/Delete of inline policies on users and roles, by action name. */
export const inlinePolicyOperations: Record<string, IamOperation> = {
  ...operationsFor(USER),
  ...operationsFor(ROLE),
};
