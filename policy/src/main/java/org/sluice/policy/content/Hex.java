package org.sluice.policy.content;

/** Hex digits: one table lookup per byte. */
final class Hex {
    private static final byte[] VALUES = new byte[256];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < 10; i++) {
            VALUES['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            VALUES['a' + i] = (byte) (10 + i);
            VALUES['A' + i] = (byte) (10 + i);
        }
    }

    private Hex() {
    }

    /** The digit's value, or -1 when the byte is not a hex digit. */
    static int value(byte b) {
        return VALUES[b & 0xff];
    }
}
