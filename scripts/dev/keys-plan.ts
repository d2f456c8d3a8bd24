/**
 * What `npm run keys` may do for a stage, decided from what already exists and the flags given,
 * with no I/O, so the rules that keep production keys from being replaced by accident are tested.
 *
 * - No flag: first-time creation. Refused when any key already exists, locally or in SSM; the
 *   puts carry no --overwrite, so AWS itself refuses to replace a parameter it already has.
 * - --rotate: a new signing key, its public half added to the current verification set (the
 *   overlap procedure of docs/operations.md, "Keys and their rotation"). The refresh-token hash key is not touched.
 * - --rotate-hash-key: the current hash key becomes the previous one and a new one is made; the
 *   runtime tries both, so nobody is logged out.
 * - --rotate-id-token-key: a new RS256 ID-token key, its public half added to the published
 *   ID-token key set (the same overlap); on a stage made before ID tokens, the first ID-token key.
 * - --force: replaces everything, with a warning that this ends every session.
 */

export const KEY_PARAMETERS = ['privateKey', 'verificationKeys', 'hashKey', 'previousHashKey', 'idTokenKey', 'idTokenPublicKeys'] as const;
export type KeyParameter = (typeof KEY_PARAMETERS)[number];

/** Which keys exist in one place. */
export type KeyPresence = Readonly<Record<KeyParameter, boolean>>;

export interface KeyFlags {
  readonly algorithm: string;
  readonly rotate: boolean;
  readonly rotateHashKey: boolean;
  readonly rotateIdTokenKey: boolean;
  readonly force: boolean;
}

export type KeyMode = 'create' | 'rotate-signing-key' | 'rotate-hash-key' | 'rotate-id-token-key' | 'force-replace';

export interface KeyPut {
  readonly parameter: KeyParameter;
  readonly type: 'SecureString' | 'String';
  readonly overwrite: boolean;
}

export interface KeyPlan {
  readonly ok: true;
  readonly mode: KeyMode;
  readonly newSigningKey: boolean;
  /** Keep the current verification set (read from .keys/<stage>/) and add the new public key to it. */
  readonly extendVerificationSet: boolean;
  readonly newHashKey: boolean;
  /** A new RS256 ID-token key (whatever the access tokens' algorithm). */
  readonly newIdTokenKey: boolean;
  /** Keep the published ID-token key set (read from .keys/<stage>/) and add the new public key to it. */
  readonly extendIdTokenSet: boolean;
  /** Where the current hash key is read from before it becomes the previous one (rotate-hash-key only). */
  readonly previousHashKeyFrom?: 'local' | 'ssm';
  /** In the order they must be stored. */
  readonly puts: readonly KeyPut[];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

export type KeyRefusalCode =
  | 'conflicting_flags'
  | 'keys_exist'
  | 'no_signing_key_to_rotate'
  | 'verification_set_not_local'
  | 'id_token_set_not_local'
  | 'no_hash_key_to_rotate';

export interface KeyRefusal {
  readonly ok: false;
  readonly code: KeyRefusalCode;
  readonly message: string;
}

export interface KeyPlanInput {
  readonly stage: string;
  readonly existingLocal: KeyPresence;
  /** Undefined when SSM was not asked (no --apply). */
  readonly existingInSsm: KeyPresence | undefined;
  readonly flags: KeyFlags;
}

export const LOCAL_KEY_FILES: Readonly<Record<KeyParameter, string>> = {
  privateKey: 'jwt-private-key.json',
  verificationKeys: 'jwt-verification-keys.json',
  hashKey: 'refresh-token-hash-key',
  previousHashKey: 'refresh-token-previous-hash-key',
  idTokenKey: 'id-token-private-key.json',
  idTokenPublicKeys: 'id-token-public-keys.json',
};

const LABELS: Readonly<Record<KeyParameter, string>> = {
  privateKey: 'signing key',
  verificationKeys: 'verification key set',
  hashKey: 'refresh-token hash key',
  previousHashKey: 'previous refresh-token hash key',
  idTokenKey: 'ID-token signing key',
  idTokenPublicKeys: 'ID-token public key set',
};

export const SESSIONS_END_WARNING =
  'replacing the refresh-token hash key ends every session: every refresh token, and every email link not yet used, stops working.';

const refuse = (code: KeyRefusalCode, message: string): KeyRefusal => ({ ok: false, code, message });

/** Decides what `npm run keys` does, or why it refuses. */
export function planKeys({ stage, existingLocal, existingInSsm, flags }: KeyPlanInput): KeyPlan | KeyRefusal {
  const modes = [flags.rotate && '--rotate', flags.rotateHashKey && '--rotate-hash-key', flags.rotateIdTokenKey && '--rotate-id-token-key', flags.force && '--force'].filter(Boolean);
  if (modes.length > 1) return refuse('conflicting_flags', `${modes.join(' and ')} cannot be combined: run one at a time.`);

  const exists = (parameter: KeyParameter) => existingLocal[parameter] || existingInSsm?.[parameter] === true;
  const asymmetric = flags.algorithm !== 'HS256';
  const directory = `.keys/${stage}/`;
  const ssmNote = (consequence: string) => (existingInSsm === undefined ? [`SSM was not checked (that needs --apply); only ${directory} was. ${consequence}`] : []);
  const notes = ssmNote('The commands below carry no --overwrite, so they fail rather than replace a parameter SSM already has.');
  const rotationNotes = ssmNote(`The rotation starts from the keys in ${directory}: make sure they are the ones SSM holds.`);

  if (flags.rotateHashKey) {
    if (!existingLocal.hashKey && !existingInSsm?.hashKey) {
      return refuse(
        'no_hash_key_to_rotate',
        `Stage "${stage}" has no refresh-token hash key ${existingInSsm ? 'locally or in SSM' : `in ${directory} (SSM not checked: add --apply)`}; create keys first.`,
      );
    }
    return {
      ok: true,
      mode: 'rotate-hash-key',
      newSigningKey: false,
      extendVerificationSet: false,
      newHashKey: true,
      newIdTokenKey: false,
      extendIdTokenSet: false,
      previousHashKeyFrom: existingInSsm?.hashKey ? 'ssm' : 'local',
      // The previous key first: a cold start between the two puts then still knows every live hash.
      puts: [
        { parameter: 'previousHashKey', type: 'SecureString', overwrite: true },
        { parameter: 'hashKey', type: 'SecureString', overwrite: true },
      ],
      warnings: exists('previousHashKey')
        ? ['this replaces the previous refresh-token hash key: sessions not refreshed since the last hash-key rotation end.']
        : [],
      notes: [
        ...rotationNotes,
        'The runtime tries the current and the previous hash key; rotate again only after REFRESH_TOKEN_TTL_SECONDS, ' +
          'when every live session has been refreshed under the new key.',
      ],
    };
  }

  if (flags.rotate) {
    if (!exists('privateKey') && !exists('verificationKeys')) {
      return refuse(
        'no_signing_key_to_rotate',
        `Stage "${stage}" has no signing key ${existingInSsm ? 'locally or in SSM' : `in ${directory} (SSM not checked: add --apply)`}; create keys first.`,
      );
    }
    if (asymmetric && !existingLocal.verificationKeys) {
      return refuse(
        'verification_set_not_local',
        `Rotation adds the new public key to the current verification set, which is not in ${directory}${LOCAL_KEY_FILES.verificationKeys}. ` +
          'Fetch it from SSM into that file first (aws ssm get-parameter --name <verification keys parameter> --query Parameter.Value --output text).',
      );
    }
    return {
      ok: true,
      mode: 'rotate-signing-key',
      newSigningKey: true,
      extendVerificationSet: asymmetric,
      newHashKey: false,
      newIdTokenKey: false,
      extendIdTokenSet: false,
      puts: [
        ...(asymmetric ? [{ parameter: 'verificationKeys', type: 'String', overwrite: true } as const] : []),
        { parameter: 'privateKey', type: 'SecureString', overwrite: true },
      ],
      warnings: asymmetric ? [] : ['HS256 has no public key set to overlap: access tokens signed with the old key stop verifying once the new one is stored.'],
      notes: rotationNotes,
    };
  }

  if (flags.rotateIdTokenKey) {
    // A stage made before ID tokens has neither half: its first ID-token key needs no overlap.
    const hasSet = exists('idTokenPublicKeys');
    if (hasSet && !existingLocal.idTokenPublicKeys) {
      return refuse(
        'id_token_set_not_local',
        `Rotation adds the new public key to the published ID-token key set, which is not in ${directory}${LOCAL_KEY_FILES.idTokenPublicKeys}. ` +
          'Fetch it from SSM into that file first (aws ssm get-parameter --name <ID-token public keys parameter> --query Parameter.Value --output text).',
      );
    }
    return {
      ok: true,
      mode: 'rotate-id-token-key',
      newSigningKey: false,
      extendVerificationSet: false,
      newHashKey: false,
      newIdTokenKey: true,
      extendIdTokenSet: hasSet,
      puts: [
        { parameter: 'idTokenPublicKeys', type: 'String', overwrite: hasSet },
        { parameter: 'idTokenKey', type: 'SecureString', overwrite: exists('idTokenKey') },
      ],
      warnings: [],
      notes: hasSet ? rotationNotes : [...rotationNotes, `Stage "${stage}" had no ID-token key: this is its first one.`],
    };
  }

  const present = KEY_PARAMETERS.filter(exists);
  const puts: KeyPut[] = [
    { parameter: 'privateKey', type: 'SecureString', overwrite: flags.force },
    { parameter: 'hashKey', type: 'SecureString', overwrite: flags.force },
    ...(asymmetric ? [{ parameter: 'verificationKeys', type: 'String', overwrite: flags.force } as const] : []),
    { parameter: 'idTokenKey', type: 'SecureString', overwrite: flags.force },
    { parameter: 'idTokenPublicKeys', type: 'String', overwrite: flags.force },
  ];
  const fresh = {
    newSigningKey: true,
    extendVerificationSet: false,
    newHashKey: true,
    newIdTokenKey: true,
    extendIdTokenSet: false,
    puts,
    notes: flags.force ? [] : notes,
  };

  if (flags.force) {
    const warnings = [
      ...(exists('hashKey') ? [`--force: ${SESSIONS_END_WARNING}`] : []),
      ...(exists('privateKey') ? ['--force: the signing key is replaced without the overlap of --rotate: access tokens issued so far stop verifying.'] : []),
      ...(exists('idTokenKey') ? ['--force: the ID-token key is replaced without the overlap of --rotate-id-token-key: ID tokens issued so far stop verifying.'] : []),
    ];
    return { ok: true, mode: 'force-replace', ...fresh, warnings };
  }
  if (present.length > 0) {
    const where = (parameter: KeyParameter) =>
      [existingLocal[parameter] && directory, existingInSsm?.[parameter] && 'SSM'].filter(Boolean).join(' and ');
    return refuse(
      'keys_exist',
      `Stage "${stage}" already has keys: ${present.map((parameter) => `${LABELS[parameter]} (${where(parameter)})`).join(', ')}. ` +
        'Nothing was written. Use --rotate for a new signing key, --rotate-hash-key for a new refresh-token hash key, ' +
        '--rotate-id-token-key for a new (or a first) ID-token key, ' +
        `or --force to replace everything (${SESSIONS_END_WARNING})`,
    );
  }
  return { ok: true, mode: 'create', ...fresh, warnings: [] };
}

export interface CommandContext {
  readonly stage: string;
  readonly algorithm: string;
  readonly names: Readonly<Record<KeyParameter, string>>;
  readonly files: Readonly<Record<KeyParameter, string>>;
  readonly region?: string;
}

/** The AWS CLI command that stores one put. */
export function putCommand(put: KeyPut, { names, files, region }: CommandContext): string {
  return [
    'aws ssm put-parameter',
    ...(put.overwrite ? ['--overwrite'] : []),
    ...(region ? [`--region ${region}`] : []),
    `--name ${names[put.parameter]}`,
    `--type ${put.type}`,
    `--value file://${files[put.parameter]}`,
  ].join(' ');
}

/**
 * What to run by hand, in order, with the deploys in between. `publicKeyStored`: --apply already
 * stored the verification set of a signing-key rotation (step 1).
 */
export function instructions(plan: KeyPlan, context: CommandContext, { publicKeyStored = false } = {}): string[] {
  const command = (parameter: KeyParameter) => putCommand(plan.puts.find((put) => put.parameter === parameter)!, context);
  const deploy = `JWT_ALG=${context.algorithm} npx serverless deploy --stage ${context.stage}`;
  switch (plan.mode) {
    case 'rotate-signing-key':
      return [
        'Rotate in three steps (docs/operations.md, "Keys and their rotation"):',
        ...(plan.extendVerificationSet
          ? publicKeyStored
            ? ['1. The new public key is stored; redeploy, so every verifier knows it before it signs:', `   ${deploy}`]
            : ['1. Publish the new public key and redeploy, so every verifier knows it before it signs:', `   ${command('verificationKeys')}`, `   ${deploy}`]
          : []),
        `${plan.extendVerificationSet ? '2. After the JWKS cache (300 s) has passed, switch' : 'Switch'} the signing key:`,
        `   ${command('privateKey')}`,
        `   ${deploy}   # new cold starts sign with the new kid`,
        ...(plan.extendVerificationSet ? ['3. After ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS, drop the old public key from the set and redeploy.'] : []),
      ];
    case 'rotate-id-token-key':
      return [
        ...(plan.extendIdTokenSet
          ? [
              'Rotate the ID-token key in three steps (docs/operations.md, "Keys and their rotation"):',
              ...(publicKeyStored
                ? ['1. The new public key is stored; redeploy, so the JWKS publishes it before it signs:', `   ${deploy}`]
                : ['1. Publish the new public key and redeploy, so the JWKS publishes it before it signs:', `   ${command('idTokenPublicKeys')}`, `   ${deploy}`]),
              '2. After the JWKS cache (300 s) has passed, switch the ID-token key:',
            ]
          : ['Store the first ID-token key (public set first):', ...(publicKeyStored ? [] : [`   ${command('idTokenPublicKeys')}`])]),
        `   ${command('idTokenKey')}`,
        `   ${deploy}`,
        ...(plan.extendIdTokenSet ? ['3. After ID tokens signed with the old key have expired, drop its public key from the set and redeploy.'] : []),
      ];
    case 'rotate-hash-key':
      return [
        'Rotate the refresh-token hash key (previous key first):',
        `   ${command('previousHashKey')}`,
        `   ${command('hashKey')}`,
        `   ${deploy}   # new cold starts hash with the new key and still accept the previous one`,
      ];
    case 'create':
    case 'force-replace':
      return ['Store them in SSM Parameter Store:', ...plan.puts.map((put) => `   ${putCommand(put, context)}`), `then: ${deploy}`];
  }
}
