import { Redis } from 'ioredis';

/**
 * A Redis database a suite has to itself, emptied before it starts: rate-limit counters and locks
 * outlive the run that made them (an hour's sign-ups from 127.0.0.1), and a second run must not
 * start where the first one stopped.
 */
export async function freshRedisDatabase(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
  return url;
}
