package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPairCheckTest {

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC", "Ed25519", "DSA"})
    void aKeyBelongsToItsOwnPublicKeyAndNotToAnother(String algorithm) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance(algorithm).generateKeyPair();

        assertThat(KeyPairCheck.belongTogether(pair.getPrivate(), pair.getPublic())).isTrue();
        assertThat(KeyPairCheck.belongTogether(pair.getPrivate(), other.getPublic())).isFalse();
    }
}
