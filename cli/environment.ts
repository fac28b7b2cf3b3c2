/**
 * Process settings every `remediate` command needs before any AWS SDK client exists; imported
 * first by cli/main.ts.
 *
 * The AWS SDK for JavaScript v3 prints a nine-line `NodeVersionSupportWarning` on Node 20 when a
 * client is created (its releases after early January 2027 require Node 22). The CLI supports
 * Node 20.19 and later (see docs/operations.md), so the notice is noise in front of every
 * command's output. The SDK documents this variable to turn it off; a user who sets it keeps
 * their own value.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
