/** Every answer from a notebook origin carries this: no page may frame a notebook (clickjacking its kernel). */
export const NOTEBOOK_FRAME_POLICY = "frame-ancestors 'none'";

/** Jupyter's own policy with its `frame-ancestors` (Jupyter allows 'self') replaced by `'none'`; the rest is kept. */
export function withoutFraming(policy: string | string[] | undefined): string {
  const directives = [policy ?? []]
    .flat()
    .join(';')
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && !/^frame-ancestors\b/i.test(d));
  return [...directives, NOTEBOOK_FRAME_POLICY].join('; ');
}
