export { LocalRuntime, type LocalRuntimeOptions } from './local-runtime';
