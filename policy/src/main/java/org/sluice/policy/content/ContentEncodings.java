package org.sluice.policy.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Stage (a): takes off the codings a Content-Encoding header lists. RFC 9110 lists them in the order they were
 * applied, so the last is the outermost and is taken off first.
 */
final class ContentEncodings {

    /** Codings Sluice knows by name but cannot take off: a reason may name these (they are not request data). */
    private static final Set<String> KNOWN_UNCHECKABLE =
            Set.of("br", "compress", "x-compress", "exi", "pack200-gzip", "aes128gcm", "dcb", "dcz");

    private ContentEncodings() {
    }

    /**
     * Decodes the body, recording each layer taken off (outermost first) in {@code layers}.
     *
     * @return the decoded body (the same array when nothing was taken off)
     * @throws ContentRefusal by {@code decode}
     */
    static Decompressor.Decoded decode(byte[] body, String contentEncoding, DecodeBudget budget,
            List<String> layers) {
        Decompressor.Decoded current = new Decompressor.Decoded(body, body.length);
        if (contentEncoding == null || contentEncoding.isBlank() || body.length == 0) {
            return current;
        }
        List<String> codings = new ArrayList<>();
        for (String token : contentEncoding.split(",")) {
            String coding = token.trim().toLowerCase(Locale.ROOT);
            if (coding.isEmpty() || coding.equals("identity")) {
                continue;
            }
            String layer = switch (coding) {
                case "gzip", "x-gzip" -> "gzip";
                case "deflate" -> "deflate";
                case "zstd" -> "zstd";
                default -> throw new ContentRefusal("decode", KNOWN_UNCHECKABLE.contains(coding)
                        ? "Content-Encoding '" + coding + "' cannot be checked (content.decode)"
                        : "the Content-Encoding is not one Sluice can check: gzip, deflate, zstd or identity"
                                + " (content.decode)");
            };
            codings.add(layer);
        }
        budget.enterLayer(codings.size());
        for (int i = codings.size() - 1; i >= 0; i--) {
            String layer = codings.get(i);
            current = Decompressor.decode(layer, current.bytes(), 0, current.length(), budget);
            layers.add(layer);
        }
        return current;
    }
}
