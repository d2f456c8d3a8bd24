/**
 * `npm run keys -- --stage prod [--alg ES256] [--rotate] [--apply]`
 *
 * Makes the secrets a stage needs and writes them under .keys/<stage>/ (git-ignored, mode 600):
 * the signing key (SSM SecureString), the refresh-token hashing key (SecureString) and the public
 * verification key set (String; read at deploy time for the authorizer and the JWKS). It prints the
 * AWS CLI commands that store them, or runs the same puts with --apply. With --rotate it makes only
 * a new signing key and adds its public half to the existing verification set (see README, "Key rotation").
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SUPPORTED_ALGORITHMS, type Jwk, type JwtAlgorithm } from '../lib/core/config';
import { importVerificationKeys } from '../lib/tokens/keys';
import { generateHashKey, generateSigningJwk } from './dev/keys';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parameterNames } = require('../infra/environment.js') as {
  parameterNames: (service: string, stage: string) => { privateKey: string; hashKey: string; verificationKeys: string };
};

const SERVICE = 'jwt-auth';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      alg: { type: 'string', default: 'ES256' },
      rotate: { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
      region: { type: 'string' },
    },
  });
  const stage = values.stage;
  if (!stage || !/^[A-Za-z0-9-]+$/.test(stage)) throw new Error('usage: npm run keys -- --stage <name> [--alg ES256|EdDSA|RS256|HS256] [--rotate] [--apply]');
  const algorithm = values.alg as JwtAlgorithm;
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) throw new Error(`--alg must be one of ${SUPPORTED_ALGORITHMS.join(', ')}`);

  const directory = join(__dirname, '..', '.keys', stage);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const files = {
    privateKey: join(directory, 'jwt-private-key.json'),
    hashKey: join(directory, 'refresh-token-hash-key'),
    verificationKeys: join(directory, 'jwt-verification-keys.json'),
  };
  const write = (path: string, value: string) => writeFileSync(path, value, { mode: 0o600 });

  const signing = await generateSigningJwk(algorithm);
  const previous: Jwk[] = values.rotate && existsSync(files.verificationKeys) ? JSON.parse(readFileSync(files.verificationKeys, 'utf8')).keys : [];
  const { publicJwks } = importVerificationKeys({ algorithm, privateJwk: signing as Jwk, extraVerificationJwks: previous });
  write(files.privateKey, JSON.stringify(signing));
  write(files.verificationKeys, JSON.stringify({ keys: publicJwks }));
  if (!values.rotate || !existsSync(files.hashKey)) write(files.hashKey, generateHashKey());

  const names = parameterNames(SERVICE, stage);
  const puts = [
    { name: names.privateKey, type: 'SecureString', file: files.privateKey },
    ...(values.rotate ? [] : [{ name: names.hashKey, type: 'SecureString', file: files.hashKey }]),
    ...(algorithm === 'HS256' ? [] : [{ name: names.verificationKeys, type: 'String', file: files.verificationKeys }]),
  ];
  console.log(`Keys for stage "${stage}" (${algorithm}, kid ${String(signing.kid)}) written to .keys/${stage}/ (keep them out of git).`);
  if (values.rotate) console.log(`Verification set now holds ${publicJwks.length} public key(s): ${publicJwks.map((key) => key.kid).join(', ')}`);

  if (values.rotate && !values.apply) {
    const [privatePut, verificationPut] = [puts[0]!, puts[1]];
    console.log('\nRotate in three steps (README, "Key rotation"):\n');
    if (verificationPut) {
      console.log('1. Publish the new public key and redeploy, so every verifier knows it before it signs:');
      console.log(`   aws ssm put-parameter --overwrite --name ${verificationPut.name} --type String --value file://${verificationPut.file}`);
      console.log(`   JWT_ALG=${algorithm} npx serverless deploy --stage ${stage}`);
    }
    console.log('2. After the JWKS cache (300 s) has passed, switch the signing key:');
    console.log(`   aws ssm put-parameter --overwrite --name ${privatePut.name} --type SecureString --value file://${privatePut.file}`);
    console.log(`   JWT_ALG=${algorithm} npx serverless deploy --stage ${stage}   # new cold starts sign with the new kid`);
    console.log('3. After ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS, drop the old public key from the set and redeploy.');
    return;
  }
  if (!values.apply) {
    console.log('\nStore them in SSM Parameter Store:\n');
    for (const put of puts) {
      console.log(`aws ssm put-parameter --overwrite --name ${put.name} --type ${put.type} --value file://${put.file}`);
    }
    console.log(`\nthen: JWT_ALG=${algorithm} npx serverless deploy --stage ${stage}`);
    return;
  }
  const { SSMClient, PutParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient(values.region ? { region: values.region } : {});
  for (const put of puts) {
    await ssm.send(new PutParameterCommand({ Name: put.name, Type: put.type as 'String', Value: readFileSync(put.file, 'utf8'), Overwrite: true }));
    console.log(`stored ${put.name} (${put.type})`);
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
