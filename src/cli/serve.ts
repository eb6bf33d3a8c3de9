import { loadCliConfig } from './load-cli-config.js';

/**
 * `gatehouse serve`: runs until SIGTERM, SIGINT or SIGHUP (the terminal went away), then drains
 * and exits; also when the process that started it with an IPC channel (`npm start`'s
 * scripts/start-example.mjs) is gone, so that no server is left holding the ports and the store.
 */
export async function serve(options: { config?: string }): Promise<void> {
  const config = loadCliConfig(options.config);
  // The server is loaded once the configuration holds: a bad key is reported in a fraction of the time.
  const [{ createGatehouse }, { createLogger }] = await Promise.all([import('../gatehouse.js'), import('../logging.js')]);
  const logger = createLogger(config.log.level);
  let gatehouse;
  try {
    gatehouse = await createGatehouse(config, { logger });
  } catch (error) {
    throw (await import('./store-startup.js')).explainStoreFailure(config, error);
  }
  let addresses;
  try {
    addresses = await gatehouse.listen();
  } catch (error) {
    await gatehouse.close();
    throw error;
  }
  logger.info({ ...addresses, store: gatehouse.services.store.kind, redis: config.redis.url !== null }, 'gatehouse ready');

  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'parent gone') => {
    if (stopping) {
      if (signal === 'parent gone') return;
      logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, draining in-flight requests');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'drain timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    gatehouse.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
  if (process.channel) {
    // The channel must not keep the process alive after a drain; its end still tells us.
    process.channel.unref();
    process.once('disconnect', () => stop('parent gone'));
  }
}
