export default async function globalTeardown(): Promise<void> {
  const dynamo = (globalThis as { __dynamoDbLocal?: { stop(): Promise<void> } }).__dynamoDbLocal;
  await dynamo?.stop();
}
