// headroom's commands, loaded by cli.ts once what must precede them is in place.
import { takeOverSighup } from './early-sighup.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { collectorModules } from '../exporters/index.js';
import type { HeadroomConfig } from './config/load.js';
import { InvalidConfigError, validateInChild, type ConfigRequest, type ValidatedConfig } from './config/validate-in-child.js';
import { parseListenAddress } from './listen-address.js';
import { createLogger, logLevels, type LogLevel } from './log.js';
import type { HostPaths } from './paths.js';
import { errorMessage } from './errors.js';
import { version } from './self-metrics.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_REQUESTS, selectCollectors, setOptimizingCompilerFor, startExporter, type RunningExporter } from './serve.js';
import { parseDuration } from './units.js';
import { noWebConfig } from './web-config.js';

/** Exit status for a configuration error, as promised to init systems and CI checks. */
const EXIT_CONFIG = 2;

/**
 * Loads the config file or exits 2 with every problem on stderr. In-process: the commands
 * that use it are short-lived; serve validates in a child instead (validateOrExit).
 */
async function readConfigOrExit(file: string): Promise<HeadroomConfig> {
  // Imported here, not at startup: serve never loads zod, yaml or the schemas.
  const [{ ConfigError, loadConfig }, { configSections }] = await Promise.all([import('./config/load.js'), import('./config/sections.js')]);
  try {
    return await loadConfig(file, collectorModules, configSections);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

/** serve's config and web config, validated in a child; exits 2 with every problem on stderr, 1 if validation itself failed. */
async function validateOrExit(request: ConfigRequest): Promise<ValidatedConfig> {
  try {
    return await validateInChild(request);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    process.exit(err instanceof InvalidConfigError ? EXIT_CONFIG : 1);
  }
}

function wholeNumber(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function positiveDuration(name: string) {
  return (value: string) => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) throw new InvalidArgumentError(`${name} must be a duration such as 30s or 2m, got ${JSON.stringify(value)}`);
    return ms;
  };
}

function nonEmpty(name: string) {
  return (value: string) => {
    if (value === '') throw new InvalidArgumentError(`${name} must not be empty`);
    return value;
  };
}

const program = new Command('headroom')
  .description('Prometheus exporter, alert rules and dashboards for OBS build farms, worker hosts, VM hosts and backups')
  .version(version, '--version')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) })
  .exitOverride((err) => {
    // Usage errors exit 2 like config errors; --help and --version exit 0.
    process.exit(err.exitCode === 0 ? 0 : EXIT_CONFIG);
  });

program
  .command('serve')
  .description('run the exporter: serve /metrics for Prometheus')
  .option('--config <file>', 'YAML config file; without one, the host collectors that work here run with defaults')
  .option('--web.listen-address <address>', 'address to listen on for the web interface and telemetry', ':9847')
  .option('--web.telemetry-path <path>', 'path under which to expose metrics', '/metrics')
  .option('--web.config.file <file>', 'exporter-toolkit web config: TLS and basic auth (bcrypt hashes)')
  .option('--web.enable-lifecycle', 'enable POST /-/reload (SIGHUP always reloads)', false)
  .option('--web.max-requests <n>', 'concurrent /metrics requests; past it 503 (0 = no limit)', wholeNumber('--web.max-requests'), DEFAULT_MAX_REQUESTS)
  .option('--web.idle-timeout <duration>', 'close a connection idle this long (a client that stops reading its reply)', positiveDuration('--web.idle-timeout'), DEFAULT_IDLE_TIMEOUT_MS)
  .option('--path.procfs <dir>', 'procfs mountpoint', nonEmpty('--path.procfs'), '/proc')
  .option('--path.sysfs <dir>', 'sysfs mountpoint', nonEmpty('--path.sysfs'), '/sys')
  .option('--path.rootfs <dir>', 'root of the host filesystem (config files, mount points)', nonEmpty('--path.rootfs'), '/')
  .addOption(new Option('--log.level <level>', 'only log messages with this or a higher severity').choices(logLevels).default('info'))
  .action(async (opts: Record<string, string | number | boolean | undefined>) => {
    const log = createLogger(opts['log.level'] as LogLevel);
    const configFile = opts['config'] as string | undefined;
    const webConfigFile = opts['web.config.file'] as string | undefined;
    const listenAddress = opts['web.listenAddress'] as string;
    const telemetryPath = opts['web.telemetryPath'] as string;
    const paths: HostPaths = {
      procfs: opts['path.procfs'] as string,
      sysfs: opts['path.sysfs'] as string,
      rootfs: opts['path.rootfs'] as string,
    };
    const validated = await validateOrExit({ configFile, webConfigFile });
    const web = validated.web ?? noWebConfig;
    if (!parseListenAddress(listenAddress)) {
      process.stderr.write(`--web.listen-address: ${JSON.stringify(listenAddress)} is not [host]:port (e.g. :9847, 127.0.0.1:9847, [::1]:9847)\n`);
      process.exit(EXIT_CONFIG);
    }
    if (!telemetryPath.startsWith('/')) {
      process.stderr.write(`--web.telemetry-path must start with "/", got ${JSON.stringify(telemetryPath)}\n`);
      process.exit(EXIT_CONFIG);
    }
    // The collectors a validated config asks for, and the compiler they need (at start and on reload).
    const collectorsFor = async (v: ValidatedConfig) => {
      const selected = await selectCollectors(v, collectorModules, { paths, log });
      setOptimizingCompilerFor(selected, collectorModules, log);
      return selected;
    };
    const collectors = await collectorsFor(validated);
    if (collectors.length === 0) log.warn('no collectors enabled: /metrics serves only the exporter\'s own metrics');

    let exporter: RunningExporter | undefined;
    // Re-reads both files; an invalid one is logged and the running config stays.
    let reloading: Promise<{ ok: true } | { ok: false; error: string }> = Promise.resolve({ ok: true });
    const reload = () => {
      reloading = reloading.then(async () => {
        try {
          const reloaded = await validateInChild({ configFile, webConfigFile });
          const newWeb = reloaded.web ?? noWebConfig;
          const newCollectors = await collectorsFor(reloaded);
          await exporter!.replaceCollectors(newCollectors);
          exporter!.replaceWebConfig(newWeb);
          log.info({ collectors: newCollectors.map((c) => c.name) }, 'configuration reloaded');
          return { ok: true as const };
        } catch (err) {
          const error = errorMessage(err);
          log.error({ err: error }, 'configuration reload failed; the running configuration stays');
          return { ok: false as const, error };
        }
      });
      return reloading;
    };
    const stop = (running: RunningExporter) => {
      running.close().then(
        () => {
          log.info('stopped');
          log.flush();
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err: errorMessage(err) }, 'error while shutting down');
          log.flush();
          process.exit(1);
        },
      );
    };
    // Installed before listening: whoever sees the "listening" line may signal at once, and
    // Node's default for SIGTERM and SIGINT is to die without closing anything.
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      if (exporter) stop(exporter); // else once it has started, below
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    try {
      exporter = await startExporter({
        collectors,
        paths,
        log,
        listenAddress,
        telemetryPath,
        web,
        ...(opts['web.enableLifecycle'] ? { reload } : {}),
        maxRequests: opts['web.maxRequests'] as number,
        idleTimeoutMs: opts['web.idleTimeout'] as number,
      });
    } catch (err) {
      log.fatal({ err: errorMessage(err) }, 'cannot start the exporter');
      log.flush();
      process.exit(1);
    }
    if (stopping) stop(exporter);
    takeOverSighup(() => {
      log.info('SIGHUP: reloading configuration');
      void reload();
    });
  });

program
  .command('check-config')
  .description('validate a config file: print OK, or every problem with its file, line and key; exit 2 on error')
  .argument('<file>', 'YAML config file')
  .action(async (file: string) => {
    const config = await readConfigOrExit(file);
    const enabled = [...config.collectors.keys()];
    process.stdout.write(`OK: ${file} (collectors: ${enabled.length ? enabled.join(', ') : 'none'})\n`);
  });

program
  .command('generate')
  .description('write the Prometheus, Alertmanager, rule and dashboard files for the estate described in the config')
  .requiredOption('--config <file>', 'YAML config file (its alerting and estate sections)')
  .option('--out <dir>', 'output folder', './generated')
  .action(async (opts: { config: string; out: string }) => {
    const config = await readConfigOrExit(opts.config);
    // Loaded here, not at startup: the dashboard and alert generators (Grafana SDK) would
    // add about 14 MB to the resident memory of every `headroom serve`.
    const [{ artifactGenerators }, { generateAll }] = await Promise.all([import('./generators.js'), import('./generate.js')]);
    const report = generateAll(artifactGenerators, config, opts.out);
    for (const file of report.written) process.stdout.write(`wrote ${file}\n`);
    for (const s of report.skipped) process.stdout.write(`skipped ${s.name}: ${s.reason}\n`);
  });

program
  .command('plan')
  .description('capacity planner: read a window of history from Prometheus and write a capacity review (HTML with charts, Markdown, JSON)')
  .option('--config <file>', 'YAML config file (its planner section: budget, pinned domains, window)')
  .option('--prometheus.url <url>', 'Prometheus base URL (overrides planner.prometheus_url)')
  .option('--window <duration>', 'how far back to look (overrides planner.window; default 28d)')
  .option('--out <dir>', 'output folder', './capacity-report')
  .option('--format <list>', 'comma-separated report formats: html,md,json (default all three)')
  .option('--churn-budget <rate>', 'sustained swap-churn budget per worker host (default 20MB/s)')
  .option('--stall-budget <share>', 'budget worker hosts on memory stall time (PSI full) instead of swap churn, e.g. 5%')
  .option('--max-moves <n>', 'most domains the VM rebalancing may move (default 4)')
  .option('--target <ratio>', 'memory overcommit every VM host should stay within (default 1.0)')
  .option('--move-back-guard <duration>', 'do not move a domain back to a host it left within this period, unless nothing else fits (default 7d)')
  .option('--end <time>', 'end of the window: Unix seconds or RFC 3339 (default now)')
  .action(async (opts: { config?: string; out: string }) => {
    const config = opts.config ? await readConfigOrExit(opts.config) : null;
    // Loaded here, not at startup, like generate: serve never needs the planner.
    const { runPlanCommand } = await import('../planner/cli-command.js');
    process.exitCode = await runPlanCommand(opts, config?.sections ?? {});
  });

await program.parseAsync(process.argv);
