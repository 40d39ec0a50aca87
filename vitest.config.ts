import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const alias = { '@trialhub/contracts': resolve(__dirname, 'libs/contracts/src/index.ts'), '@trialhub/vision': resolve(__dirname, 'libs/vision/src/index.ts') };
// SWC keeps decorator metadata, which Nest's dependency injection needs (esbuild drops it).
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { transform: { legacyDecorator: true, decoratorMetadata: true }, keepClassNames: true } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/fake-k8s/**/*.spec.ts', 'deploy/**/*.spec.ts'], exclude: ['apps/portal/**'] },
      },
      {
        // The portal is React (JSX with the automatic runtime) in a DOM, not Nest: its own transform.
        plugins: [swc.vite({ module: { type: 'es6' }, jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } })],
        resolve: { alias },
        test: { name: 'portal', include: ['apps/portal/**/*.spec.tsx', 'apps/portal/**/*.spec.ts'], environment: 'happy-dom' },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.e2e.ts', 'test/browser/**/*.e2e.ts'], fileParallelism: false },
      },
    ],
  },
});
