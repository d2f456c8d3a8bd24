import { readRequired, type Env } from '../core/settings';

/** The clients table (CLIENTS_TABLE): only the functions that read or change clients load it. */
export const loadClientsTable = (env: Env): string => readRequired(env, 'CLIENTS_TABLE');
