import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

/** Builds the portal into <repo>/dist/portal, which the control plane serves at `/`. */
// A plain object (not `defineConfig`): see build-modules.d.ts for why `vite` is not imported here.
export default {
  root: __dirname,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@trialhub/contracts': resolve(repo, 'libs/contracts/src/index.ts') } },
  build: { outDir: resolve(repo, 'dist/portal'), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 400 },
  // `vite` (dev server) forwards the API and the notebook proxy to a control plane on :3000.
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/notebook': { target: 'http://127.0.0.1:3000', ws: true }, '/share': 'http://127.0.0.1:3000' } },
};
