import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** A Dockerfile as stages of (keyword, arguments) after dockerfile-ast parsed it. */
export interface Step {
  keyword: string;
  args: string[];
  /** Flags such as --from=build or --platform=$BUILDPLATFORM, without the dashes. */
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  /** The FROM image with the global ARG defaults substituted. */
  image: string;
  name: string | null;
  steps: Step[];
}

export interface ParsedDockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
  /** Problems found by dockerfile-utils, the Docker language server's linter. */
  lint: string[];
}

function stripFlags(args: string[]): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (const a of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m && rest.length === 0) flags[m[1]] = m[2] ?? 'true';
    else rest.push(a);
  }
  return { flags, rest };
}

export function parseDockerfile(content: string): ParsedDockerfile {
  const lint = validate(content).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const dockerfile = DockerfileParser.parse(content);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const { flags, rest } = stripFlags(instruction.getArguments().map((a) => a.getValue()));
    // COPY, ADD, FROM, RUN… keep their flags apart from their arguments.
    const own = (instruction as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> }).getFlags?.() ?? [];
    for (const flag of own) flags[flag.getName()] = flag.getValue() ?? 'true';
    const line = instruction.getRange().start.line + 1;
    const raw = instruction.getArgumentsContent()?.trim() ?? '';
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && raw.startsWith('[')) {
      stages[stages.length - 1]?.steps.push({ keyword, args: JSON.parse(raw) as string[], flags, line });
      continue;
    }
    if (keyword === 'FROM') {
      const image = rest[0].replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? `$${name}`);
      const asIndex = rest.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ image, name: asIndex >= 0 ? rest[asIndex + 1] : null, steps: [{ keyword, args: rest, flags, line }] });
    } else if (keyword === 'ARG' && stages.length === 0) {
      for (const a of rest) {
        const [name, ...value] = a.split('=');
        globalArgs[name] = value.join('=').replace(/^"(.*)"$/, '$1');
      }
    } else {
      stages[stages.length - 1]?.steps.push({ keyword, args: rest, flags, line });
    }
  }
  return { globalArgs, stages, lint };
}

/** Splits `registry/name:tag@sha256:…` into its parts. */
export function imageReference(image: string): { name: string; tag: string | null; digest: string | null } {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  return { name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest, tag: hasTag ? withoutDigest.slice(colon + 1) : null, digest: digest ?? null };
}

/** Secret-looking names; values under such names end up in the image's layers or history. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY|CREDENTIAL)/i;
/** Files that should never be copied into an image. */
export const SECRET_FILE = /(^|\/)(\.env(\..*)?|id_rsa.*|.*\.pem|.*\.key|\.npmrc|\.git-credentials|secrets?(\/|$))/;
