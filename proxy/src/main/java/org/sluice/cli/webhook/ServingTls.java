package org.sluice.cli.webhook;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.sluice.cli.IoMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's TLS certificate and key, re-read by {@link #reload} when their files change (cert-manager renews
 * the Secret, the kubelet swaps the mounted files). The context in force is one {@link AtomicReference}: each new
 * connection takes its handler from the current one, connections already open keep theirs. A pair that cannot be
 * used (unreadable, not PEM, a key of another certificate) leaves the one in force and says so in one log line.
 */
public final class ServingTls {

    private static final Logger log = LoggerFactory.getLogger(ServingTls.class);

    private final Path certificateFile;
    private final Path keyFile;
    private final AtomicReference<InForce> inForce;

    // Confined to the reload thread: the bytes last read, usable or not, so a bad pair is reported once.
    private byte[] lastCertificatePem;
    private byte[] lastKeyPem;

    private record InForce(SslContext context, X509Certificate leaf) { }

    private ServingTls(Path certificateFile, Path keyFile, InForce first, byte[] certificatePem, byte[] keyPem) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.inForce = new AtomicReference<>(first);
        this.lastCertificatePem = certificatePem;
        this.lastKeyPem = keyPem;
    }

    /**
     * Reads the pair for the start; IOException, with a message naming the files and the problem, when it cannot
     * be used.
     *
     * @param certificateFile PEM certificate chain, leaf first
     * @param keyFile         PEM private key (unencrypted PKCS#8) of the certificate
     */
    public static ServingTls load(Path certificateFile, Path keyFile) throws IOException {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(keyFile, "keyFile");
        try {
            byte[] certificatePem = Files.readAllBytes(certificateFile);
            byte[] keyPem = Files.readAllBytes(keyFile);
            InForce first = build(certificateFile, certificatePem, keyFile, keyPem);
            return new ServingTls(certificateFile, keyFile, first, certificatePem, keyPem);
        } catch (SSLException e) {
            throw new IOException("cannot use TLS certificate " + certificateFile + " with key " + keyFile + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot use TLS certificate " + certificateFile + " with key " + keyFile
                    + ": cannot read " + IoMessages.describe(e), e);
        } catch (TlsKeyPair.Unusable e) {
            throw new IOException("cannot use TLS certificate " + certificateFile + " with key " + keyFile + ": "
                    + e.getMessage(), e);
        }
    }

    /** The context for a new connection. */
    public SslContext current() {
        return inForce.get().context();
    }

    /** Subject, serial and expiry of the certificate in force. */
    public String describe() {
        return TlsKeyPair.describe(inForce.get().leaf());
    }

    /**
     * Re-reads both files and, when they differ from the pair last read and can be used, puts them in force for
     * new connections. Call from one thread at a time (the {@link org.sluice.proxy.reload.WatchedFiles} thread).
     *
     * @param trigger what noticed the change, for the log ("file change")
     */
    public void reload(String trigger) {
        InForce old = inForce.get();
        byte[] certificatePem;
        byte[] keyPem;
        try {
            certificatePem = Files.readAllBytes(certificateFile);
            keyPem = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            if (lastCertificatePem != null) {
                lastCertificatePem = null;
                lastKeyPem = null;
                refused(trigger, "cannot read " + IoMessages.describe(e), old);
            }
            return;
        }
        if (Arrays.equals(certificatePem, lastCertificatePem) && Arrays.equals(keyPem, lastKeyPem)) {
            return;
        }
        lastCertificatePem = certificatePem;
        lastKeyPem = keyPem;
        InForce next;
        try {
            next = build(certificateFile, certificatePem, keyFile, keyPem);
        } catch (TlsKeyPair.Unusable | SSLException e) {
            refused(trigger, e.getMessage(), old);
            return;
        }
        inForce.set(next);
        log.info("TLS certificate reloaded ({}) from {}: {} (was {}); new connections use it", trigger,
                certificateFile, TlsKeyPair.describe(next.leaf()), TlsKeyPair.describe(old.leaf()));
    }

    private void refused(String trigger, String problem, InForce old) {
        log.warn("TLS certificate NOT reloaded ({}): {}; the certificate in force stays: {}", trigger, problem,
                TlsKeyPair.describe(old.leaf()));
    }

    private static InForce build(Path certificateFile, byte[] certificatePem, Path keyFile, byte[] keyPem)
            throws TlsKeyPair.Unusable, SSLException {
        TlsKeyPair pair = TlsKeyPair.parse(certificateFile, certificatePem, keyFile, keyPem);
        SslContext context;
        try {
            context = SslContextBuilder.forServer(pair.key(), pair.chain().toArray(X509Certificate[]::new)).build();
        } catch (IllegalArgumentException e) {
            throw new SSLException(certificateFile + " with " + keyFile + ": " + e.getMessage(), e);
        }
        return new InForce(context, pair.leaf());
    }
}
