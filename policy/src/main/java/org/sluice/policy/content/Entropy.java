package org.sluice.policy.content;

/**
 * Shannon entropy in bits per byte (0..8) of a run of bytes: how close it is to random. Text and JSON stay near
 * 4.5-5.5; compressed or encrypted bytes reach 7.9 and more once there are a few KiB of them. A sample of n bytes
 * cannot reach more than log2(n), so 64 random bytes measure at most 6 and 256 about 7.2: short blobs never count
 * as opaque.
 */
final class Entropy {
    private static final double LN2 = Math.log(2);

    private Entropy() {
    }

    static double bitsPerByte(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int[] counts = new int[256];
        for (int i = off; i < off + len; i++) {
            counts[b[i] & 0xff]++;
        }
        double sum = 0;
        for (int c : counts) {
            if (c > 0) {
                sum += c * Math.log(c);
            }
        }
        // H = log2(n) - (1/n) * sum(c * log2(c))
        double h = (Math.log(len) - sum / len) / LN2;
        return Math.max(0, Math.min(8, h));
    }
}
