import { Command } from 'commander'
import { commands } from './commands.js'

/** Entry point of the `promptledger` command. */
export async function main(argv: string[]): Promise<void> {
  // A reader that goes away (`promptledger export | head`) closes stdout: writeOut() then stops the command, which
  // still runs its finally blocks (the read's audit entry), instead of an unhandled EPIPE ending the process.
  process.stdout.on('error', () => undefined)
  const program = new Command('promptledger')
    .description('Audit-grade flight recorder for LLM calls')
    .version('0.1.0')
    .showHelpAfterError()
  for (const register of commands) register(program)
  // Usage errors the parser finds (an unknown flag, a missing value) exit 2, as the commands' own usage errors do;
  // commander has printed them already. `--help` and `--version` stay 0.
  const override = (command: Command): void => {
    command.exitOverride((err) => {
      throw Object.assign(err, { exitCode: err.exitCode === 0 ? 0 : 2, printed: true })
    })
    for (const sub of command.commands) override(sub)
  }
  override(program)
  await program.parseAsync(argv)
}
