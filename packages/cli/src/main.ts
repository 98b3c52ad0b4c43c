import { Command } from 'commander'
import { commands } from './commands.js'

/** Entry point of the `promptledger` command. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('promptledger')
    .description('Audit-grade flight recorder for LLM calls')
    .version('0.1.0')
    .showHelpAfterError()
  for (const register of commands) register(program)
  await program.parseAsync(argv)
}
