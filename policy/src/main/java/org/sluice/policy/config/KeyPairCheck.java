package org.sluice.policy.config;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/**
 * Whether a private key belongs to a certificate's public key: it signs a random challenge and the public key must
 * verify it. A key of another certificate would build a TLS context that fails every handshake, so Sluice checks
 * the pair when it reads it (the upstream's client certificate, the webhook's serving certificate).
 */
public final class KeyPairCheck {

    private KeyPairCheck() {
    }

    /**
     * @throws GeneralSecurityException when the key cannot sign or the algorithm is not one the JDK can check (RSA,
     *                                  EC, DSA, EdDSA are)
     */
    public static boolean belongTogether(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> publicKey.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(challenge);
        return verifier.verify(signature);
    }
}
