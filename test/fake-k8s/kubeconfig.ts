/**
 * The kubeconfig the CLI prints: plain HTTP on loopback, a bearer-token user. client-node 1.x
 * refuses an http:// server unless `insecure-skip-tls-verify` is set, so it is (kubectl ignores it for http).
 */
export function kubeconfigYaml(url: string, token: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake-k8s',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'contexts:',
    '- name: fake-k8s',
    '  context:',
    '    cluster: fake-k8s',
    '    user: fake-k8s-admin',
    `    namespace: ${namespace}`,
    'current-context: fake-k8s',
    'users:',
    '- name: fake-k8s-admin',
    '  user:',
    `    token: ${token}`,
    'preferences: {}',
    '',
  ].join('\n');
}
