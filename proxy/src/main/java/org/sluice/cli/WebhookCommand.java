package org.sluice.cli;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.cli.webhook.ServingTls;
import org.sluice.cli.webhook.WebhookPolicy;
import org.sluice.cli.webhook.WebhookServer;
import org.sluice.policy.config.SluiceConfig;
import org.sluice.proxy.reload.WatchedFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice webhook}: {@code sluice inject} as a Kubernetes mutating and validating admission webhook. */
@Command(
        name = "webhook",
        description = {
            "Serve sluice inject as a Kubernetes admission webhook over HTTPS, until SIGTERM or SIGINT.",
            "",
            "POST /mutate: AdmissionReview (admission.k8s.io/v1) in, AdmissionReview out, allowed with a JSONPatch "
                    + "that adds Sluice, or refused (allowed: false, status.message naming the container and why) "
                    + "when inject would refuse. POST /validate: refuses what inject refuses and any pod without a "
                    + "sluice container. GET /healthz: ok.",
            "",
            "The policy and the certificate and key are read again when their files change (a Secret or ConfigMap "
                    + "update included) and used for the following reviews and new connections; a file that cannot "
                    + "be used is logged and the one in force stays.",
            "Exits 0 after SIGTERM or SIGINT, 2 when the policy, certificate or key cannot be used or the address "
                    + "cannot be bound."})
final class WebhookCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(WebhookCommand.class);

    @Option(names = "--policy", required = true, paramLabel = "POLICY",
            description = "the Sluice config whose algorithms section says which images may run")
    private Path policy;

    @Option(names = "--tls-cert", required = true, paramLabel = "FILE",
            description = "PEM certificate chain of the webhook's Service name, leaf first")
    private Path certificate;

    @Option(names = "--tls-key", required = true, paramLabel = "FILE", description = "PEM (PKCS#8) key of --tls-cert")
    private Path key;

    @Option(names = "--address", paramLabel = "IP", defaultValue = "0.0.0.0",
            description = "IP address to listen on (default: ${DEFAULT-VALUE})")
    private String address;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443",
            description = "port to listen on, 0 for a free one (default: ${DEFAULT-VALUE})")
    private int port;

    @Mixin
    private InjectionOptions injection;

    @Spec
    private CommandSpec spec;

    private final Consumer<? super WebhookServer> onStarted;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    WebhookCommand() {
        this(server -> { });
    }

    /** {@code onStarted} sees the running server once it is bound (tests learn the port). */
    WebhookCommand(Consumer<? super WebhookServer> onStarted) {
        this.onStarted = onStarted;
    }

    /** Asks a running command to stop, as SIGTERM does. */
    void requestStop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address);
        if (ip == null || port < 0 || port > 65535) {
            err.println("sluice webhook: listen on an IP address and a port 0..65535, not " + address + " port "
                    + port);
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        InjectSettings settings;
        try {
            settings = injection.settings();
        } catch (IllegalArgumentException e) {
            err.println("sluice webhook: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        SluiceConfig config = PolicyFiles.loadOrReport(policy, err);
        if (config == null) {
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        ServingTls tls;
        try {
            tls = ServingTls.load(certificate, key);
        } catch (IOException e) {
            err.println("sluice webhook: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        WebhookPolicy admission;
        try {
            admission = new WebhookPolicy(config, settings);
        } catch (IllegalArgumentException e) {
            err.println("sluice webhook: " + policy + ": a pod cannot run this policy: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        WebhookServer server;
        try {
            server = WebhookServer.start(new InetSocketAddress(ip, port), tls::current, admission::reviews);
        } catch (IOException e) {
            err.println("sluice webhook: " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        ProcessSignals signals = ProcessSignals.install(signal -> {
            if ("HUP".equals(signal)) {
                log.info("SIGHUP received: nothing to do; the webhook reloads its policy and certificate when their "
                        + "files change");
            } else {
                requestStop();
            }
        });
        try (server;
             WatchedFiles policyFile = WatchedFiles.start("webhook policy", List.of(policy), admission::reload);
             WatchedFiles tlsFiles = WatchedFiles.start("webhook tls", List.of(certificate, key), tls::reload)) {
            log.info("admission webhook on https://{}: policy {} (sha256 {}), certificate {}, Sluice image {}, "
                            + "ConfigMap {}; policy and certificate are reloaded when their files change",
                    Addresses.format(server.address()), config.source(), config.sha256(), tls.describe(),
                    injection.image, injection.configMap);
            onStarted.accept(server);
            stopRequested.await();
        } finally {
            signals.close();
        }
        return SluiceCli.OK;
    }
}
