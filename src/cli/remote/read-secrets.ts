import { read } from 'read';
import { CliError } from '../cli-error.js';

// Passwords come from prompts at a terminal (not echoed) or from standard input lines when piped,
// never from an argument, where they would sit in the shell history and in `ps`.

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Lines from a pipe, or answers to prompts at a terminal. */
export async function readSecrets(prompts: readonly string[]): Promise<string[]> {
  if (!process.stdin.isTTY) {
    const lines = (await readStdin()).split(/\r?\n/);
    if (lines.length < prompts.length || lines.slice(0, prompts.length).some((line) => line === '')) {
      throw new CliError(`standard input must hold ${prompts.length === 1 ? 'the password' : `${prompts.length} lines: ${prompts.join(', ')}`}`);
    }
    return lines.slice(0, prompts.length);
  }
  const answers: string[] = [];
  for (const prompt of prompts) answers.push(String(await read({ prompt: `${prompt}: `, silent: true, replace: '*', output: process.stderr })));
  return answers;
}

/** The sign-in name: an option, else a prompt at a terminal. */
export async function readLogin(given: string | undefined): Promise<string | undefined> {
  return given ?? (process.stdin.isTTY ? String(await read({ prompt: 'Email or username: ', output: process.stderr })) : undefined);
}
