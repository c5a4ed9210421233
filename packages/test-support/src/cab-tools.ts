import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function has(tool: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

/** Debian's gcab and cabextract, installed on first use (the tests that read cabinets need both, never skip). */
export async function ensureCabTools(): Promise<void> {
  const missing = [];
  for (const tool of ['gcab', 'cabextract']) if (!(await has(tool))) missing.push(tool);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = async (...args: string[]) => {
    const [command, ...rest] = [...sudo, 'apt-get', ...args];
    await run(command!, rest, { env, maxBuffer: 64 * 1024 * 1024 });
  };
  try {
    await apt('install', '-y', 'gcab', 'cabextract');
  } catch {
    await apt('update');
    await apt('install', '-y', 'gcab', 'cabextract');
  }
}

export async function runTool(
  command: string,
  args: string[],
  cwd?: string,
): Promise<{ stdout: string; stderr: string }> {
  const result = await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return { stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** The file names `gcab -l` prints (it may append size, date, time and attributes after each name). */
export async function gcabNames(cabinet: string): Promise<string[]> {
  const { stdout } = await runTool('gcab', ['-l', cabinet]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/\s+\d+\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+0x[0-9A-Fa-f]+$/, ''))
    .sort();
}
