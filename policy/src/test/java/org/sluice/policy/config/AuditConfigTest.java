package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditConfigTest {

    private static final String HEAD = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://central.test:9}
            """;

    @TempDir
    Path dir;

    private SluiceConfig valid(String audit) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, HEAD + audit);
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Every problem, with the config file's name cut to "sluice.yaml". */
    private List<String> problems(String audit) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, HEAD + audit);
        try {
            ConfigLoader.load(file);
        } catch (ConfigException e) {
            return e.problems().stream().map(p -> p.toString().replace(dir + "/", "")).toList();
        }
        throw new AssertionError("expected a ConfigException for:\n" + audit);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
                + "-----\n";
    }

    private Path ed25519Key(String name) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        return Files.writeString(dir.resolve(name), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    }

    @Test
    void onlyAPathGetsEveryDefault() throws IOException {
        SluiceConfig config = valid("audit: {path: logs/audit.jsonl}\n");

        AuditConfig audit = config.audit();
        assertThat(audit).isEqualTo(AuditConfig.defaults(dir.resolve("logs/audit.jsonl")));
        assertThat(audit.job()).isNull();
        assertThat(audit.node()).isNull();
        assertThat(audit.fsync()).isEqualTo(AuditConfig.Fsync.INTERVAL);
        assertThat(audit.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(audit.onFailure()).isEqualTo(AuditConfig.OnFailure.REJECT);
        assertThat(audit.stdout()).isFalse();
        assertThat(audit.query()).isEqualTo(AuditConfig.Query.DROP);
        assertThat(audit.rotate()).isEqualTo(new AuditConfig.Rotation(100L * 1024 * 1024, Duration.ofHours(24), false));
        assertThat(audit.checkpoint()).isEqualTo(new AuditConfig.Checkpoints(1000, Duration.ofSeconds(60)));
        assertThat(audit.signingKeyFile()).isNull();
    }

    @Test
    void everyKeyIsReadAndTheKeyFileIsRelativeToTheConfigFolder() throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        ed25519Key("keys/audit-signing.key");

        SluiceConfig config = valid("""
                audit:
                  path: audit.jsonl
                  job: job-42
                  node: node-eu-1
                  fsync: interval
                  fsyncInterval: 250ms
                  onFailure: allow
                  stdout: true
                  query: hash
                  rotate: {maxBytes: 10MiB, interval: 1h, compress: true}
                  checkpoint: {every: 50, interval: 5s}
                  signing: {keyFile: keys/audit-signing.key}
                """);

        assertThat(config.audit()).isEqualTo(new AuditConfig(dir.resolve("audit.jsonl"), "job-42", "node-eu-1",
                AuditConfig.Fsync.INTERVAL, Duration.ofMillis(250), AuditConfig.OnFailure.ALLOW, true,
                AuditConfig.Query.HASH, new AuditConfig.Rotation(10L << 20, Duration.ofHours(1), true),
                new AuditConfig.Checkpoints(50, Duration.ofSeconds(5)), dir.resolve("keys/audit-signing.key")));
    }

    @Test
    void fsyncAlwaysAndNeverAreRead() throws IOException {
        assertThat(valid("audit: {path: a.jsonl, fsync: always}\n").audit().fsync())
                .isEqualTo(AuditConfig.Fsync.ALWAYS);
        assertThat(valid("audit: {path: a.jsonl, fsync: never}\n").audit().fsync())
                .isEqualTo(AuditConfig.Fsync.NEVER);
    }

    @Test
    void badValuesArePositionedAndSayWhatIsExpected() throws IOException {
        assertThat(problems("""
                audit:
                  path: a.jsonl
                  job: ""
                  fsync: sometimes
                  onFailure: ignore
                  stdout: yes please
                  query: keep
                  rotate: {maxBytes: 0, interval: 500ms, colour: blue}
                  checkpoint: {every: 0}
                  signing: {keyFile: a.key}
                """)).containsExactly(
                "sluice.yaml:5:8: audit.job: expected a name of 1 to 200 characters without control characters, "
                        + "got ''",
                "sluice.yaml:6:10: audit.fsync: expected always or interval or never, got 'sometimes'",
                "sluice.yaml:7:14: audit.onFailure: expected reject or allow, got 'ignore'",
                "sluice.yaml:8:11: audit.stdout: expected true or false, got 'yes please'",
                "sluice.yaml:9:10: audit.query: expected drop or hash, got 'keep'",
                "sluice.yaml:10:22: audit.rotate.maxBytes: expected a size from 1 to 9223372036854775807 bytes, "
                        + "got '0'",
                "sluice.yaml:10:35: audit.rotate.interval: expected a duration from 1000ms to 31622400000ms, got "
                        + "'500ms'",
                "sluice.yaml:10:42: unknown key 'colour' under audit.rotate; expected one of: maxBytes, interval, "
                        + "compress",
                "sluice.yaml:11:23: audit.checkpoint.every: expected a whole number from 1 to 1000000000, got '0'",
                "sluice.yaml:12:22: audit.signing.keyFile: no such file 'a.key' (a relative "
                        + "name is read from the config file's folder); ./sluice audit keygen makes one");
    }

    @Test
    void unknownAuditKeysAreErrors() throws IOException {
        assertThat(problems("audit: {path: a.jsonl, fsynk: always}\n")).containsExactly(
                "sluice.yaml:3:24: unknown key 'fsynk' under audit; expected one of: path, job, node, fsync, "
                        + "fsyncInterval, onFailure, stdout, query, rotate, checkpoint, signing");
    }

    @Test
    void anFsyncIntervalWithoutFsyncIntervalIsAMistake() throws IOException {
        assertThat(problems("audit: {path: a.jsonl, fsync: always, fsyncInterval: 2s}\n")).containsExactly(
                "sluice.yaml:3:54: audit.fsyncInterval: only fsync: interval uses it; remove it or set fsync: "
                        + "interval");
    }

    @Test
    void checkpointsNeedASigningKey() throws IOException {
        assertThat(problems("audit: {path: a.jsonl, checkpoint: {every: 10}}\n")).containsExactly(
                "sluice.yaml:3:36: audit.checkpoint: checkpoints are signed and there is no audit.signing.keyFile; "
                        + "add one (./sluice audit keygen makes a key) or remove audit.checkpoint");
        assertThat(problems("audit: {path: a.jsonl, signing: {}}\n")).containsExactly(
                "sluice.yaml:3:33: missing key 'keyFile' under audit.signing; expected the Ed25519 private key that "
                        + "signs checkpoints, e.g. keyFile: audit-signing.key (./sluice audit keygen makes one)");
    }

    @Test
    void theSigningKeyMustBeAnEd25519PrivateKeyInPem() throws Exception {
        Path garbled = Files.writeString(dir.resolve("garbled.key"),
                "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");
        Path notPem = Files.writeString(dir.resolve("not-pem.key"), "just some text\n");
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path rsaKey = Files.writeString(dir.resolve("rsa.key"), pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path publicKey = Files.writeString(dir.resolve("audit.pub"), pem("PUBLIC KEY", ed.getPublic().getEncoded()));
        Path binary = Files.write(dir.resolve("binary.key"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});

        for (Path bad : List.of(garbled, notPem, rsaKey, publicKey, binary)) {
            List<String> problems = problems("audit: {path: a.jsonl, signing: {keyFile: " + bad.getFileName()
                    + "}}\n");
            assertThat(problems).as(bad.toString()).hasSize(1);
            assertThat(problems.get(0)).startsWith("sluice.yaml:3:43: audit.signing.keyFile: '" + bad.getFileName() + "' is not")
                    .endsWith("; ./sluice audit keygen makes one");
        }
        assertThat(problems("audit: {path: a.jsonl, signing: {keyFile: rsa.key}}\n").get(0))
                .contains("is not an Ed25519 private key");
        ed25519Key("good.key");
        assertThat(valid("audit: {path: a.jsonl, signing: {keyFile: good.key}}\n").audit().signingKeyFile())
                .isEqualTo(dir.resolve("good.key"));
    }

    @Test
    void aKeyFileOfTextThatIsNotAsciiIsNotAKeyNotAReadError() throws IOException {
        Files.write(dir.resolve("latin.key"), "clé privée\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(problems("audit: {path: a.jsonl, signing: {keyFile: latin.key}}\n").get(0))
                .contains("is not a PEM private key");
    }
}
