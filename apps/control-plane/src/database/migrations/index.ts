import { InitialSchema1764201600000 } from './1764201600000-initial-schema';

/** Every migration, oldest first. Never edit one that has shipped: add a new one. */
export const MIGRATIONS: Function[] = [InitialSchema1764201600000];
