import type { EnvironmentVariables } from './environment';

/**
 * Start-up rules that keep user code away from the control plane: sessions upload on a port
 * of their own (so a NetworkPolicy can admit them to that port alone), and the local runtime,
 * whose kernels run as this server's own OS user, is refused in production unless allowed.
 */

/** UPLOAD_PORT, or the port after PORT; with PORT=0 (tests) the upload port is ephemeral too. */
export function uploadPortFor(port: number, uploadPort: number | undefined): number {
  if (uploadPort !== undefined) return uploadPort;
  return port === 0 ? 0 : port + 1;
}

export function uploadPortProblems(e: EnvironmentVariables): string[] {
  if (typeof e.PORT === 'string' || typeof e.UPLOAD_PORT === 'string') return [];
  const port = e.PORT ?? 3000;
  const upload = uploadPortFor(port, e.UPLOAD_PORT);
  if (upload > 65535) return [`UPLOAD_PORT must be set when PORT is ${port}: the default, PORT+1, is not a port`];
  if (upload !== 0 && upload === port) return [`UPLOAD_PORT must differ from PORT (both are ${port}): session uploads have a listener of their own`];
  return [];
}

export function localRuntimeProblems(e: EnvironmentVariables): string[] {
  if (e.NODE_ENV !== 'production' || (e.RUNTIME ?? 'local') !== 'local' || e.LOCAL_RUNTIME_IN_PRODUCTION === 'allow') return [];
  return [
    'RUNTIME=local is refused when NODE_ENV=production: its notebook kernels run as this server\'s own OS user, so any user\'s code ' +
      'could read the generated secret, the embedded database and every workspace. Use RUNTIME=kubernetes, or set ' +
      'LOCAL_RUNTIME_IN_PRODUCTION=allow if everyone who can sign up is trusted',
  ];
}
