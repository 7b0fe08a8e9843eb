export default async function globalTeardown(): Promise<void> {
  await (globalThis as { stopRedis?: () => Promise<void> }).stopRedis?.();
  await (globalThis as { stopPgBouncer?: () => Promise<void> }).stopPgBouncer?.();
  await (globalThis as { stopEmbeddedPostgres?: () => Promise<void> }).stopEmbeddedPostgres?.();
}
