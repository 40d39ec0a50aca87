import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTEBOOK_PORT, NOTEBOOK_UI_ENV, NOTEBOOK_UID, SAVE_OUTPUTS_COMMAND } from '../../apps/control-plane/src/runtime/kubernetes/manifests';
import { imageReference, parseDockerfile, ParsedDockerfile, SECRET_FILE, SECRET_NAME, Stage } from '../test/dockerfile';
import { findOne, renderOverlay } from '../test/kustomize';

const ROOT = resolve(__dirname, '../..');
const IMAGES = ['control-plane', 'notebook'] as const;
const read = (image: string) => readFileSync(join(__dirname, image, 'Dockerfile'), 'utf8');
const parsed = (image: string): ParsedDockerfile => parseDockerfile(read(image));
const finalStage = (d: ParsedDockerfile): Stage => d.stages[d.stages.length - 1];
const stageNames = (d: ParsedDockerfile) => new Set(d.stages.map((s) => s.name).filter(Boolean));

describe.each(IMAGES)('the %s Dockerfile', (image) => {
  it('passes the Docker language server\'s linter (dockerfile-utils) without a problem', () => {
    expect(parsed(image).lint).toEqual([]);
  });

  it('pins every base image to an exact version tag (or a digest), never latest', () => {
    const d = parsed(image);
    const external = d.stages.filter((s) => !stageNames(d).has(s.image));
    expect(external.length).toBeGreaterThan(0);
    for (const stage of external) {
      const ref = imageReference(stage.image);
      expect(stage.image, 'every base image ARG has a default').not.toContain('$');
      expect(ref.tag ?? ref.digest, `${stage.image} has a tag or digest`).toBeTruthy();
      if (!ref.digest) expect(ref.tag, `${stage.image}: an exact version`).toMatch(/^v?\d+\.\d+\.\d+/);
      expect(ref.tag).not.toBe('latest');
    }
  });

  it('runs its final stage as a non-root user, set after the last step that needs root', () => {
    const steps = finalStage(parsed(image)).steps;
    const users = steps.filter((s) => s.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1];
    const [user] = last.args[0].split(':');
    expect(['root', '0']).not.toContain(user);
    const lastRun = steps.filter((s) => s.keyword === 'RUN').pop();
    if (lastRun) expect(last.line).toBeGreaterThan(lastRun.line);
  });

  it('keeps secrets out of layers and history: no secret-named ENV or ARG, no secret files copied', () => {
    const d = parsed(image);
    const all = [...Object.keys(d.globalArgs), ...d.stages.flatMap((s) => s.steps.filter((x) => x.keyword === 'ARG' || x.keyword === 'ENV').flatMap((x) => x.args.map((a) => a.split('=')[0])))];
    expect(all.filter((name) => SECRET_NAME.test(name))).toEqual([]);
    const copied = d.stages.flatMap((s) => s.steps.filter((x) => (x.keyword === 'COPY' || x.keyword === 'ADD') && !x.flags.from).flatMap((x) => x.args.slice(0, -1)));
    expect(copied.filter((src) => SECRET_FILE.test(src))).toEqual([]);
    expect(d.stages.flatMap((s) => s.steps.filter((x) => x.keyword === 'ADD'))).toEqual([]);
  });

  it('copies only files that exist, and that its Dockerfile.dockerignore lets into the build context', () => {
    const d = parsed(image);
    const ignore = readFileSync(join(__dirname, image, 'Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore).toContain('**');
    expect(ignore).toContain('**/.env*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const admitted = (src: string) => allowed.some((a) => a === src || (a.endsWith('/**') && (src + '/').startsWith(a.slice(0, -2))));
    for (const stage of d.stages) {
      for (const step of stage.steps.filter((s) => s.keyword === 'COPY' && !s.flags.from)) {
        for (const src of step.args.slice(0, -1)) {
          expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
          expect(admitted(src), `${src} is admitted by the dockerignore`).toBe(true);
        }
      }
    }
  });

  it('has a HEALTHCHECK for runs outside Kubernetes', () => {
    expect(finalStage(parsed(image)).steps.some((s) => s.keyword === 'HEALTHCHECK')).toBe(true);
  });
});

describe('the control plane image', () => {
  const d = parsed('control-plane');

  it('is multi-stage: compilers and dev packages stay in the build stages', () => {
    expect(d.stages.length).toBeGreaterThanOrEqual(3);
    const last = finalStage(d);
    expect(last.steps.filter((s) => s.keyword === 'RUN')).toEqual([]);
    const fromStages = last.steps.filter((s) => s.keyword === 'COPY' && s.flags.from).map((s) => s.flags.from);
    expect(fromStages.sort()).toEqual(['build', 'deps']);
    expect(d.stages.find((s) => s.name === 'build')?.steps[0].flags.platform).toBe('$BUILDPLATFORM');
  });

  it('starts the compiled server, with the portal built inside, as the uid the Deployment runs as', () => {
    const last = finalStage(d);
    const cmd = last.steps.find((s) => s.keyword === 'CMD')!;
    expect(cmd.args.join(' ')).toContain('dist/control-plane.js');
    const build = d.stages.find((s) => s.name === 'build')!;
    expect(build.steps.some((s) => s.keyword === 'COPY' && s.args[0] === 'apps/portal')).toBe(true);
    expect(build.steps.some((s) => s.keyword === 'RUN' && s.args.join(' ').includes('scripts/build.mjs'))).toBe(true);
    const deployment = findOne(renderOverlay('power8'), 'Deployment', 'trialhub-control-plane');
    const user = last.steps.filter((s) => s.keyword === 'USER').pop()!.args[0].split(':')[0];
    expect(Number(user)).toBe(deployment.spec.template.spec.securityContext.runAsUser);
    // The main port and the session upload API's own port (UPLOAD_PORT).
    expect(last.steps.find((s) => s.keyword === 'EXPOSE')?.args).toEqual(deployment.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => String(p.containerPort)));
  });
});

describe('the notebook image', () => {
  const d = parsed('notebook');
  const last = finalStage(d);

  it('builds on a CUDA 11.8 / cuDNN 8 base, which tfjs-node-gpu 4.22 supports', () => {
    expect(d.globalArgs.CUDA_IMAGE).toMatch(/^docker\.io\/nvidia\/cuda:11\.8\.\d+-cudnn8-runtime-ubuntu\d+\.\d+$/);
    expect(d.stages.find((s) => s.name === 'runtime-base')?.image).toBe(d.globalArgs.CUDA_IMAGE);
    const rootVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).optionalDependencies['@tensorflow/tfjs-node-gpu'];
    const tfjsArg = d.stages.flatMap((s) => s.steps).find((s) => s.keyword === 'ARG' && s.args[0].startsWith('TFJS_NODE_GPU_VERSION='));
    expect(tfjsArg?.args[0]).toBe(`TFJS_NODE_GPU_VERSION=${rootVersion}`);
  });

  it('runs as the pod\'s uid, starts Jupyter through start-notebook on the port the driver probes', () => {
    expect(last.steps.filter((s) => s.keyword === 'USER').pop()!.args[0]).toBe(`${NOTEBOOK_UID}:${NOTEBOOK_UID}`);
    expect(last.steps.find((s) => s.keyword === 'ENTRYPOINT')!.args).toEqual(['tini', '--', '/opt/trialhub/bin/start-notebook']);
    expect(last.steps.find((s) => s.keyword === 'EXPOSE')!.args).toEqual([String(NOTEBOOK_PORT)]);
  });

  it('takes the notebook\'s link back to the portal from the pod: start-notebook writes it, the image has no copy of its own', () => {
    const entrypoint = readFileSync(join(__dirname, 'notebook/bin/start-notebook'), 'utf8');
    expect(entrypoint).toContain(`\${${NOTEBOOK_UI_ENV}:-}`);
    expect(entrypoint).not.toMatch(/trialhub-back|login_widget|textContent/);
    expect(last.steps.filter((s) => s.keyword === 'COPY').flatMap((s) => s.args).filter((a) => /custom\.(js|css)|notebook-ui/.test(a))).toEqual([]);
    // start-notebook decodes the files with Node.js, which the final stage has (from its base).
    expect(d.stages.find((s) => s.name === 'runtime-base')!.steps.some((s) => s.keyword === 'COPY' && s.flags.from === 'node' && s.args[0] === '/usr/local/bin/node')).toBe(true);
  });

  it('installs the preStop hook where the pod calls it', () => {
    const [hook] = SAVE_OUTPUTS_COMMAND;
    const copy = last.steps.find((s) => s.keyword === 'COPY' && s.args.some((a) => a.endsWith('/trialhub-save')));
    expect(copy).toBeDefined();
    expect(hook).toBe(`${copy!.args[copy!.args.length - 1].replace(/\/$/, '')}/trialhub-save`);
  });

  it('ships the compiled trainer where the preStop hook loads its stop-time saver', () => {
    const dist = last.steps.find((s) => s.keyword === 'COPY' && s.flags.from === 'compile' && s.args[0] === '/src/dist');
    expect(dist?.args[1]).toBe('/opt/trialhub/app/dist');
    const hook = readFileSync(join(__dirname, 'notebook/bin/trialhub-save'), 'utf8');
    expect(hook).toContain("join(home, 'app')");
    expect(hook).toContain("'dist/apps/trainer/src/save-unsaved-runs.js'");
    expect(existsSync(join(ROOT, 'apps/trainer/src/save-unsaved-runs.ts'))).toBe(true);
  });

  it('bakes the example data and the model in at build time, so sessions start offline', () => {
    const assets = d.stages.find((s) => s.name === 'assets')!;
    expect(assets.steps.some((s) => s.keyword === 'RUN' && s.args.join(' ').includes('bake-offline-assets /opt/trialhub'))).toBe(true);
    const baked = last.steps.filter((s) => s.keyword === 'COPY' && s.flags.from === 'assets').map((s) => s.args[0]);
    expect(baked.sort()).toEqual(['/opt/trialhub/example-data', '/opt/trialhub/models']);
  });

  it('installs the trainer\'s runtime packages at the versions the repository uses', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const rootVersions = { ...root.devDependencies, ...root.dependencies };
    const runtime = JSON.parse(readFileSync(join(__dirname, 'notebook/trainer-runtime/package.json'), 'utf8'));
    for (const [name, version] of Object.entries(runtime.dependencies)) expect(`${name}@${version}`).toBe(`${name}@${rootVersions[name]}`);
    const lock = JSON.parse(readFileSync(join(__dirname, 'notebook/trainer-runtime/package-lock.json'), 'utf8'));
    expect(lock.packages[''].dependencies).toEqual(runtime.dependencies);
    for (const name of Object.keys(runtime.dependencies)) expect(lock.packages[`node_modules/${name}`].version).toBe(runtime.dependencies[name]);
  });
});
