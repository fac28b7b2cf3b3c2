/**
 * Which Security Hub products a finding may come from for a playbook to act on it.
 *
 * Security Hub stamps each finding with the ARN of the product that imported it (`ProductArn`).
 * An AWS service that sends findings has `arn:<partition>:securityhub:<region>::product/aws/<service>`,
 * with an empty account field. A custom integration imports under the account's default product,
 * `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`, and a partner under its
 * own company's product ARN. A custom finding is written by whoever may call
 * `securityhub:BatchImportFindings` in the account, with the Id, GeneratorId, Types and Resources of
 * their choosing, so it cannot be trusted to name the key or instance to contain.
 * - AWS service integrations: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-internal-providers.html
 * - ProductArn: https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
 * - who may import: https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
 */

/**
 * The AWS services (the `<service>` of their product ARN) whose findings may lead to
 * containment: those that report on what the playbooks act on (keys, instances, security
 * groups, buckets, trails). Findings of any other product are at most notified.
 */
export const TRUSTED_AWS_PRODUCTS = [
  'guardduty',
  'securityhub',
  'inspector',
  'macie',
  'access-analyzer',
  'config',
] as const;

/** The product ARN of an AWS service: every partition's name starts with `aws`, the account is empty. */
const AWS_PRODUCT_ARN = /^arn:aws(?:-[a-z]+)*:securityhub:[a-z0-9-]+::product\/aws\/([a-z0-9-]+)$/;

/** The AWS service that imported a finding (`guardduty`), or undefined for a custom or partner product. */
export function awsProductOf(productArn: string): string | undefined {
  return AWS_PRODUCT_ARN.exec(productArn)?.[1];
}

/**
 * Why a finding imported under `productArn` may at most be notified, or undefined when it comes
 * from one of {@link TRUSTED_AWS_PRODUCTS}.
 */
export function untrustedProductReason(productArn: string): string | undefined {
  const product = awsProductOf(productArn);
  if (product !== undefined && (TRUSTED_AWS_PRODUCTS as readonly string[]).includes(product))
    return undefined;
  const what =
    product === undefined
      ? 'a custom or partner product, whose findings anyone allowed securityhub:BatchImportFindings can write'
      : `AWS service ${product}`;
  return `imported by ${JSON.stringify(productArn.slice(0, 256))} (${what}), not by an AWS service this stack acts on (${TRUSTED_AWS_PRODUCTS.join(', ')})`;
}
