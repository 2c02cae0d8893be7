package org.sluice.cli;

import io.netty.util.concurrent.FutureListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.policy.config.UpstreamConfig;
import org.sluice.policy.net.AddressClass;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.IpLiteral;
import org.sluice.proxy.SluiceServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice run --config FILE}: validate, start, serve until SIGTERM or SIGINT, drain, exit 0. Meanwhile the
 * policy is reloaded when the file changes or on SIGHUP.
 */
@Command(
        name = "run",
        description = {
            "Run the proxy with a config file, until SIGTERM or SIGINT.",
            "",
            "An invalid config is reported as FILE:LINE:COL: message, one line per problem, before any port "
                    + "is opened (exit 2).",
            "SIGTERM or SIGINT: stop accepting, let in-flight requests finish within the config's "
                    + "shutdownGrace, flush the audit log, exit 0.",
            "",
            "The policy (mode, limits, rules) is reloaded without a restart when FILE changes, and on SIGHUP. An "
                    + "invalid file, or one that changes a setting only a restart applies (listeners, upstream, "
                    + "timeouts, admin, audit, maxUrlBytes, maxHeaderBytes), keeps the policy in force and is "
                    + "logged; see docs/configuration.md."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "YAML config file (see docs/configuration.md and examples/gateway.yaml)")
    private Path configFile;

    @Option(names = "--no-watch",
            description = "Do not watch FILE for changes: reload the policy only on SIGHUP.")
    private boolean noWatch;

    @Spec
    private CommandSpec spec;

    private final Consumer<? super SluiceServer> onStarted;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** Set once the server runs; the signal thread reads it. */
    private volatile SluiceServer server;
    private volatile SluiceConfig config;

    RunCommand() {
        this(server -> { });
    }

    /** {@code onStarted} sees the running server once every listener is bound (tests learn the ports). */
    RunCommand(Consumer<? super SluiceServer> onStarted) {
        this.onStarted = onStarted;
    }

    /** Asks a running command to shut down gracefully, as SIGTERM does. */
    void requestStop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (IOException e) {
            err.println("sluice: cannot read config " + configFile + ": " + IoMessages.reason(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }

        SluiceServer server;
        try {
            server = SluiceServer.start(config);
            this.config = config;
            this.server = server;
        } catch (SluiceServer.PortInUseException e) {
            err.println("sluice: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (IOException e) {
            err.println("sluice: cannot start (" + whatStartOpens(config) + "): " + IoMessages.describe(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }

        GracefulStop stop = new GracefulStop(server);
        // Fallback for exits that bypass the signal handlers (a failed handler install, an exit from elsewhere).
        Thread hook = new Thread(() -> {
            requestStop();
            stop.run();
        }, "sluice-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
        ProcessSignals signals = ProcessSignals.install(this::onSignal);
        try {
            if (!noWatch) {
                server.watchConfig();
            }
            logStarted(config, !noWatch);
            checkUpstreamAddresses(server, config);
            onStarted.accept(server);
            stopRequested.await();
        } finally {
            stop.run();          // drains while the handlers are still ours, so a second signal cannot cut it short
            signals.close();
            removeHook(hook);
        }
        return SluiceCli.OK;
    }

    /** What a handled signal does; the handlers call it on the JVM's signal thread ("TERM", "INT", "HUP"). */
    void onSignal(String signal) {
        if ("HUP".equals(signal)) {
            onReloadSignal();
            return;
        }
        if (stopRequested.getCount() == 0) {
            log.info("SIG{} received: already stopping", signal);
            return;
        }
        log.info("SIG{} received: stopping; in-flight requests get up to {} to finish",
                signal, Durations.format(config.shutdownGrace()));
        requestStop();
    }

    private void onReloadSignal() {
        SluiceServer running = server;
        if (running == null || stopRequested.getCount() == 0) {
            log.info("SIGHUP received: not reloading while {}", running == null ? "starting" : "stopping");
            return;
        }
        log.info("SIGHUP received: reloading the policy from {}", config.source());
        // The reloader logs and counts the outcome itself; the signal thread does not wait for it.
        running.reloadPolicy("SIGHUP");
    }

    /** SluiceServer itself announces each listener (address, transport); this adds what it serves and how to stop. */
    private static void logStarted(SluiceConfig config, boolean watching) {
        log.info("serving {} (sha256 {}): mode {}, {} rule(s), audit log {}; SIGTERM or Ctrl-C stops gracefully, "
                        + "{} reloads the policy", config.source(), config.sha256(),
                config.mode().name().toLowerCase(Locale.ROOT), config.rules().size(), config.audit().path(),
                watching ? "a change of the file or SIGHUP" : "SIGHUP");
    }

    /**
     * A name that resolves now to an address the policy refuses would make every request a 502: a warning with the
     * fix, not an error (DNS may answer otherwise later). An IP literal was judged when the config was read.
     */
    private static void checkUpstreamAddresses(SluiceServer server, SluiceConfig config) {
        if (config.gateway() == null) {
            return; // forward-only: no central server to reach
        }
        UpstreamConfig upstream = config.gateway().upstream();
        if (IpLiteral.isLiteral(upstream.host())) {
            return;
        }
        AddressClassifier classifier = new AddressClassifier(config.allowPrivate());
        server.resolveUpstream().addListener((FutureListener<List<InetAddress>>) resolved -> {
            if (!resolved.isSuccess()) {
                log.warn("{}: gateway.upstream {} does not resolve now ({}); requests get 502 upstream_failed until "
                        + "it does", config.source(), upstream.host(), resolved.cause().getMessage());
                return;
            }
            String refused = refusedUpstream(upstream.host(), resolved.getNow(), classifier);
            if (refused != null) {
                log.warn("{}: {}", config.source(), refused);
            } else {
                log.info("gateway.upstream {} resolves to {}", upstream.host(), resolved.getNow().stream()
                        .map(InetAddress::getHostAddress).toList());
            }
        });
    }

    /** Why host's addresses cannot be connected to, with the fix; null when every one is allowed. */
    static String refusedUpstream(String host, List<InetAddress> addresses, AddressClassifier classifier) {
        for (InetAddress address : addresses) {
            AddressClass verdict = classifier.classify(address);
            if (!verdict.allowed()) {
                return "gateway.upstream " + host + " resolves to an address Sluice refuses: " + verdict.reason()
                        + "; every request will get 502 upstream_failed while it does; " + verdict.allowPrivateHint();
            }
        }
        return null;
    }

    private static String whatStartOpens(SluiceConfig config) {
        StringBuilder what = new StringBuilder().append("audit log ").append(config.audit().path());
        if (config.gateway() != null) {
            what.append(", gateway ").append(Addresses.format(config.gateway().listen()));
        }
        if (config.forward() != null) {
            what.append(", forward ").append(Addresses.format(config.forward().listen()));
        }
        if (config.admin() != null) {
            what.append(", admin ").append(Addresses.format(config.admin().listen()));
        }
        return what.toString();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The JVM is exiting and the hook is running or has run; GracefulStop makes that harmless.
        }
    }
}
