interface Stoppable {
  stop(): Promise<void>;
}

export default async function globalTeardown(): Promise<void> {
  const { __dynamoDbLocal, __sesLocal } = globalThis as { __dynamoDbLocal?: Stoppable; __sesLocal?: Stoppable };
  await Promise.all([__dynamoDbLocal?.stop(), __sesLocal?.stop()]);
}
