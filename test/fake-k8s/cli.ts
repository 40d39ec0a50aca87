import { startFakeKubernetes } from './index';

/**
 * `npm run fake-k8s -- [--port 6443] [--nodes 2] [--gpus-per-node 4] [--cpu-only-nodes 0] [--kubelet-delay-ms 50]`
 * Prints a kubeconfig on stdout and serves until SIGINT/SIGTERM. Progress goes to stderr.
 */
const USAGE = 'usage: npm run fake-k8s -- [--port N] [--nodes N] [--gpus-per-node N] [--cpu-only-nodes N] [--kubelet-delay-ms N]';

function parseArgs(argv: string[]): Record<string, number> {
  const known = new Set(['port', 'nodes', 'gpus-per-node', 'cpu-only-nodes', 'kubelet-delay-ms']);
  const values: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    }
    const [flag, inline] = arg.split('=', 2);
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !known.has(name)) throw new Error(`unknown option "${arg}"\n${USAGE}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number ≥ 0, got "${raw ?? ''}"\n${USAGE}`);
    values[name] = value;
  }
  return values;
}

async function main(): Promise<void> {
  let args: Record<string, number>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fake-k8s: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const fake = await startFakeKubernetes({
    port: args.port ?? 6443,
    nodes: args.nodes ?? 2,
    gpusPerNode: args['gpus-per-node'] ?? 4,
    cpuOnlyNodes: args['cpu-only-nodes'] ?? 0,
    kubeletDelayMs: args['kubelet-delay-ms'] ?? 50,
  }).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(`fake-k8s: cannot listen: ${error.code === 'EADDRINUSE' ? `port ${args.port ?? 6443} is in use (try --port 0 for a free one)` : error.message}\n`);
    process.exit(1);
  });
  process.stdout.write(fake.kubeconfigYaml);
  const nodes = fake.objects('nodes').map((n) => `${n.metadata.name} (${n.metadata.labels['kubernetes.io/arch']}, ${n.status.allocatable['nvidia.com/gpu'] ?? 0} GPU)`);
  process.stderr.write(`fake-k8s: serving ${fake.url} with nodes ${nodes.join(', ')}; Ctrl-C to stop\n`);
  const stop = async (signal: string) => {
    process.stderr.write(`fake-k8s: ${signal}, shutting down\n`);
    await fake.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

void main();
