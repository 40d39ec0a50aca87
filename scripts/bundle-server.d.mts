/** Types for scripts/bundle-server.mjs (the build script is plain JavaScript). */
export declare const EXTERNAL: string[];
export declare function bundleServer(root: string): Promise<string>;
