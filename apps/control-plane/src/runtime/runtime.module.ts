import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LocalRuntime } from './local';
import { SESSION_RUNTIME, SessionRuntime } from './session-runtime';

/** Picks the runtime driver from configuration (RUNTIME=local|kubernetes); both implement `SessionRuntime`. */
export async function createRuntime(config: AppConfig): Promise<SessionRuntime> {
  const logger = new Logger(`Runtime:${config.runtime.kind}`);
  if (config.runtime.kind === 'kubernetes') {
    // Loaded lazily: the kubernetes client is only needed when that driver is chosen.
    const { KubernetesRuntime } = await import('./kubernetes');
    return new KubernetesRuntime(
      {
        namespace: config.runtime.namespace,
        installationId: config.runtime.installationId,
        kubeconfigPath: config.runtime.kubeconfig ?? undefined,
        storageClassName: config.runtime.storageClass ?? undefined,
        workspaceSize: config.runtime.workspaceSize,
      },
      logger,
    );
  }
  return new LocalRuntime(
    {
      dataDir: config.database.dataDir, installationId: config.runtime.installationId, exampleDataDir: config.runtime.exampleDataDir, jupyterCommand: config.runtime.jupyterCommand,
    },
    logger,
  );
}

@Global()
@Module({
  providers: [{ provide: SESSION_RUNTIME, inject: [AppConfig], useFactory: createRuntime }],
  exports: [SESSION_RUNTIME],
})
export class RuntimeModule {}
