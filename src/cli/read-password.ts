import { read } from 'read';
import { CliError } from './cli-error.js';

// A password is read from a prompt (not echoed, asked twice) or from standard input when that is
// a pipe; never from an argument, where it would sit in the shell history and in `ps`.

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = await readAllStdin();
    // One trailing line break is the pipe's, not the password's.
    return text.replace(/\r?\n$/, '');
  }
  const first = await read({ prompt: 'Password: ', silent: true, replace: '*', output: process.stderr });
  const second = await read({ prompt: 'Repeat password: ', silent: true, replace: '*', output: process.stderr });
  if (first !== second) throw new CliError('the two passwords differ');
  return first;
}
