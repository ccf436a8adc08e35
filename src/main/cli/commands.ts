/** The commands besides `serve`: exec, run, export, import. */
import type { CliCommand } from './command'
import { execCommand } from './exec'
import { exportCommand } from './export'
import { importCommand } from './import'
import { runCommand } from './run'

export const EXTRA_COMMANDS: CliCommand[] = [execCommand, runCommand, exportCommand, importCommand]
