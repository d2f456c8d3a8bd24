/**
 * Shapes shared by the infra/*.js files, for their JSDoc (`@param {import('./types').VariableSources}`).
 * Types only: Serverless `require`s the .js files and never reads this one.
 */

/**
 * What Serverless passes to a function that a `${file(./infra/x.js):name}` variable names.
 * Only what these files use is declared.
 */
export interface VariableSources {
  /**
   * Resolves a variable address as written inside `${...}` (`"param:waf, 'false'"`, `'sls:stage'`).
   * `unknown`: params keep their YAML type (`waf: false` is a boolean), and ssm can give a list.
   */
  resolveVariable(address: string): Promise<unknown>;
  /** The value at a path of serverless.yml (`['functions']`), its variables resolved. */
  resolveConfigurationProperty(path: string[]): Promise<unknown>;
  /** The command line's options (`--stage`, `--param`...). */
  options: Record<string, unknown>;
}

/** The variable resolver alone, for helpers that take only it. */
export type ResolveVariable = VariableSources['resolveVariable'];

/** A CloudFormation resource, typed loosely: its Properties are the AWS type's own. */
export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** A template's Resources section, by logical id. */
export type Resources = Record<string, CloudFormationResource>;

/** One entry of a template's Outputs section. */
export interface CloudFormationOutput {
  Description: string;
  Value: unknown;
  Export?: { Name: string };
}

/** A template's Outputs section, by logical id. */
export type Outputs = Record<string, CloudFormationOutput>;

/** The part of a CloudFormation template the packaging hooks edit. */
export interface Template {
  Resources: Resources;
}

/** One function of serverless.yml, as the plugins read it. */
export interface ServerlessFunction {
  handler?: string;
  architecture?: string;
  package?: { artifact?: string };
  /** The function's own variables, on top of provider.environment. */
  environment?: Record<string, unknown>;
}

/** The Serverless instance a plugin's constructor gets, as far as the local plugins use it. */
export interface Serverless {
  /** The folder of serverless.yml (osls 4 sets it whenever a service is loaded, so for every plugin). */
  serviceDir: string;
  service: {
    custom?: Record<string, unknown> & { apiThrottling?: { rateLimit?: unknown; burstLimit?: unknown } };
    functions?: Record<string, ServerlessFunction>;
    provider: { architecture?: string; environment?: Record<string, unknown>; compiledCloudFormationTemplate: Template };
  };
}

/** The logger Serverless hands to a plugin (third constructor argument). */
export interface PluginUtils {
  log?: { verbose?(message: string): void };
}

/** An IAM action of DynamoDB, without its `dynamodb:` prefix (a transaction needs those of its items). */
export type DynamoDbAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** Actions allowed on some tables or indexes (their ARNs, as CloudFormation intrinsics). */
export interface DynamoDbGrant {
  actions: DynamoDbAction[];
  resources: unknown[];
}

/** One statement of an IAM policy. */
export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** A function's `AWS::IAM::Role`, as infra/iam.js builds it. */
export interface RoleResource {
  Type: 'AWS::IAM::Role';
  Properties: {
    AssumeRolePolicyDocument: { Version: string; Statement: { Effect: string; Principal: unknown; Action: string }[] };
    Policies: { PolicyName: string; PolicyDocument: { Version: string; Statement: IamStatement[] } }[];
  };
}

/** A secret a function may read: a key of infra/environment.js `parameterNames`. */
export type SecretName = 'privateKey' | 'hashKey' | 'previousHashKey' | 'verificationKeys';
