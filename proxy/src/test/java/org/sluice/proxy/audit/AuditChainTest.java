package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    @Test
    void hashCoversTheLineWithoutItsHashField() {
        String canonical = "{\"id\":\"a\",\"prev\":\"" + "0".repeat(64) + "\"}";
        // Expected value from `printf '%s' "$canonical" | sha256sum`, computed outside the code under test.
        String expected = "3a3da5362334a973644e81322bd42faec28f60e6c562e173b6de5b1268108354";
        byte[] line = (canonical.substring(0, canonical.length() - 1) + AuditChain.HASH_MARKER + expected + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        int start = AuditChain.hashFieldStart(line, 0, line.length);
        assertThat(start).isEqualTo(canonical.length() - 1);
        assertThat(AuditChain.hash(line, 0, start)).isEqualTo(expected);
    }

    @Test
    void theLastMarkerIsTheHashFieldEvenWhenAValueMentionsHash() {
        byte[] line = ("{\"reason\":\"a \\\",\\\"hash\\\":\\\" b\",\"prev\":\"x\"" + AuditChain.HASH_MARKER + "h\"}")
                .getBytes(StandardCharsets.UTF_8);
        int start = AuditChain.hashFieldStart(line, 0, line.length);
        assertThat(new String(line, start, line.length - start, StandardCharsets.UTF_8)).isEqualTo(",\"hash\":\"h\"}");
        assertThat(AuditChain.hashFieldStart("{\"a\":1}".getBytes(StandardCharsets.UTF_8), 0, 7)).isEqualTo(-1);
    }

    @Test
    void genesisDependsOnTheNode() {
        assertThat(AuditChain.genesis("node-a")).hasSize(64).isNotEqualTo(AuditChain.genesis("node-b"))
                .isEqualTo(AuditChain.genesis("node-a"));
    }

    @Test
    void checkpointSignaturesVerifyOnlyForTheirHashAndKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        KeyPair key = generator.generateKeyPair();
        KeyPair other = generator.generateKeyPair();
        String prev = "ab".repeat(32);
        byte[] sig = AuditChain.sign(key.getPrivate(), prev);
        assertThat(AuditChain.verify(key.getPublic(), prev, sig)).isTrue();
        assertThat(AuditChain.verify(key.getPublic(), "cd".repeat(32), sig)).isFalse();
        assertThat(AuditChain.verify(other.getPublic(), prev, sig)).isFalse();
        assertThat(AuditChain.keyId(key.getPublic())).hasSize(16).isNotEqualTo(AuditChain.keyId(other.getPublic()));
    }
}
