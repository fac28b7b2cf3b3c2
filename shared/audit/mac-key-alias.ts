/** The alias the stack gives the trail's HMAC key (infra/constructs/audit-trail.ts). */
export const AUDIT_MAC_KEY_ALIAS = 'alias/auto-remediation/audit-trail';
