import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve('bin/activation.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI with this test's Node and the given CUBEJS_DB_* variables. */
export function runCli(args: string[], env: Record<string, string | undefined>, cwd = process.cwd()): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI and resolves once its stderr matches `ready`; the caller kills or awaits it. */
export function startCli(args: string[], env: Record<string, string | undefined>, ready: RegExp, cwd = process.cwd()) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<CliResult>((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
  const isReady = new Promise<void>((done, fail) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (ready.test(stderr)) done();
    });
    void exited.then((r) => fail(new Error(`CLI exited (${r.code}) before ${ready}: ${r.stderr}`)));
  });
  return { child, isReady, exited };
}
