'use strict';
// @ts-check
/**
 * Operations in the stack: one SNS topic for every alarm (an email subscription when the deploy
 * parameter alarmEmail is set), the alarms, a CloudWatch dashboard and saved Logs Insights queries.
 * Custom metrics are the EMF counters of lib/metrics (namespace `<service>/<stage>`, dimension
 * `service`). docs/operations.md ("Alarms") explains each alarm: what it means and what to do.
 */
const { serviceAndStage } = require('./service.js');
const { tableNames } = require('./tables.js');

/**
 * Alarm thresholds by THRESHOLD_PARAMETERS key, parsed.
 * @typedef {Record<string, number>} Thresholds
 * @typedef {{ service: string, stage: string, functionKeys: string[], alarmEmail?: string, namespace: string, thresholds: Thresholds }} MonitoringContext
 * @typedef {import('./types').Resources} Resources
 */

const PERIOD_SECONDS = 300;
// Below this many requests in a period, a 5xx rate says little (one error in two requests is 50 %).
const MIN_REQUESTS_FOR_5XX_RATE = 20;

/**
 * The same rule as lib/metrics/names.ts `metricsNamespace` (a unit test keeps them equal).
 * @param {string} service
 * @param {string} stage
 */
const metricsNamespace = (service, stage) => `${service}/${stage}`;
/** @type {(service: string, stage: string, key: string) => string} */
const deployedFunctionName = (service, stage, key) => `${service}-${stage}-${key}`;
/** @type {(service: string, stage: string, key: string) => string} */
const logGroupName = (service, stage, key) => `/aws/lambda/${deployedFunctionName(service, stage, key)}`;
// serverless' default REST API name (provider.apiName unset).
/** @type {(service: string, stage: string) => string} */
const restApiName = (service, stage) => `${stage}-${service}`;
// serverless' normalisation of a function key into CloudFormation logical ids (LoginLambdaFunction, LoginLogGroup).
/** @param {string} key */
const normalizedKey = (key) => {
  const alphanumeric = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return alphanumeric[0].toUpperCase() + alphanumeric.slice(1);
};

/** Deploy parameters that set alarm thresholds, with what each means (defaults: serverless.yml params.default). */
const THRESHOLD_PARAMETERS = {
  api5xxRatePercent: 'alarmApi5xxRatePercent',
  lambdaErrors: 'alarmLambdaErrors',
  lambdaThrottles: 'alarmLambdaThrottles',
  dynamoDbThrottles: 'alarmDynamoDbThrottles',
  dynamoDbSystemErrors: 'alarmDynamoDbSystemErrors',
  loginFailed: 'alarmLoginFailed',
  authorizerP99Ms: 'alarmAuthorizerP99Ms',
  emailSendFailed: 'alarmEmailSendFailed',
  emailAbandoned: 'alarmEmailAbandoned',
};

/**
 * Every threshold as a positive number, or an error that names the parameter.
 * @param {Record<string, unknown>} raw by THRESHOLD_PARAMETERS key
 * @returns {Thresholds}
 */
function parseThresholds(raw) {
  /** @type {Thresholds} */
  const thresholds = {};
  for (const [key, parameter] of Object.entries(THRESHOLD_PARAMETERS)) {
    const value = Number(raw[key]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${parameter} must be a positive number, got "${raw[key]}"`);
    thresholds[key] = value;
  }
  return thresholds;
}

/**
 * A CloudWatch alarm that notifies the alarm topic; `metric` is its metric or metric math.
 * @param {MonitoringContext} ctx
 * @param {{ name: string, description: string, threshold: number, comparison?: string, evaluationPeriods?: number, metric: Record<string, unknown> }} options
 * @returns {import('./types').CloudFormationResource}
 */
function alarm(ctx, { name, description, threshold, comparison = 'GreaterThanOrEqualToThreshold', evaluationPeriods = 1, metric }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${ctx.service}-${ctx.stage}-${name}`,
      AlarmDescription: `${description} See docs/operations.md, "Alarms", "${name}".`,
      ActionsEnabled: true,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
      ComparisonOperator: comparison,
      Threshold: threshold,
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: evaluationPeriods,
      // No traffic is not an incident; an outage shows in the 5xx and error alarms instead.
      TreatMissingData: 'notBreaching',
      ...metric,
    },
  };
}

/**
 * @param {string} namespace
 * @param {string} metricName
 * @param {Record<string, string>} dimensions
 * @param {string} [statistic] Sum, or a percentile such as p99
 */
const singleMetric = (namespace, metricName, dimensions, statistic = 'Sum') => ({
  Namespace: namespace,
  MetricName: metricName,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  Period: PERIOD_SECONDS,
  ...(statistic.startsWith('p') ? { ExtendedStatistic: statistic } : { Statistic: statistic }),
});

/** @type {(ctx: MonitoringContext, metricName: string) => Record<string, unknown>} */
const customMetric = (ctx, metricName) => singleMetric(ctx.namespace, metricName, { service: ctx.service });

// Metrics Insights sums ThrottledRequests/SystemErrors over every Operation of a table without listing them.
/** @type {(metricName: string, table: string) => Record<string, unknown>} */
const tableQuery = (metricName, table) => ({
  Metrics: [
    {
      Id: 'q1',
      Expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = '${table}'`,
      Period: PERIOD_SECONDS,
      ReturnData: true,
    },
  ],
});

/**
 * Every alarm, keyed by logical id.
 * @param {MonitoringContext} ctx
 * @returns {Resources}
 */
function alarmResources(ctx) {
  const { service, stage, functionKeys, thresholds } = ctx;
  const api = { ApiName: restApiName(service, stage), Stage: stage };
  /** @type {Resources} */
  const alarms = {
    Api5xxRateAlarm: alarm(ctx, {
      name: 'api-5xx-rate',
      description: `More than ${thresholds.api5xxRatePercent} % of API requests answered 5xx in 5 minutes (at least ${MIN_REQUESTS_FOR_5XX_RATE} requests).`,
      threshold: thresholds.api5xxRatePercent,
      comparison: 'GreaterThanThreshold',
      metric: {
        Metrics: [
          { Id: 'errors', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: dims(api) }, Period: PERIOD_SECONDS, Stat: 'Sum' }, ReturnData: false },
          { Id: 'requests', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: dims(api) }, Period: PERIOD_SECONDS, Stat: 'Sum' }, ReturnData: false },
          { Id: 'rate', Expression: `IF(requests >= ${MIN_REQUESTS_FOR_5XX_RATE}, 100 * errors / requests, 0)`, Label: '5xx rate (%)', ReturnData: true },
        ],
      },
    }),
    RefreshTokenReuseAlarm: alarm(ctx, {
      name: 'refresh-token-reuse',
      description: 'A rotated-away refresh token was presented: possible token theft; the session was revoked.',
      threshold: 1,
      metric: customMetric(ctx, 'RefreshTokenReuse'),
    }),
    LoginFailedSpikeAlarm: alarm(ctx, {
      name: 'login-failed-spike',
      description: `At least ${thresholds.loginFailed} failed logins in 5 minutes: credential stuffing or password spraying?`,
      threshold: thresholds.loginFailed,
      metric: customMetric(ctx, 'LoginFailed'),
    }),
    EmailSendFailedAlarm: alarm(ctx, {
      name: 'email-send-failed',
      description: `At least ${thresholds.emailSendFailed} sends of an email failed in 5 minutes (each one is kept in the outbox and retried).`,
      threshold: thresholds.emailSendFailed,
      metric: customMetric(ctx, 'EmailSendFailed'),
    }),
    AuditWriteFailedAlarm: alarm(ctx, {
      name: 'audit-write-failed',
      description: 'A security event could not be stored in the audit trail (it is in the log only): the audit table failed or was slow.',
      threshold: 1,
      metric: customMetric(ctx, 'AuditWriteFailed'),
    }),
    EmailAbandonedAlarm: alarm(ctx, {
      name: 'email-abandoned',
      description: `At least ${thresholds.emailAbandoned} emails were given up in 5 minutes: their retries failed for too long, or they could not be kept for a retry. Users did not get them.`,
      threshold: thresholds.emailAbandoned,
      metric: customMetric(ctx, 'EmailAbandoned'),
    }),
  };
  if (functionKeys.includes('authorizer')) {
    alarms.AuthorizerLatencyAlarm = alarm(ctx, {
      name: 'authorizer-p99-duration',
      description: `The authorizer's p99 duration was above ${thresholds.authorizerP99Ms} ms for 15 minutes; every protected request waits for it.`,
      threshold: thresholds.authorizerP99Ms,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 3,
      metric: singleMetric('AWS/Lambda', 'Duration', { FunctionName: deployedFunctionName(service, stage, 'authorizer') }, 'p99'),
    });
  }
  for (const key of functionKeys) {
    const functionName = deployedFunctionName(service, stage, key);
    alarms[`${normalizedKey(key)}ErrorsAlarm`] = alarm(ctx, {
      name: `${key}-errors`,
      description: `The ${key} function failed (an uncaught error, a timeout or out of memory) at least ${thresholds.lambdaErrors} times in 5 minutes.`,
      threshold: thresholds.lambdaErrors,
      metric: singleMetric('AWS/Lambda', 'Errors', { FunctionName: functionName }),
    });
    alarms[`${normalizedKey(key)}ThrottlesAlarm`] = alarm(ctx, {
      name: `${key}-throttles`,
      description: `The ${key} function was throttled (no concurrency left) at least ${thresholds.lambdaThrottles} times in 5 minutes.`,
      threshold: thresholds.lambdaThrottles,
      metric: singleMetric('AWS/Lambda', 'Throttles', { FunctionName: functionName }),
    });
  }
  const tables = tableNames(service, stage);
  for (const [logicalId, table] of [['UsersTable', tables.users], ['SessionsTable', tables.sessions], ['EmailOutboxTable', tables.emailOutbox], ['AuditTable', tables.audit], ['ClientsTable', tables.clients]]) {
    alarms[`${logicalId}ThrottlesAlarm`] = alarm(ctx, {
      name: `${table.slice(`${service}-${stage}-`.length)}-table-throttles`,
      description: `DynamoDB throttled at least ${thresholds.dynamoDbThrottles} requests to ${table} in 5 minutes.`,
      threshold: thresholds.dynamoDbThrottles,
      metric: tableQuery('ThrottledRequests', table),
    });
    alarms[`${logicalId}SystemErrorsAlarm`] = alarm(ctx, {
      name: `${table.slice(`${service}-${stage}-`.length)}-table-system-errors`,
      description: `DynamoDB answered at least ${thresholds.dynamoDbSystemErrors} requests to ${table} with a 500 in 5 minutes.`,
      threshold: thresholds.dynamoDbSystemErrors,
      metric: tableQuery('SystemErrors', table),
    });
  }
  return alarms;
}

/** @param {Record<string, string>} object */
const dims = (object) => Object.entries(object).map(([Name, Value]) => ({ Name, Value }));

/**
 * The SNS topic every alarm notifies, and an email subscription when an address is given.
 * @param {MonitoringContext} ctx
 * @returns {Resources}
 */
function topicResources({ service, stage, alarmEmail }) {
  // Not encrypted with the AWS-managed SNS key: CloudWatch alarms cannot publish to it. Alarm texts hold no secret.
  /** @type {Resources} */
  const resources = { AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${service}-${stage}-alarms`, DisplayName: `${service} ${stage} alarms` } } };
  if (alarmEmail) {
    // AWS emails a confirmation link first; nothing arrives until it is clicked.
    resources.AlarmEmailSubscription = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: alarmEmail } };
  }
  return resources;
}

/**
 * The dashboard body (an object; CloudFormation gets it as a JSON string).
 * @param {{ service: string, stage: string, namespace: string, functionKeys: string[] }} ctx
 * @returns {{ widgets: Record<string, unknown>[] }}
 */
function dashboardBody({ service, stage, namespace, functionKeys }) {
  const region = '${AWS::Region}';
  const api = ['ApiName', restApiName(service, stage), 'Stage', stage];
  /** @param {string} key */
  const fn = (key) => deployedFunctionName(service, stage, key);
  /** @type {(name: string, options?: Record<string, string>) => unknown[]} */
  const custom = (name, options = {}) => [namespace, name, 'service', service, options];
  const tables = Object.values(tableNames(service, stage));
  /** @type {(x: number, y: number, title: string, metrics: unknown[][], properties?: Record<string, unknown>) => Record<string, unknown>} */
  const widget = (x, y, title, metrics, properties = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, period: PERIOD_SECONDS, stat: 'Sum', view: 'timeSeries', metrics, ...properties },
  });
  return {
    widgets: [
      widget(0, 0, 'API requests and errors', [
        ['AWS/ApiGateway', 'Count', ...api, { label: 'requests' }],
        ['AWS/ApiGateway', '4XXError', ...api, { label: '4xx' }],
        ['AWS/ApiGateway', '5XXError', ...api, { label: '5xx' }],
      ]),
      widget(12, 0, 'API latency p50 / p99 (ms)', [
        ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p50', label: 'p50' }],
        ['AWS/ApiGateway', 'Latency', ...api, { stat: 'p99', label: 'p99' }],
      ]),
      widget(0, 6, 'Invocations per function', functionKeys.map((key) => ['AWS/Lambda', 'Invocations', 'FunctionName', fn(key), { label: key }])),
      widget(12, 6, 'Errors and throttles per function', [
        ...functionKeys.map((key) => ['AWS/Lambda', 'Errors', 'FunctionName', fn(key), { label: `${key} errors` }]),
        ...functionKeys.map((key) => ['AWS/Lambda', 'Throttles', 'FunctionName', fn(key), { label: `${key} throttles` }]),
      ]),
      widget(0, 12, 'Duration p50 per function (ms)', functionKeys.map((key) => ['AWS/Lambda', 'Duration', 'FunctionName', fn(key), { stat: 'p50', label: key }])),
      widget(12, 12, 'Duration p99 per function (ms)', functionKeys.map((key) => ['AWS/Lambda', 'Duration', 'FunctionName', fn(key), { stat: 'p99', label: key }])),
      widget(0, 18, 'Logins', [custom('LoginSucceeded', { label: 'succeeded' }), custom('LoginFailed', { label: 'failed' }), custom('LoginThrottled', { label: 'throttled' }), custom('MfaFailed', { label: 'MFA failed' })]),
      widget(12, 18, 'Refreshes and reuse', [
        custom('RefreshSucceeded', { label: 'refreshed' }),
        custom('RefreshTokenReuse', { label: 'reuse detected' }),
        custom('SessionRevoked', { label: 'sessions revoked' }),
      ]),
      widget(0, 24, 'Authorizer allow / deny', [
        custom('AuthorizerAllowed', { label: 'allowed' }),
        custom('AuthorizerDenied', { label: 'denied' }),
        [{ expression: `SEARCH('{${namespace},Reason,service} MetricName="AuthorizerDenied"', 'Sum', ${PERIOD_SECONDS})`, label: 'denied:', id: 'byReason' }],
      ]),
      widget(12, 24, 'Accounts and email', [
        custom('PasswordReset', { label: 'password resets' }),
        custom('AccountDeleted', { label: 'accounts deleted' }),
        custom('EmailSendFailed', { label: 'email send failures (retried)' }),
        custom('EmailAbandoned', { label: 'emails given up' }),
        custom('AuditWriteFailed', { label: 'audit writes missed' }),
      ]),
      widget(0, 30, 'DynamoDB consumed capacity', tables.flatMap((table) => [
        ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'TableName', table, { label: `${table} read` }],
        ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', table, { label: `${table} write` }],
      ])),
      widget(12, 30, 'DynamoDB throttles and system errors', tables.flatMap((table, index) => [
        [{ expression: `SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName="ThrottledRequests" TableName="${table}"', 'Sum', ${PERIOD_SECONDS})`, label: `${table} throttled:`, id: `throttled${index}` }],
        [{ expression: `SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName="SystemErrors" TableName="${table}"', 'Sum', ${PERIOD_SECONDS})`, label: `${table} system errors:`, id: `systemErrors${index}` }],
      ])),
    ],
  };
}

/**
 * @param {MonitoringContext} ctx
 * @returns {Resources}
 */
function dashboardResources(ctx) {
  return {
    Dashboard: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: `${ctx.service}-${ctx.stage}`,
        // Fn::Sub fills in ${AWS::Region}; the body has no other ${...}.
        DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody(ctx)) },
      },
    },
  };
}

/** Logs Insights queries over the security events that lib/logger writes (`security_event`, `userId`, `ip`). */
const SECURITY_QUERIES = {
  SecurityEventsByUserQuery: {
    name: 'security-events-by-user',
    query: [
      '# Security events per account. To follow one account, add: | filter userId = "<user id>"',
      'fields @timestamp, security_event, userId, ip, userAgent',
      '| filter ispresent(security_event) and ispresent(userId)',
      '| stats count(*) as events, earliest(@timestamp) as first_seen, latest(@timestamp) as last_seen by userId, security_event',
      '| sort events desc',
      '| limit 200',
    ],
  },
  SecurityEventsByIpQuery: {
    name: 'security-events-by-ip',
    query: [
      '# Security events per client address: one IP across many accounts suggests credential stuffing.',
      'fields @timestamp, security_event, userId, ip',
      '| filter ispresent(security_event) and ispresent(ip)',
      '| stats count(*) as events, count_distinct(userId) as accounts, latest(@timestamp) as last_seen by ip, security_event',
      '| sort events desc',
      '| limit 200',
    ],
  },
  RefreshTokenReuseQuery: {
    name: 'refresh-token-reuse-incidents',
    query: [
      '# Each line: a rotated-away refresh token was replayed and its session revoked.',
      'fields @timestamp, userId, sessionId, ip, userAgent, generation, currentGeneration',
      '| filter security_event = "refresh_token_reuse"',
      '| sort @timestamp desc',
      '| limit 500',
    ],
  },
};

/**
 * The saved Logs Insights queries, over every function's log group.
 * @param {MonitoringContext} ctx
 * @returns {Resources}
 */
function queryResources({ service, stage, functionKeys }) {
  /** @type {Resources} */
  const resources = {};
  for (const [logicalId, { name, query }] of Object.entries(SECURITY_QUERIES)) {
    resources[logicalId] = {
      Type: 'AWS::Logs::QueryDefinition',
      // The log groups are stack resources too; the query names them, so it waits for them.
      DependsOn: functionKeys.map((key) => `${normalizedKey(key)}LogGroup`),
      Properties: {
        Name: `${service}-${stage}/${name}`,
        LogGroupNames: functionKeys.map((key) => logGroupName(service, stage, key)),
        QueryString: query.join('\n'),
      },
    };
  }
  return resources;
}

/**
 * Every monitoring resource for a deployment.
 * @param {{ service: string, stage: string, functionKeys: string[], alarmEmail?: string, thresholds: Record<string, unknown> }} options
 * @returns {Resources}
 */
function monitoringResources({ service, stage, functionKeys, alarmEmail, thresholds }) {
  const ctx = { service, stage, functionKeys, alarmEmail, namespace: metricsNamespace(service, stage), thresholds: parseThresholds(thresholds) };
  return { ...topicResources(ctx), ...alarmResources(ctx), ...dashboardResources(ctx), ...queryResources(ctx) };
}

/**
 * The deployed functions' keys, from serverless.yml (entries resolved to null, such as `demo` on AWS, are not deployed).
 * @param {import('./types').VariableSources['resolveConfigurationProperty']} resolveConfigurationProperty
 * @returns {Promise<string[]>}
 */
async function deployedFunctionKeys(resolveConfigurationProperty) {
  const functions = (await resolveConfigurationProperty(['functions'])) ?? {};
  return Object.entries(functions)
    .filter(([, definition]) => definition && typeof definition === 'object')
    .map(([key]) => key);
}

/**
 * For serverless.yml: `${file(./infra/monitoring.js):resources}`.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<Resources>}
 */
async function resources({ resolveVariable, resolveConfigurationProperty }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  /** @type {Record<string, unknown>} */
  const thresholds = {};
  for (const [key, parameter] of Object.entries(THRESHOLD_PARAMETERS)) thresholds[key] = await resolveVariable(`param:${parameter}`);
  const alarmEmail = String(await resolveVariable("param:alarmEmail, ''")).trim();
  const functionKeys = await deployedFunctionKeys(resolveConfigurationProperty);
  return monitoringResources({ service, stage, functionKeys, alarmEmail, thresholds });
}

/**
 * For serverless.yml: `${file(./infra/monitoring.js):outputs}`.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<import('./types').Outputs>}
 */
async function outputs({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  return {
    AlarmTopicArn: { Description: 'SNS topic of every alarm: subscribe a pager or chat integration', Value: { Ref: 'AlarmTopic' } },
    DashboardUrl: {
      Description: 'CloudWatch dashboard of this stage',
      Value: { 'Fn::Sub': `https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards:name=${service}-${stage}` },
    },
  };
}

/**
 * X-Ray tracing from the `tracing` deploy parameter, for provider.tracing. Off by default: traces
 * cost per request and the SDK's instrumentation adds to cold starts.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<{ lambda: boolean, apiGateway: boolean }>}
 */
async function tracing({ resolveVariable }) {
  const enabled = String(await resolveVariable("param:tracing, 'false'")).trim() === 'true';
  return { lambda: enabled, apiGateway: enabled };
}

/** The IAM statement each function role gets when tracing is on (infra/iam.js adds it). */
const XRAY_STATEMENT = { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' };

module.exports = {
  resources,
  outputs,
  tracing,
  monitoringResources,
  dashboardBody,
  metricsNamespace,
  parseThresholds,
  THRESHOLD_PARAMETERS,
  SECURITY_QUERIES,
  XRAY_STATEMENT,
};
