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

/** Only the core group exists: kubectl asks `/apis` and finds no named groups. */
export const apiGroupList = () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
