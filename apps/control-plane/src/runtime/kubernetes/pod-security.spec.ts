import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildSessionPod } from './manifests';
import { checkRestrictedPodSecurity } from './pod-security';
import { sessionSpec } from '../../../../../test/support/runtime/session-specs';

const good = () => buildSessionPod(sessionSpec(), { namespace: 'ns', installationId: 'i' });

describe('checkRestrictedPodSecurity', () => {
  it('admits the session pod', () => {
    expect(checkRestrictedPodSecurity(good())).toEqual([]);
  });

  it('rejects a pod that breaks every rule, naming each one', () => {
    const bad: V1Pod = {
      metadata: { name: 'bad' },
      spec: {
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        securityContext: { runAsUser: 0, seccompProfile: { type: 'Unconfined' }, sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
        volumes: [{ name: 'host', hostPath: { path: '/var/run/docker.sock' } }],
        containers: [
          {
            name: 'root',
            image: 'busybox',
            ports: [{ containerPort: 80, hostPort: 80 }],
            securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { add: ['SYS_ADMIN'] }, procMount: 'Unmasked' },
          },
        ],
      },
    };
    const problems = checkRestrictedPodSecurity(bad).join('\n');
    for (const expected of [
      /hostNetwork/, /hostPID/, /hostIPC/, /sysctl kernel\.msgmax/, /volume host uses type hostPath/, /seccompProfile must be RuntimeDefault or Localhost, not Unconfined/,
      /pod must not run as user 0/, /container root must not be privileged/, /Default procMount/, /hostPort 80/, /allowPrivilegeEscalation/,
      /must run as non-root/, /must drop ALL/, /only add NET_BIND_SERVICE, not SYS_ADMIN/,
    ]) expect(problems).toMatch(expected);
  });

  it('checks init and ephemeral containers too, and accepts container-level settings instead of pod-level ones', () => {
    const pod = good();
    pod.spec!.initContainers = [{ name: 'setup', image: 'busybox' }];
    expect(checkRestrictedPodSecurity(pod).join('\n')).toMatch(/init container setup must set allowPrivilegeEscalation/);

    const perContainer = good();
    delete perContainer.spec!.securityContext!.seccompProfile;
    perContainer.spec!.securityContext!.runAsNonRoot = undefined;
    expect(checkRestrictedPodSecurity(perContainer).join('\n')).toMatch(/seccompProfile RuntimeDefault or Localhost/);
    perContainer.spec!.containers[0].securityContext!.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/notebook.json' };
    expect(checkRestrictedPodSecurity(perContainer)).toEqual([]);
  });

  it('allows NET_BIND_SERVICE but not running as root via the container', () => {
    const pod = good();
    pod.spec!.containers[0].securityContext!.capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] };
    expect(checkRestrictedPodSecurity(pod)).toEqual([]);
    pod.spec!.containers[0].securityContext!.runAsUser = 0;
    expect(checkRestrictedPodSecurity(pod)).toEqual(['container notebook must not run as user 0 (root)']);
  });
});
