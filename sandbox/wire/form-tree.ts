/**
 * A query-protocol form (`Tags.member.1.Key=a&Tags.member.1.Value=b`) as a tree of its dotted key
 * segments, so the model reader can walk it beside the input shape.
 */
export interface FormNode {
  /** The value given for exactly this key, if any. */
  value?: string;
  readonly children: Map<string, FormNode>;
}

/**
 * Build the tree from the request's parameters, leaving out the envelope (`Action`, `Version`) and
 * a presigned URL's signature parameters (`X-Amz-Signature`, ...), which are not the operation's.
 */
export function formTree(params: URLSearchParams): FormNode {
  const root: FormNode = { children: new Map() };
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version' || key.startsWith('X-Amz-')) continue;
    let node = root;
    for (const segment of key.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

/** The children whose keys are list indexes (`1`, `2`, ...), in index order. */
export function indexedChildren(node: FormNode): { index: string; node: FormNode }[] {
  return [...node.children.entries()]
    .filter(([key]) => /^\d+$/.test(key))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([index, child]) => ({ index, node: child }));
}
