/**
 * The sandbox's AWS Organizations, reduced to what policies ask of it: which organization an
 * account belongs to (the value of the `aws:PrincipalOrgID` condition key for its principals).
 */
export class Organizations {
  private readonly orgByAccount = new Map<string, string>();

  /** Make `accounts` members of organization `organizationId` (`o-` and 10 to 32 characters). */
  add(organizationId: string, accounts: readonly string[]): void {
    if (!/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
      throw new Error(
        `"${organizationId}" is not an organization id (o- and 10 to 32 lowercase letters or digits)`,
      );
    }
    for (const account of accounts) {
      if (!/^\d{12}$/.test(account)) throw new Error(`"${account}" is not an AWS account id (12 digits)`);
      this.orgByAccount.set(account, organizationId);
    }
  }

  /** The organization `accountId` is a member of, if any. */
  organizationOf(accountId: string): string | undefined {
    return this.orgByAccount.get(accountId);
  }
}
