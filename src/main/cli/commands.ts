/** The commands besides `serve`: exec, run, export, import (issue 9). */
import type { CliCommand } from './command'

export const EXTRA_COMMANDS: CliCommand[] = []
