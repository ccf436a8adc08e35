export { planInstall, type InstallContext, type PlannedInstall, type WheelToStore } from './installer'
export {
  extractPipCommands,
  parseInstall,
  parsePipArguments,
  type InstallArgs,
  type PipCommand
} from './pip-command'
export { normalizeName } from './requirement'
export { RUNTIME_INCLUDES, type StoredWheel } from './sources'
export { bytecodeFile, type BytecodeEntry, type CompiledWheel } from './bytecode'
