import { badRequest } from './status';

/** A parsed label selector (`a=b,c!=d,e in (x,y),f notin (z),!g,h`), as the API server accepts it. */
export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export type Predicate = (obj: any) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

export function parseLabelSelector(selector: string | undefined | null): LabelRequirement[] {
  if (!selector) return [];
  return splitTerms(selector).map((term): LabelRequirement => {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch) {
      const values = setMatch[3].split(',').map((v) => v.trim()).filter((v) => v.length > 0);
      return { key: checkKey(setMatch[1], selector), op: setMatch[2] as 'in' | 'notin', values };
    }
    const eqMatch = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eqMatch) {
      const op = eqMatch[2] === '!=' ? 'notin' : 'in';
      return { key: checkKey(eqMatch[1], selector), op, values: [eqMatch[3]] };
    }
    if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim(), selector), op: '!exists' };
    return { key: checkKey(term, selector), op: 'exists' };
  });
}

export function labelsMatch(requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of requirements) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels![r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value!)) return false;
        break;
    }
  }
  return true;
}

/** Field paths the fake supports in `fieldSelector`, per resource (the real server supports a similar short list). */
const FIELD_GETTERS: Record<string, (obj: any) => string | undefined> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
  'spec.nodeName': (o) => o.spec?.nodeName ?? '',
  'status.phase': (o) => o.status?.phase ?? '',
  'spec.unschedulable': (o) => String(o.spec?.unschedulable ?? false),
  'involvedObject.name': (o) => o.involvedObject?.name,
  'involvedObject.namespace': (o) => o.involvedObject?.namespace,
  'involvedObject.kind': (o) => o.involvedObject?.kind,
  'involvedObject.uid': (o) => o.involvedObject?.uid,
  reason: (o) => o.reason,
  type: (o) => o.type,
};

export function parseFieldSelector(selector: string | undefined | null, resource: string): Predicate {
  if (!selector) return () => true;
  const checks = splitTerms(selector).map((term) => {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const getter = FIELD_GETTERS[m[1]];
    if (!getter) throw badRequest(`field label not supported: ${m[1]} (for ${resource})`);
    const wanted = m[3];
    return m[2] === '!=' ? (o: any) => getter(o) !== wanted : (o: any) => getter(o) === wanted;
  });
  return (obj) => checks.every((check) => check(obj));
}

export function selectorPredicate(labelSelector: string | undefined | null, fieldSelector: string | undefined | null, resource: string): Predicate {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, resource);
  return (obj) => labelsMatch(labels, obj.metadata?.labels) && fields(obj);
}
