/**
 * The account's say in a session's claims: its roles, and every permission they grant as `scope`
 * (space-separated, sorted, each once), decided from the account the sign-in read.
 */
import type { ClaimsDecider } from '../sessions/sign-in';
import { scopeOf, type RoleMap } from './roles';

/** A ClaimsDecider that takes roles and scope from the sign-in's account; without an account, none. */
export function createRolesDecider(map: RoleMap): ClaimsDecider {
  return (claims, signIn) => {
    const roles = signIn.account?.roles ?? [];
    return { ...claims, roles: [...roles], scope: scopeOf(map, roles) };
  };
}
