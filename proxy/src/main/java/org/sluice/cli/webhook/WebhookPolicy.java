package org.sluice.cli.webhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.sluice.cli.IoMessages;
import org.sluice.cli.inject.AdmissionReviews;
import org.sluice.cli.inject.InjectSettings;
import org.sluice.cli.inject.PodInjector;
import org.sluice.policy.config.ConfigException;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.Problem;
import org.sluice.policy.config.SluiceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy whose {@code algorithms} list decides admission, re-read by {@link #reload} when its file changes.
 * What answers reviews is one immutable {@link AdmissionReviews} behind an {@link AtomicReference}, swapped whole:
 * each review reads it once. A file that is unreadable or invalid leaves the one in force and says so in one line.
 */
public final class WebhookPolicy {

    private static final Logger log = LoggerFactory.getLogger(WebhookPolicy.class);

    private final Path file;
    private final InjectSettings settings;
    private final AtomicReference<InForce> inForce;

    /** Confined to the reload thread: SHA-256 of the bytes last read, usable or not, so a bad file is reported once. */
    private String lastReadSha256;

    private record InForce(AdmissionReviews reviews, String sha256) { }

    /**
     * Starts with a policy already loaded and validated; its source() is the file {@link #reload} reads.
     *
     * @throws IllegalArgumentException when no pod could run the policy ({@link PodInjector#forPolicy}), saying why
     */
    public WebhookPolicy(SluiceConfig config, InjectSettings settings) {
        this.file = Objects.requireNonNull(config.source(), "config.source()");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.inForce = new AtomicReference<>(compile(config));
        // Not config.sha256(): that covers the files the policy names too; what reload compares first is the
        // file's own bytes, so the first change event reads the file and compares whole policies.
        this.lastReadSha256 = null;
    }

    /** What answers the next review. */
    public AdmissionReviews reviews() {
        return inForce.get().reviews();
    }

    /** SHA-256 of the policy file in force. */
    public String sha256() {
        return inForce.get().sha256();
    }

    /**
     * Re-reads the file and, when it differs from what was last read and is valid, puts it in force for the
     * following reviews. Call from one thread at a time (the {@link org.sluice.proxy.reload.WatchedFiles} thread).
     *
     * @param trigger what noticed the change, for the log ("file change")
     */
    public void reload(String trigger) {
        String old = sha256();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            if (lastReadSha256 != null) {
                lastReadSha256 = null;
                refused(trigger, "cannot read " + IoMessages.describe(e), old);
            }
            return;
        }
        String sha256 = ConfigLoader.sha256(bytes);
        if (sha256.equals(lastReadSha256)) {
            return;
        }
        lastReadSha256 = sha256;
        InForce next;
        try {
            SluiceConfig config = ConfigLoader.load(bytes, file);
            if (config.sha256().equals(old)) {
                log.info("webhook policy unchanged ({}): {} is the policy in force again (sha256 {})", trigger, file,
                        old);
                return;
            }
            next = compile(config);
        } catch (ConfigException e) {
            refused(trigger, "invalid (sha256 " + sha256 + "): " + e.problems().stream().map(Problem::toString)
                    .collect(Collectors.joining("; ")), old);
            return;
        } catch (IllegalArgumentException e) {
            // A policy no pod could run (its listeners, its audit path), or a pattern compile() refuses.
            refused(trigger, file + ": cannot be injected: " + e.getMessage(), old);
            return;
        }
        inForce.set(next);
        log.info("webhook policy reloaded ({}) from {}: sha256 {} -> {}; the following reviews use its algorithms",
                trigger, file, old, next.sha256());
    }

    private void refused(String trigger, String problem, String old) {
        log.warn("webhook policy NOT reloaded ({}): {}; policy sha256 {} stays in force", trigger, problem, old);
    }

    private InForce compile(SluiceConfig config) {
        AdmissionReviews reviews = new AdmissionReviews(PodInjector.forPolicy(settings, config));
        return new InForce(reviews, config.sha256());
    }
}
