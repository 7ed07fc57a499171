/**
 * Whether Cube's server can run in this process. Cube 1.7's API gateway always starts the SQL API,
 * whose constructor needs the native (Rust) module; that module's binary is downloaded from GitHub
 * by its postinstall, and `@cubejs-backend/server` is an optional dependency that npm drops where
 * that fails. Probe both up front, so `activation serve` can explain instead of crashing.
 */

export const MIN_NODE_MAJOR = 22;

export type CubeServerClass = new (config: Record<string, unknown>, systemOptions?: Record<string, unknown>) => {
  listen(options?: Record<string, unknown>): Promise<{ version: string; port: number }>;
  close?(): Promise<void>;
  shutdown?(signal: string, graceful?: boolean): Promise<number>;
};

export type CubeRuntime =
  | { available: true; CubejsServer: CubeServerClass }
  | { available: false; missing: 'node' | 'server' | 'native'; detail: string };

export async function probeCubeRuntime(): Promise<CubeRuntime> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < MIN_NODE_MAJOR) {
    return { available: false, missing: 'node', detail: `this is Node ${process.versions.node}` };
  }
  let native: { loadNative?: () => unknown };
  try {
    native = (await import('@cubejs-backend/native' as string)) as typeof native;
    native.loadNative?.();
  } catch (error) {
    return { available: false, missing: 'native', detail: firstLine(error) };
  }
  try {
    const mod = (await import('@cubejs-backend/server' as string)) as { CubejsServer?: CubeServerClass; default?: CubeServerClass | { CubejsServer?: CubeServerClass } };
    const CubejsServer = mod.CubejsServer ?? (typeof mod.default === 'function' ? mod.default : mod.default?.CubejsServer);
    if (!CubejsServer) return { available: false, missing: 'server', detail: '@cubejs-backend/server has no CubejsServer export' };
    return { available: true, CubejsServer };
  } catch (error) {
    return { available: false, missing: 'server', detail: firstLine(error) };
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0].replace(/\.$/, '');
}

/** The one paragraph `activation serve` prints when Cube cannot run here. */
export function explainMissingRuntime(runtime: Extract<CubeRuntime, { available: false }>): string {
  const what = {
    node: `Cube 1.7 needs Node ${MIN_NODE_MAJOR} or newer (${runtime.detail}).`,
    native:
      `Cube's native module @cubejs-backend/native is not usable here (${runtime.detail}): its install step downloads a prebuilt binary from GitHub, which this machine could not reach, and Cube 1.7's server needs it for the SQL API and for encoding REST results.`,
    server:
      `@cubejs-backend/server is not installed (${runtime.detail}): it is an optional dependency, which npm skips where Cube's install steps cannot download their binaries from GitHub.`,
  }[runtime.missing];
  return (
    `Cannot start the Cube server: ${what} Nothing was started and nothing was changed. ` +
    `Everything else works without it: \`npx activation query '<json>'\` runs any REST query through Cube's own compiler over model/ on the same warehouse (its --format json output is exactly what REST /load returns), and \`activation build\` and \`activation generate\` keep the mart and the model fresh. ` +
    `To serve REST on port 4000 and the SQL API on 15432, run \`npm ci && npm start\` on a machine that can reach github.com with Node ${MIN_NODE_MAJOR}+, or run Cube's Docker image with this repository's cube.js and model/ (see docs/serving.md).`
  );
}
