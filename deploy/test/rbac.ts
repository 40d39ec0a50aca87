/** RBAC rules flattened to the (API group, resource, verb) triples they allow, for exact comparison. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export function grantedTriples(rules: PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    if (rule.nonResourceURLs?.length) throw new Error(`non-resource URLs are granted (${rule.nonResourceURLs.join(', ')}); the driver uses none`);
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) for (const verb of rule.verbs) out.add(`${group}/${resource}:${verb}`);
    }
  }
  return [...out].sort();
}

/** Wildcards grant every present and future resource or verb: never what a least-privilege role wants. */
export function wildcardsIn(rules: PolicyRule[]): string[] {
  return rules.flatMap((r) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs].filter((x) => x.includes('*')));
}
