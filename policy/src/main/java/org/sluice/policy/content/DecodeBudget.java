package org.sluice.policy.content;

import org.sluice.policy.config.ContentConfig;

/**
 * The {@code decode:} bounds of one inspection: how many layers deep, how far one compressed layer may inflate, and
 * how many decoded bytes all layers (Content-Encoding and embedded) may make together. Crossing any of them refuses
 * the request by {@code decode}. Not thread-safe: one per inspection.
 */
final class DecodeBudget {
    private final ContentConfig.Decode limits;
    private long decodedBytes;

    DecodeBudget(ContentConfig.Decode limits) {
        this.limits = limits;
    }

    /** Refuses when a layer at {@code depth} (1 = the outermost) would be one too many. */
    void enterLayer(int depth) {
        if (depth > limits.maxLayers()) {
            throw new ContentRefusal("decode", "the request is encoded more than " + limits.maxLayers()
                    + " layers deep; rule allows at most " + limits.maxLayers() + " (content.decode.maxLayers)");
        }
    }

    /** Bytes a new layer may still decode to, whatever its ratio. */
    long remaining() {
        return limits.maxBytes() - decodedBytes;
    }

    int maxRatio() {
        return limits.maxRatio();
    }

    /** Counts a layer's decoded bytes against {@code maxBytes}; refuses when they cross it. */
    void charge(long bytes) {
        decodedBytes += bytes;
        if (decodedBytes > limits.maxBytes()) {
            throw totalCrossed();
        }
    }

    ContentRefusal totalCrossed() {
        return new ContentRefusal("decode", "decoding the request takes more than " + limits.maxBytes()
                + " bytes; rule allows at most " + limits.maxBytes() + " (content.decode.maxBytes)");
    }

    ContentRefusal ratioCrossed(String layer) {
        return new ContentRefusal("decode", "a " + layer + " layer inflates more than " + limits.maxRatio()
                + " times; rule allows at most " + limits.maxRatio() + " (content.decode.maxRatio)");
    }

    static ContentRefusal malformed(String layer) {
        return new MalformedLayer(layer);
    }

    /** A layer that is not what its header or magic number says: refused when declared, skipped when sniffed. */
    static final class MalformedLayer extends ContentRefusal {
        private static final long serialVersionUID = 1L;

        MalformedLayer(String layer) {
            super("decode", "a " + layer + " layer is not well-formed " + layer + " and cannot be checked"
                    + " (content.decode)");
        }
    }
}
