/** Kubernetes resource quantities ("500m", "2", "16Gi", "1e3") as numbers, for comparing sizes. */
const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a Kubernetes quantity`);
  return Number(match[1]) * SUFFIX[match[2] ?? ''];
}
