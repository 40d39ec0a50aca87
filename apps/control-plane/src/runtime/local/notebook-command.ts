import { delimiter, join } from 'node:path';
import type { SessionSpec } from '../session-runtime';

/** Seconds the hard backstop (`timeout`) allows past the trial's end, for the in-process stop with its save step to go first. */
export const BACKSTOP_SLACK_SECONDS = 60;

export interface CommandContext {
  repoRoot: string;
  workspace: string;
  /** Where the process may keep Jupyter's runtime files (connection files, cookies secret). */
  runtimeDir: string;
  /** An empty config folder, so a personal ~/.jupyter (a password, another token) never applies. */
  configDir: string;
  /** JUPYTER_PATH with the TypeScript kernel, if it could be installed. */
  jupyterPath: string | null;
  /** The runtime's state folder: marks processes as this installation's. */
  owner: string;
  /** coreutils `timeout`, for a deadline that holds even when the control plane is down. */
  timeoutBin: string | null;
}

/** The environment of a session's processes: the session's credentials and the trainer library on NODE_PATH (apps/trainer/README.md). */
export function sessionEnv(spec: SessionSpec, ctx: CommandContext): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    ...(ctx.jupyterPath ? { JUPYTER_PATH: ctx.jupyterPath } : {}),
    JUPYTER_RUNTIME_DIR: ctx.runtimeDir,
    JUPYTER_CONFIG_DIR: ctx.configDir,
    NODE_PATH: [join(ctx.repoRoot, 'apps/trainer/notebook-modules'), join(ctx.repoRoot, 'node_modules')].join(delimiter),
    TRIALHUB_SESSION_ID: spec.sessionId,
    TRIALHUB_RUNTIME_OWNER: ctx.owner,
    TRIALHUB_UPLOAD_URL: spec.uploadUrl,
    TRIALHUB_UPLOAD_TOKEN: spec.uploadToken,
  };
}

/** Wraps a command in `timeout` so that it dies at the trial's end even with no control plane running (the pod's activeDeadlineSeconds). */
export function withBackstop(command: string[], spec: SessionSpec, ctx: CommandContext, now = Date.now()): string[] {
  if (!ctx.timeoutBin) return command;
  const seconds = Math.max(1, Math.ceil(((spec.backstopAt ?? spec.trialExpiresAt).getTime() - now) / 1000) + BACKSTOP_SLACK_SECONDS);
  return [ctx.timeoutBin, '--signal=TERM', '--kill-after=10', `${seconds}s`, ...command];
}

/** The token goes in the environment (JUPYTER_TOKEN), not on the command line, where every local user's `ps` would show it. */
export function jupyterEnv(spec: SessionSpec, ctx: CommandContext): NodeJS.ProcessEnv {
  return { ...sessionEnv(spec, ctx), JUPYTER_TOKEN: spec.jupyterToken };
}

/** `jupyter notebook` for one session: loopback only, its base URL, the workspace as the notebook folder (the token: see jupyterEnv). */
export function jupyterCommand(jupyter: string, spec: SessionSpec, port: number, ctx: CommandContext): string[] {
  return [
    jupyter, 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0', '--NotebookApp.password=',
    `--NotebookApp.base_url=${spec.baseUrl}`, `--notebook-dir=${ctx.workspace}`,
    // Browsers reach it through the proxy under the portal's host name; the proxy checks origins and authenticates.
    '--NotebookApp.allow_remote_access=True', '--NotebookApp.trust_xheaders=True',
    '--NotebookApp.quit_button=False', '--allow-root',
  ];
}

/** The trainer on the workspace's example data (sessions where Jupyter is not installed); it uploads its outputs itself (TRIALHUB_UPLOAD_*). */
export function headlessCommand(repoRoot: string, out: string, data: { bottlenecks?: string; images?: string }): string[] {
  const cli = join(repoRoot, 'dist/apps/trainer/src/cli.js');
  return [
    process.execPath, cli, '--out', out,
    ...(data.bottlenecks ? ['--bottlenecks', data.bottlenecks] : []),
    ...(data.images ? ['--data', data.images] : []),
  ];
}
