/** RFC 3339 timestamps with second precision, as Kubernetes writes most of them. */
export const timestamp = (at: number = Date.now()) => new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z');
