package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.AuditConfig;
import org.sluice.proxy.testing.AuditChains;
import org.sluice.proxy.testing.Await;

/** Signed checkpoints: every N records, after an interval, at a clean stop; each signs the chain up to it. */
class AuditCheckpointTest {

    private static final Duration FLUSH = Duration.ofSeconds(10);
    private static final AuditIdentity NODE = new AuditIdentity(null, "node-c");

    @TempDir
    Path dir;

    private final KeyPair key = SigningKeys.generate();

    private AuditLog open(Path file, AuditConfig.Checkpoints schedule) throws IOException {
        return AuditLog.builder().path(file).identity(NODE).signing(key.getPrivate(), schedule).open();
    }

    /** Asserts that every checkpoint names the key and signs the hash of the line before it. */
    static void assertCheckpointsVerify(List<Map<String, Object>> chain, PublicKey publicKey) {
        for (int i = 0; i < chain.size(); i++) {
            Map<String, Object> line = chain.get(i);
            if (!"checkpoint".equals(line.get("type"))) {
                continue;
            }
            assertThat(line).containsEntry("keyId", AuditChain.keyId(publicKey));
            assertThat((String) line.get("ts")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(line.get("prev")).isEqualTo(i == 0 ? line.get("prev") : chain.get(i - 1).get("hash"));
            try {
                assertThat(AuditChain.verify(publicKey, (String) line.get("prev"),
                        Base64.getDecoder().decode((String) line.get("sig")))).as("signature of %s", line).isTrue();
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static List<String> types(List<Map<String, Object>> chain) {
        return chain.stream().map(l -> l.get("type") == null ? "r" : "cp").toList();
    }

    @Test
    void everyNRecordsAndAtACleanStop() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = open(file, new AuditConfig.Checkpoints(10, Duration.ofHours(1)))) {
            for (int i = 0; i < 25; i++) {
                log.record(Records.withId("r" + i));
                if (i % 4 == 0) {
                    assertThat(log.flush(FLUSH)).isTrue();
                }
            }
        }

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-c");
        List<String> expected = new java.util.ArrayList<>();
        IntStream.range(0, 10).forEach(i -> expected.add("r"));
        expected.add("cp");
        IntStream.range(0, 10).forEach(i -> expected.add("r"));
        expected.add("cp");
        IntStream.range(0, 5).forEach(i -> expected.add("r"));
        expected.add("cp");
        assertThat(types(chain)).containsExactlyElementsOf(expected);
        assertCheckpointsVerify(chain, key.getPublic());
    }

    @Test
    void afterTheIntervalWhenSomethingWasWritten() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = open(file, new AuditConfig.Checkpoints(1000, Duration.ofMillis(200)))) {
            log.record(Records.withId("a"));
            Await.until("a checkpoint after the interval", () -> {
                log.flush(FLUSH);
                return AuditChains.lines(file).size() == 2;
            });
            log.record(Records.withId("b"));
        }

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-c");
        assertThat(types(chain)).containsExactly("r", "cp", "r", "cp");
        assertCheckpointsVerify(chain, key.getPublic());
    }

    @Test
    void aStopWithNothingNewWritesNoSecondCheckpoint() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = open(file, AuditConfig.Checkpoints.DEFAULTS)) {
            log.record(Records.withId("a"));
        }
        open(file, AuditConfig.Checkpoints.DEFAULTS).close();
        open(file, AuditConfig.Checkpoints.DEFAULTS).close();

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-c");
        assertThat(types(chain)).containsExactly("r", "cp");
    }

    @Test
    void anUnsignedTailLeftByACrashIsSignedByTheNextRun() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog unsigned = AuditLog.builder().path(file).identity(NODE).open()) {
            unsigned.record(Records.withId("before"));
        }
        open(file, AuditConfig.Checkpoints.DEFAULTS).close();

        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-c");
        assertThat(types(chain)).containsExactly("r", "cp");
        assertCheckpointsVerify(chain, key.getPublic());
    }

    @Test
    void withoutAKeyThereAreNoCheckpoints() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.builder().path(file).identity(NODE).open()) {
            for (int i = 0; i < 1001; i++) {
                log.record(Records.withId("r" + i));
            }
        }
        List<Map<String, Object>> chain = AuditChains.assertChainFromGenesis(AuditChains.lines(file), "node-c");
        assertThat(chain).hasSize(1001).allMatch(l -> !l.containsKey("type"));
    }
}
