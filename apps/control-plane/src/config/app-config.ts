import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDuration } from './duration';
import { validateEnvironment } from './environment';
import { defaultNotebookDomain, resolveNotebookDomain } from './notebook-domain';
import { uploadPortFor } from './isolation';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

/** The typed, validated configuration; built once at start-up (see `loadConfig`). */
export class AppConfig {
  port!: number;
  /** The session upload API's own listener (see artifacts/upload-listener.ts); 0 until bound when ephemeral. */
  uploadPort!: number;
  production!: boolean;
  logLevel!: string;
  /** Where users reach the portal; used in mails and share links. */
  publicUrl!: string;
  /** Express's `trust proxy`: false, a hop count, or the proxies' addresses/CIDRs (never "trust anyone"). */
  trustProxy!: TrustProxy;
  /** `host[:port]`; session S's notebook is served from `<PUBLIC_URL's scheme>://<S>.<notebookDomain>/` (see notebook-domain.ts). */
  notebookDomain!: string;
  database!: { url: string | null; dataDir: string };
  runtime!: {
    kind: 'local' | 'kubernetes';
    kubeconfig: string | null;
    namespace: string;
    installationId: string;
    sessionUploadUrl: string;
    storageClass: string | null;
    workspaceSize: string;
    /** Local runtime: a folder copied into each new workspace as `pool-houses/` (the example data set). Unset: the example data that ships with the product; null: none (TRIALHUB_EXAMPLE_DATA=off). */
    exampleDataDir?: string | null;
    /** Local runtime: the `jupyter` executable (default: found on PATH); `off` runs every session headless. */
    jupyterCommand: string | null;
  };
  trials!: { durationMs: number; maxActive: number | null };
  sessions!: { maxRuntimeMs: number; idleTimeoutMs: number };
  admin!: { email: string | null; password: string | null };
  mail!: { smtpUrl: string | null; from: string; verification: 'required' | 'off' };
  /** Signs CSRF tokens and one-time links. */
  secret!: string;
  artifacts!: {
    store: 'local' | 's3';
    dir: string;
    s3: { endpoint: string | null; bucket: string | null; region: string; accessKeyId: string | null; secretAccessKey: string | null; forcePathStyle: boolean };
    resultRetentionMs: number;
  };
  profilesFile!: string | null;
  /** Log-in attempts per (address, email), and sign-ups and reset requests per address, within `periodMs`. */
  authRateLimit!: { limit: number; periodMs: number };
  /** How often deadlines (trial expiry, session runtime, idle) are checked. */
  schedulerIntervalMs!: number;
  /** On SIGTERM: how long to keep serving while not ready (`drainMs`), then how long requests in flight get (`timeoutMs`); see health/graceful-shutdown.ts. */
  shutdown!: { drainMs: number; timeoutMs: number };
  /** Which URLs were not configured but derived from PORT (so `bindPort` re-derives them). */
  derivedFromPort!: { publicUrl: boolean; sessionUploadUrl: boolean; notebookDomain?: boolean };

  /**
   * Called once the server listens: with PORT=0 the port is only known then, and URLs derived
   * from it (PUBLIC_URL when unset; the upload URL: see `bindUploadPort`) must name the port actually bound,
   * not `localhost:0` (sessions upload to it, share links and mails point at it).
   */
  bindPort(port: number): void {
    this.port = port;
    if (this.derivedFromPort.publicUrl) this.publicUrl = defaultPublicUrl(port);
    if (this.derivedFromPort.notebookDomain) this.notebookDomain = defaultNotebookDomain(port);
  }

  /** Like `bindPort`, for the upload listener; called before it (the reconciler waits for `port`). */
  bindUploadPort(port: number): void {
    this.uploadPort = port;
    if (this.derivedFromPort.sessionUploadUrl) this.runtime.sessionUploadUrl = defaultUploadUrl(port);
  }
}

const defaultPublicUrl = (port: number) => `http://localhost:${port}`;
/** Sessions of the local runtime run on this machine; Kubernetes sessions get SESSION_UPLOAD_URL (the Service's upload port). */
const defaultUploadUrl = (uploadPort: number) => `http://localhost:${uploadPort}/api/uploads`;

const truthy = (v: string | undefined) => v === 'true' || v === '1';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = validateEnvironment(env);
  const production = e.NODE_ENV === 'production';
  const port = e.PORT ?? 3000;
  const uploadPort = uploadPortFor(port, e.UPLOAD_PORT);
  const dataDir = resolve(e.TRIALHUB_DATA_DIR ?? '.trialhub');
  const publicUrl = (e.PUBLIC_URL ?? defaultPublicUrl(port)).replace(/\/$/, '');
  const notebooks = resolveNotebookDomain(e.NOTEBOOK_DOMAIN, publicUrl, port);
  const config = new AppConfig();
  Object.assign(config, {
    port,
    uploadPort,
    production,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'),
    publicUrl,
    trustProxy: (parseTrustProxy(e.TRUST_PROXY) as { value: TrustProxy }).value,
    notebookDomain: notebooks.domain,
    database: { url: e.DATABASE_URL ?? null, dataDir },
    runtime: {
      kind: (e.RUNTIME ?? 'local') as 'local' | 'kubernetes',
      kubeconfig: e.KUBECONFIG ?? null,
      namespace: e.KUBE_NAMESPACE ?? 'trialhub-sessions',
      installationId: e.INSTALLATION_ID ?? 'default',
      sessionUploadUrl: (e.SESSION_UPLOAD_URL ?? defaultUploadUrl(uploadPort)).replace(/\/$/, ''),
      storageClass: e.KUBE_STORAGE_CLASS ?? null,
      workspaceSize: e.WORKSPACE_SIZE ?? '10Gi',
      exampleDataDir: e.TRIALHUB_EXAMPLE_DATA === 'off' ? null : e.TRIALHUB_EXAMPLE_DATA ? resolve(e.TRIALHUB_EXAMPLE_DATA) : undefined,
      jupyterCommand: e.JUPYTER_COMMAND ?? null,
    },
    trials: { durationMs: parseDuration(e.TRIAL_DURATION ?? '24h')!, maxActive: e.MAX_ACTIVE_TRIALS ?? null },
    sessions: { maxRuntimeMs: parseDuration(e.SESSION_MAX_RUNTIME ?? '4h')!, idleTimeoutMs: parseDuration(e.SESSION_IDLE_TIMEOUT ?? '1h')! },
    admin: { email: e.ADMIN_EMAIL?.toLowerCase() ?? null, password: e.ADMIN_PASSWORD ?? null },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? 'Trialhub <no-reply@trialhub.local>',
      verification: (e.EMAIL_VERIFICATION ?? (e.SMTP_URL ? 'required' : 'off')) as 'required' | 'off',
    },
    secret: e.SESSION_SECRET ?? persistedSecret(dataDir),
    artifacts: {
      store: (e.ARTIFACT_STORE ?? 'local') as 'local' | 's3',
      dir: resolve(e.ARTIFACT_DIR ?? join(dataDir, 'artifacts')),
      s3: {
        endpoint: e.S3_ENDPOINT ?? null,
        bucket: e.S3_BUCKET ?? null,
        region: e.S3_REGION ?? 'us-east-1',
        accessKeyId: e.S3_ACCESS_KEY_ID ?? null,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? null,
        forcePathStyle: e.S3_FORCE_PATH_STYLE === undefined ? true : truthy(e.S3_FORCE_PATH_STYLE),
      },
      resultRetentionMs: parseDuration(e.RESULT_RETENTION ?? '30d')!,
    },
    profilesFile: e.PROFILES_FILE ?? null,
    authRateLimit: parseRateLimit(e.AUTH_RATE_LIMIT ?? '10/1m'),
    schedulerIntervalMs: parseDuration(e.SCHEDULER_INTERVAL ?? '5s')!,
    // In production a load balancer (a Service's endpoints, an ingress) takes a few seconds to stop sending new connections; `npm start` has none to wait for.
    shutdown: { drainMs: parseDuration(e.SHUTDOWN_DRAIN ?? (production ? '5s' : '0s'))!, timeoutMs: parseDuration(e.SHUTDOWN_TIMEOUT ?? '20s')! },
    derivedFromPort: { publicUrl: !e.PUBLIC_URL, sessionUploadUrl: !e.SESSION_UPLOAD_URL, notebookDomain: notebooks.derived },
  });
  return config;
}

/** For the embedded default: a random secret generated once and kept in the data dir, so restarts keep logins valid. */
function persistedSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

function parseRateLimit(value: string): { limit: number; periodMs: number } {
  const [limit, period] = value.split('/');
  return { limit: Number(limit), periodMs: parseDuration(period)! };
}
