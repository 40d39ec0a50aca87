import { describe, expect, it } from 'vitest';
import type { SessionSpec } from '../session-runtime';
import { BACKSTOP_SLACK_SECONDS, CommandContext, jupyterCommand, jupyterEnv, sessionEnv, withBackstop } from './notebook-command';

const spec = {
  sessionId: '3f2c9a4e-1b2d-4c5e-8f90-123456789abc',
  trialId: '00000000-0000-4000-8000-000000000001',
  jupyterToken: 'jt',
  uploadToken: 'ut',
  uploadUrl: 'http://127.0.0.1:3000/api/uploads',
  baseUrl: '/notebook/3f2c9a4e-1b2d-4c5e-8f90-123456789abc/',
  trialExpiresAt: new Date(1_000_000 + 3600_000),
} as SessionSpec;
const ctx: CommandContext = { repoRoot: '/repo', workspace: '/data/ws', runtimeDir: '/state/rt', configDir: '/state/cfg', jupyterPath: '/state/share/jupyter', owner: '/state', timeoutBin: '/usr/bin/timeout' };

describe('the notebook command', () => {
  it('binds Jupyter to loopback with the base URL and workspace, and the token in its environment, not on the command line', () => {
    const args = jupyterCommand('/usr/bin/jupyter', spec, 40123, ctx);
    expect(args.slice(0, 2)).toEqual(['/usr/bin/jupyter', 'notebook']);
    expect(args).toEqual(expect.arrayContaining(['--ip=127.0.0.1', '--port=40123', '--port-retries=0', `--NotebookApp.base_url=${spec.baseUrl}`, '--notebook-dir=/data/ws', '--no-browser']));
    expect(args.join(' ')).not.toContain('jt');
    expect(jupyterEnv(spec, ctx).JUPYTER_TOKEN).toBe('jt');
    expect(sessionEnv(spec, ctx)).not.toHaveProperty('JUPYTER_TOKEN');
  });

  it("dies at the trial's end plus the slack even when nobody is left to stop it", () => {
    expect(withBackstop(['x'], spec, ctx, 1_000_000)).toEqual(['/usr/bin/timeout', '--signal=TERM', '--kill-after=10', `${3600 + BACKSTOP_SLACK_SECONDS}s`, 'x']);
    expect(withBackstop(['x'], spec, { ...ctx, timeoutBin: null }, 1_000_000)).toEqual(['x']);
    expect(withBackstop(['x'], spec, ctx, 1_000_000 + 7200_000)[3]).toBe('1s');
  });

  it('gives the session its credentials, the trainer on NODE_PATH and no personal Jupyter config', () => {
    const env = sessionEnv(spec, ctx);
    expect(env).toMatchObject({ TRIALHUB_SESSION_ID: spec.sessionId, TRIALHUB_UPLOAD_URL: spec.uploadUrl, TRIALHUB_UPLOAD_TOKEN: 'ut', TRIALHUB_RUNTIME_OWNER: '/state', JUPYTER_PATH: '/state/share/jupyter', JUPYTER_CONFIG_DIR: '/state/cfg' });
    expect(env.NODE_PATH!.split(':')[0]).toBe('/repo/apps/trainer/notebook-modules');
    expect(env).not.toHaveProperty('DATABASE_URL');
  });
});
