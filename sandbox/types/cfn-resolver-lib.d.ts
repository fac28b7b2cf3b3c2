declare module 'cfn-resolver-lib' {
  interface ResolverParameters {
    RefResolvers?: Record<string, unknown>;
    'Fn::GetAttResolvers'?: Record<string, Record<string, unknown>>;
    'Fn::ImportValueResolvers'?: Record<string, unknown>;
    ArnSchemas?: Record<string, string>;
  }
  export default class NodeEvaluator {
    constructor(template: unknown, params?: ResolverParameters);
    evaluateNodes(params?: ResolverParameters): Record<string, any>;
  }
}
