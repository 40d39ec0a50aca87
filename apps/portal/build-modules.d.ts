// The repository type-checks with `moduleResolution: node` (CommonJS server code), which cannot
// see the types of ESM-only packages through their `exports` maps. This is the one signature
// vite.config.ts uses; Vite itself validates the config when it loads it.
declare module '@vitejs/plugin-react' {
  export default function react(options?: Record<string, unknown>): unknown;
}
