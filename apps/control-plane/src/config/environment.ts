import { plainToInstance } from 'class-transformer';
import { parseTrustProxy } from './trust-proxy';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { localRuntimeProblems, uploadPortProblems } from './isolation';

/** host[:port], lower-case DNS labels (session ids are prepended as one more label). */
const NOTEBOOK_DOMAIN = /^(?=.{1,200}(:|$))[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\d{1,5})?$/i;
const DURATION = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$/i;
const DURATION_MSG = (name: string) => `${name} must be a duration such as 24h, 90m, 30s or 1d`;

/** Every environment variable the control plane reads. Deploy manifests are checked against this list. */
export class EnvironmentVariables {
  @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsInt({ message: 'UPLOAD_PORT must be a port number (0 picks a free one)' }) @Min(0) @Max(65535) UPLOAD_PORT?: number;
  @IsOptional() @IsIn(['allow'], { message: 'LOCAL_RUNTIME_IN_PRODUCTION must be "allow" (or unset)' }) LOCAL_RUNTIME_IN_PRODUCTION?: string;
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) PUBLIC_URL?: string;
  /** Checked by parseTrustProxy (a hop count, or addresses/CIDRs; never "true"). */
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsOptional() @Matches(NOTEBOOK_DOMAIN, { message: 'NOTEBOOK_DOMAIN must be a host name with an optional port, such as notebooks.example.org or localhost:3000' }) NOTEBOOK_DOMAIN?: string;

  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL?: string;
  @IsOptional() @IsString() TRIALHUB_DATA_DIR?: string;
  @IsOptional() @IsString() TRIALHUB_EXAMPLE_DATA?: string;
  @IsOptional() @IsString() JUPYTER_COMMAND?: string;

  @IsOptional() @IsIn(['local', 'kubernetes'], { message: 'RUNTIME must be local or kubernetes' }) RUNTIME?: string;
  @IsOptional() @IsString() KUBECONFIG?: string;
  @IsOptional() @Matches(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'KUBE_NAMESPACE must be a valid Kubernetes namespace name' }) KUBE_NAMESPACE?: string;
  @IsOptional() @Matches(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'INSTALLATION_ID must be lower-case letters, digits and dashes' }) INSTALLATION_ID?: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) SESSION_UPLOAD_URL?: string;
  @IsOptional() @IsString() KUBE_STORAGE_CLASS?: string;
  @IsOptional() @Matches(/^\d+(Ki|Mi|Gi|Ti)$/, { message: 'WORKSPACE_SIZE must be a quantity such as 10Gi' }) WORKSPACE_SIZE?: string;

  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('TRIAL_DURATION') }) TRIAL_DURATION?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('SESSION_MAX_RUNTIME') }) SESSION_MAX_RUNTIME?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('SESSION_IDLE_TIMEOUT') }) SESSION_IDLE_TIMEOUT?: string;
  @IsOptional() @IsInt() @Min(0) MAX_ACTIVE_TRIALS?: number;

  @IsOptional() @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' }) ADMIN_EMAIL?: string;
  @IsOptional() @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' }) ADMIN_PASSWORD?: string;
  @IsOptional() @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' }) SMTP_URL?: string;
  @IsOptional() @IsString() MAIL_FROM?: string;
  @IsOptional() @IsIn(['required', 'off'], { message: 'EMAIL_VERIFICATION must be required or off' }) EMAIL_VERIFICATION?: string;
  @IsOptional() @MinLength(32, { message: 'SESSION_SECRET must be at least 32 characters' }) SESSION_SECRET?: string;

  @IsOptional() @IsIn(['local', 's3'], { message: 'ARTIFACT_STORE must be local or s3' }) ARTIFACT_STORE?: string;
  @IsOptional() @IsString() ARTIFACT_DIR?: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) S3_ENDPOINT?: string;
  @IsOptional() @IsString() S3_BUCKET?: string;
  @IsOptional() @IsString() S3_REGION?: string;
  @IsOptional() @IsString() S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;
  @IsOptional() @IsIn(['true', 'false', '1', '0']) S3_FORCE_PATH_STYLE?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('RESULT_RETENTION') }) RESULT_RETENTION?: string;
  @IsOptional() @IsString() PROFILES_FILE?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('SCHEDULER_INTERVAL') }) SCHEDULER_INTERVAL?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('SHUTDOWN_DRAIN') }) SHUTDOWN_DRAIN?: string;
  @IsOptional() @Matches(DURATION, { message: DURATION_MSG('SHUTDOWN_TIMEOUT') }) SHUTDOWN_TIMEOUT?: string;
  @IsOptional() @Matches(/^\d+\/\d+(ms|s|m|h|d)$/, { message: 'AUTH_RATE_LIMIT must look like 10/1m (attempts per period)' }) AUTH_RATE_LIMIT?: string;
}

export const ENV_NAMES: readonly string[] = [
  'PORT', 'NODE_ENV', 'LOG_LEVEL', 'PUBLIC_URL', 'TRUST_PROXY', 'DATABASE_URL', 'TRIALHUB_DATA_DIR', 'RUNTIME', 'KUBECONFIG',
  'KUBE_NAMESPACE', 'INSTALLATION_ID', 'SESSION_UPLOAD_URL', 'KUBE_STORAGE_CLASS', 'WORKSPACE_SIZE', 'TRIAL_DURATION',
  'SESSION_MAX_RUNTIME', 'SESSION_IDLE_TIMEOUT', 'MAX_ACTIVE_TRIALS', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'SMTP_URL', 'MAIL_FROM',
  'EMAIL_VERIFICATION', 'SESSION_SECRET', 'ARTIFACT_STORE', 'ARTIFACT_DIR', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION',
  'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'RESULT_RETENTION', 'PROFILES_FILE', 'AUTH_RATE_LIMIT', 'SCHEDULER_INTERVAL',
  'TRIALHUB_EXAMPLE_DATA', 'JUPYTER_COMMAND',
  'UPLOAD_PORT', 'LOCAL_RUNTIME_IN_PRODUCTION',
  'NOTEBOOK_DOMAIN',
  'SHUTDOWN_DRAIN', 'SHUTDOWN_TIMEOUT',
];

export class ConfigError extends Error {}

/** Validates the environment once; the error names every bad variable. Empty strings count as unset. */
export function validateEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  const raw: Record<string, unknown> = {};
  for (const name of ENV_NAMES) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[name] = v;
  }
  const parsed = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: false });
  for (const name of ['PORT', 'MAX_ACTIVE_TRIALS', 'UPLOAD_PORT'] as const) {
    if (raw[name] !== undefined) {
      const n = Number(raw[name]);
      (parsed as any)[name] = /^\d+$/.test(String(raw[name]).trim()) ? n : raw[name];
    }
  }
  const errors = validateSync(parsed, { forbidUnknownValues: false });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((msg) => `${msg} (got ${JSON.stringify(raw[e.property])})`));
  if (parsed.NODE_ENV === 'production' && !parsed.SESSION_SECRET) problems.push('SESSION_SECRET is required when NODE_ENV=production');
  if (parsed.ARTIFACT_STORE === 's3' && !parsed.S3_BUCKET) problems.push('S3_BUCKET is required when ARTIFACT_STORE=s3');
  const trustProxy = parseTrustProxy(parsed.TRUST_PROXY);
  if ('problem' in trustProxy) problems.push(trustProxy.problem);
  if (parsed.ADMIN_EMAIL && !parsed.ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD is required when ADMIN_EMAIL is set');
  problems.push(...uploadPortProblems(parsed), ...localRuntimeProblems(parsed));
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return parsed;
}
