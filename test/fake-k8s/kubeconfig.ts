/** The kubeconfig the CLI prints: plain HTTP on loopback, a bearer-token user. */
export function kubeconfigYaml(url: string, token: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake-k8s',
    '  cluster:',
    `    server: ${url}`,
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
