import type { AggregatingEmfCounter } from '../metrics/emf';
import type { AuthorizerDenyReason } from '../metrics/names';
import type { AuthorizerDecision, AuthorizerDenial } from './authorizer';

/** The metric dimension of each refusal: a handful of reasons an operator acts on differently. */
export const DENY_REASON_OF: Record<AuthorizerDenial, AuthorizerDenyReason> = {
  no_bearer: 'no_token',
  multiple_authorization: 'malformed',
  malformed: 'malformed',
  unsupported_header: 'malformed',
  alg_not_allowed: 'malformed',
  invalid_typ: 'malformed',
  unknown_kid: 'unknown_key',
  invalid_signature: 'bad_signature',
  invalid_claim: 'invalid_claims',
  invalid_issuer: 'invalid_claims',
  invalid_audience: 'invalid_claims',
  not_yet_valid: 'invalid_claims',
  expired: 'expired',
  too_old: 'expired',
  session_ended: 'session_ended',
  session_check_failed: 'error',
  internal_error: 'error',
  insufficient_authentication: 'invalid_claims',
  insufficient_scope: 'insufficient_scope',
};

/** The authorizer's decision hook: AuthorizerAllowed, or AuthorizerDenied by reason, summed in memory. */
export function countDecisions(counter: Pick<AggregatingEmfCounter, 'count'>): (decision: AuthorizerDecision) => void {
  return (decision) => {
    if (decision.allowed) counter.count('AuthorizerAllowed');
    else counter.count('AuthorizerDenied', { Reason: DENY_REASON_OF[decision.reason] });
  };
}
