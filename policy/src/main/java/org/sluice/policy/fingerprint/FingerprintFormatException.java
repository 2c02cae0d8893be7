package org.sluice.policy.fingerprint;

/** An {@code .sfp} file that is not a whole, unchanged fingerprint index: what is wrong with it, in one sentence. */
public final class FingerprintFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    FingerprintFormatException(String message) {
        super(message);
    }
}
