import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * A small evaluator of Kubernetes NetworkPolicy semantics, enough to ask "may this pod talk to
 * that one on this port?" of rendered manifests: policies select pods in their namespace;
 * a pod selected by a policy of a direction only admits what some rule of such a policy allows;
 * traffic needs both the source's egress and the destination's ingress. ipBlocks are matched
 * against every endpoint's address (CNIs differ on pod addresses; this is the strict reading).
 */
export interface Endpoint {
  name: string;
  /** Absent for addresses outside the cluster. */
  namespace?: string;
  labels?: Record<string, string>;
  ip: string;
}

export interface Traffic {
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ port?: number | string; endPort?: number; protocol?: string }>;
}

export interface NetworkPolicyObject {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: LabelSelector; policyTypes?: Array<'Ingress' | 'Egress'>; ingress?: Rule[]; egress?: Rule[] };
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && e.values?.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(labels[e.key])) return false;
  }
  return true;
}

function inCidr(ip: string, cidr: string): boolean {
  const [network, prefix] = cidr.split('/');
  const family = isIPv4(network) ? 'ipv4' : 'ipv6';
  if ((family === 'ipv4' && !isIPv4(ip)) || (family === 'ipv6' && !isIPv6(ip))) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return list.check(ip, family);
}

export class NetworkPolicyModel {
  constructor(
    private readonly policies: NetworkPolicyObject[],
    /** Namespace name → labels (kubernetes.io/metadata.name is added, as the API server does). */
    private readonly namespaceLabels: Record<string, Record<string, string>>,
  ) {}

  allows(from: Endpoint, to: Endpoint, traffic: Traffic): boolean {
    return this.directionAllows('Egress', from, to, traffic) && this.directionAllows('Ingress', to, from, traffic);
  }

  /** Whether `subject`'s policies of this direction let traffic with `peer` through. */
  private directionAllows(direction: 'Ingress' | 'Egress', subject: Endpoint, peer: Endpoint, traffic: Traffic): boolean {
    if (!subject.namespace) return true; // outside the cluster: no policies apply
    const selecting = this.policies.filter(
      (p) => p.metadata.namespace === subject.namespace && selectorMatches(p.spec.podSelector, subject.labels) && policyTypes(p).includes(direction),
    );
    if (!selecting.length) return true;
    return selecting.some((p) =>
      (direction === 'Ingress' ? p.spec.ingress : p.spec.egress ?? [])?.some((rule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to;
        return this.portMatches(rule, traffic) && (!peers || peers.length === 0 || peers.some((x) => this.peerMatches(x, p.metadata.namespace!, peer)));
      }),
    );
  }

  private portMatches(rule: Rule, traffic: Traffic): boolean {
    if (!rule.ports?.length) return true;
    const protocol = traffic.protocol ?? 'TCP';
    return rule.ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      if (typeof p.port === 'string') throw new Error(`named port ${p.port} is not modelled`);
      return p.endPort ? traffic.port >= p.port && traffic.port <= p.endPort : traffic.port === p.port;
    });
  }

  private peerMatches(peer: Peer, policyNamespace: string, endpoint: Endpoint): boolean {
    if (peer.ipBlock) return inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c));
    if (!endpoint.namespace) return false;
    const namespaceOk = peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, { ...this.namespaceLabels[endpoint.namespace], 'kubernetes.io/metadata.name': endpoint.namespace })
      : endpoint.namespace === policyNamespace;
    return namespaceOk && selectorMatches(peer.podSelector, endpoint.labels);
  }
}

function policyTypes(p: NetworkPolicyObject): Array<'Ingress' | 'Egress'> {
  if (p.spec.policyTypes?.length) return p.spec.policyTypes;
  return p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}
