/** The non-resource endpoints kubectl and client libraries read before anything else. */
export const VERSION = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const apiVersions = (address: string) => ({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] });

/** One named API group with its single version, as `/apis` and `/apis/<group>` describe it. */
export const apiGroup = (name: string) => {
  const version = { groupVersion: `${name}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [version], preferredVersion: version };
};

/** The named groups the fake serves (node.k8s.io for RuntimeClass); everything else is core/v1. */
export const apiGroupList = (groups: string[]) => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: groups.map((g) => {
    const { kind: _k, apiVersion: _a, ...group } = apiGroup(g);
    return group;
  }),
});
