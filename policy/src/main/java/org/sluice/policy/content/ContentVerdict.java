package org.sluice.policy.content;

import java.util.List;

/**
 * What a content check found in one request. It names the check that refused the request (if any) and counts what
 * was found; it never holds a matched value, so it may be logged and audited whole.
 *
 * @param refusedBy    the check that refuses the request ({@code types}, {@code jsonSchema}, {@code json},
 *                     {@code protectedData}, {@code decode}, {@code opaque}), or null when every check passed
 * @param reason       one sentence naming the check, the count and the limit (never a value from the request);
 *                     null when every check passed
 * @param rowsMatched  distinct protected rows found in this request
 * @param rareValues   distinct rare protected values found in this request
 * @param entropy      bits per byte of the body after decoding (0..8), or -1 when not measured
 * @param schemaErrors how many ways the body breaks the rule's JSON Schema (0 when it has none)
 * @param layers       the encodings taken off, outermost first ({@code gzip}, {@code base64}, ...); empty when none
 * @param opaque       the body stayed high-entropy after decoding (encrypted or packed)
 */
public record ContentVerdict(String refusedBy, String reason, int rowsMatched, int rareValues, double entropy,
                             int schemaErrors, List<String> layers, boolean opaque) {

    public ContentVerdict {
        layers = List.copyOf(layers);
    }

    /** True when no check refused the request. */
    public boolean passed() {
        return refusedBy == null;
    }
}
