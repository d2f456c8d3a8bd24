/**
 * `npm run keys -- --stage prod [--alg ES256] [--rotate | --rotate-hash-key | --rotate-id-token-key | --force] [--apply] [--region eu-west-1]`
 *
 * Makes the secrets a stage needs and writes them under .keys/<stage>/ (git-ignored, mode 600):
 * the signing key (SSM SecureString), the refresh-token hash key (SecureString), the previous hash
 * key after a hash-key rotation (SecureString), the public verification key set (String; read at
 * deploy time for the authorizer and the JWKS), and the RS256 key that signs OpenID Connect ID
 * tokens (SecureString) with its public key set (String; read at deploy time for the JWKS). It prints the AWS CLI commands that store them, or
 * runs the same puts with --apply.
 *
 * It never replaces a key by accident (the rules, tested, are in scripts/dev/keys-plan.ts):
 * - first run: refused when the stage already has any key, in .keys/<stage>/ or (with --apply,
 *   which asks SSM) in SSM; the puts carry no --overwrite, so AWS refuses to replace one as well;
 * - --rotate: a new signing key, its public half added to the verification set (docs/operations.md, "Keys and their rotation");
 * - --rotate-hash-key: the current refresh-token hash key moves to the previous-key parameter and
 *   a new one is made; the runtime accepts both (REFRESH_TOKEN_PREVIOUS_HASH_KEY), so no one is
 *   logged out;
 * - --rotate-id-token-key: a new ID-token key, its public half added to the published set (or the
 *   first one, on a stage made before ID tokens);
 * - --force: replaces everything, with a warning: a new hash key ends every session.
 * Without --apply SSM is not asked (no credentials needed); the script says so.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ID_TOKEN_ALGORITHM, SUPPORTED_ALGORITHMS, type Jwk, type JwtAlgorithm } from '../lib/core/config';
import { importVerificationKeys } from '../lib/tokens/keys';
import { parameterNames } from '../infra/environment.js';
import { generateHashKey, generateIdTokenJwk, generateSigningJwk } from './dev/keys';
import { instructions, KEY_PARAMETERS, LOCAL_KEY_FILES, planKeys, type KeyParameter, type KeyPlan, type KeyPresence } from './dev/keys-plan';

const SERVICE = 'jwt-auth';
const ROOT = join(__dirname, '..');
const USAGE = 'usage: npm run keys -- --stage <name> [--alg ES256|EdDSA|RS256|HS256] [--rotate | --rotate-hash-key | --rotate-id-token-key | --force] [--apply] [--region <region>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      alg: { type: 'string', default: 'ES256' },
      rotate: { type: 'boolean', default: false },
      'rotate-hash-key': { type: 'boolean', default: false },
      'rotate-id-token-key': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
      region: { type: 'string' },
    },
  });
  const stage = values.stage;
  if (!stage || !/^[A-Za-z0-9-]+$/.test(stage)) throw new Error(USAGE);
  const algorithm = values.alg as JwtAlgorithm;
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) throw new Error(`--alg must be one of ${SUPPORTED_ALGORITHMS.join(', ')}`);

  const directory = join(ROOT, '.keys', stage);
  const files = Object.fromEntries(KEY_PARAMETERS.map((parameter) => [parameter, join(directory, LOCAL_KEY_FILES[parameter])])) as Record<KeyParameter, string>;
  const names: Record<KeyParameter, string> = parameterNames(SERVICE, stage);
  const existingLocal = Object.fromEntries(KEY_PARAMETERS.map((parameter) => [parameter, existsSync(files[parameter])])) as KeyPresence;
  const ssm = values.apply ? await ssmParameters(values.region) : undefined;
  const existingInSsm = ssm ? await ssm.presence(names) : undefined;

  const plan = planKeys({
    stage,
    existingLocal,
    existingInSsm,
    flags: { algorithm, rotate: values.rotate, rotateHashKey: values['rotate-hash-key'], rotateIdTokenKey: values['rotate-id-token-key'], force: values.force },
  });
  if (!plan.ok) {
    console.error(`Refused (${plan.code}): ${plan.message}`);
    process.exit(2);
  }
  for (const warning of plan.warnings) console.warn(`WARNING: ${warning}`);
  for (const note of plan.notes) console.log(`Note: ${note}`);

  mkdirSync(directory, { recursive: true, mode: 0o700 });
  await writeLocalKeys(plan, { algorithm, files, readSsmHashKey: () => ssm!.secureValue(names.hashKey) });
  console.log(`Keys for stage "${stage}" (${plan.mode}) written to .keys/${stage}/ (keep them out of git).`);

  const context = { stage, algorithm, names, files, ...(values.region ? { region: values.region } : {}) };
  if (!ssm) {
    console.log(`\n${instructions(plan, context).join('\n')}`);
    return;
  }
  // The overlap procedure has waits in it: --apply stores only the public key (step 1); the
  // signing key goes in after the redeploy and the JWKS cache, as printed.
  const overlapping = (plan.mode === 'rotate-signing-key' && plan.extendVerificationSet) || (plan.mode === 'rotate-id-token-key' && plan.extendIdTokenSet);
  const publicSet: KeyParameter = plan.mode === 'rotate-id-token-key' ? 'idTokenPublicKeys' : 'verificationKeys';
  const putsNow = overlapping ? plan.puts.filter((put) => put.parameter === publicSet) : plan.puts;
  for (const put of putsNow) {
    await ssm.put(names[put.parameter], put.type, readFileSync(files[put.parameter], 'utf8').trim(), put.overwrite);
    console.log(`stored ${names[put.parameter]} (${put.type}${put.overwrite ? ', replaced' : ''})`);
  }
  if (overlapping) {
    console.log(`\n${instructions(plan, context, { publicKeyStored: true }).join('\n')}`);
    return;
  }
  console.log(`\nthen: JWT_ALG=${algorithm} npx serverless deploy --stage ${stage}`);
}

/** Generates what the plan asks for and writes it under .keys/<stage>/. */
async function writeLocalKeys(
  plan: KeyPlan,
  { algorithm, files, readSsmHashKey }: { algorithm: JwtAlgorithm; files: Record<KeyParameter, string>; readSsmHashKey: () => Promise<string> },
): Promise<void> {
  const write = (parameter: KeyParameter, value: string) => writeFileSync(files[parameter], value, { mode: 0o600 });
  if (plan.newSigningKey) {
    const signing = await generateSigningJwk(algorithm);
    const current: Jwk[] = plan.extendVerificationSet ? JSON.parse(readFileSync(files.verificationKeys, 'utf8')).keys : [];
    const { publicJwks } = importVerificationKeys({ algorithm, privateJwk: signing as Jwk, extraVerificationJwks: current });
    write('privateKey', JSON.stringify(signing));
    write('verificationKeys', JSON.stringify({ keys: publicJwks }));
    console.log(`New signing key ${String(signing.kid)}; the verification set holds ${publicJwks.map((key) => key.kid).join(', ')}`);
  }
  if (plan.newIdTokenKey) {
    const signing = await generateIdTokenJwk();
    const current: Jwk[] = plan.extendIdTokenSet ? JSON.parse(readFileSync(files.idTokenPublicKeys, 'utf8')).keys : [];
    const { publicJwks } = importVerificationKeys({ algorithm: ID_TOKEN_ALGORITHM, privateJwk: signing as Jwk, extraVerificationJwks: current });
    write('idTokenKey', JSON.stringify(signing));
    write('idTokenPublicKeys', JSON.stringify({ keys: publicJwks }));
    console.log(`New ID-token key ${String(signing.kid)}; the ID-token key set holds ${publicJwks.map((key) => key.kid).join(', ')}`);
  }
  if (plan.previousHashKeyFrom) {
    const current = plan.previousHashKeyFrom === 'ssm' ? await readSsmHashKey() : readFileSync(files.hashKey, 'utf8').trim();
    write('previousHashKey', current);
  }
  if (plan.newHashKey) write('hashKey', generateHashKey());
}

/** The few SSM calls --apply needs; the SDK is loaded only then. */
async function ssmParameters(region: string | undefined) {
  const { SSMClient, GetParameterCommand, PutParameterCommand, ParameterNotFound } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(region ? { region } : {});
  const exists = async (name: string) => {
    try {
      await client.send(new GetParameterCommand({ Name: name }));
      return true;
    } catch (error) {
      if (error instanceof ParameterNotFound) return false;
      throw error;
    }
  };
  return {
    presence: async (names: Record<KeyParameter, string>): Promise<KeyPresence> =>
      Object.fromEntries(await Promise.all(KEY_PARAMETERS.map(async (parameter) => [parameter, await exists(names[parameter])]))) as KeyPresence,
    secureValue: async (name: string): Promise<string> => {
      const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      if (!Parameter?.Value) throw new Error(`SSM parameter ${name} has no value`);
      return Parameter.Value;
    },
    put: async (name: string, type: 'SecureString' | 'String', value: string, overwrite: boolean) => {
      await client.send(new PutParameterCommand({ Name: name, Type: type, Value: value, Overwrite: overwrite }));
    },
  };
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
