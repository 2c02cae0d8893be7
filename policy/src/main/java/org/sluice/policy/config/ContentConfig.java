package org.sluice.policy.config;

import com.networknt.schema.Schema;
import java.util.List;
import org.sluice.policy.Mode;
import org.sluice.policy.content.CumulativeLimits;
import org.sluice.policy.fingerprint.FingerprintIndex;

/**
 * A rule's {@code content:} checks as written, with the files they name already read: the JSON Schema compiled and
 * the fingerprint index loaded, so that a policy that loads can be enforced. docs/configuration.md lists every key.
 *
 * @param types          media types the body may have (lower case {@code type/subtype} or {@code type/*}); null =
 *                       any type
 * @param jsonSchemaFile the schema file as written (for messages), or null when there is none
 * @param jsonSchema     the compiled schema (draft 2020-12), or null when there is none
 * @param json           limits on a JSON body's shape, or null when none are set
 * @param protectedData  the protected data set's fingerprints and how much of it may leave, or null
 * @param decode         how deep and how far encoded bodies are taken apart before they are checked
 * @param opaque         what to do with a body that stays high-entropy after decoding
 * @param opaqueEntropy  bits per byte from which a decoded body counts as opaque
 * @param mode           the content checks' own mode, or null to use the rule's
 * @param position       where {@code content:} starts in the file
 */
public record ContentConfig(List<String> types, String jsonSchemaFile, Schema jsonSchema, JsonLimits json,
                            ProtectedData protectedData, Decode decode, Opaque opaque, double opaqueEntropy,
                            Mode mode, Position position) {

    /** Default of {@code opaqueEntropy}: above what text, JSON and numbers reach, below packed or encrypted bytes. */
    public static final double DEFAULT_OPAQUE_ENTROPY = 7.5;

    public ContentConfig {
        types = types == null ? null : List.copyOf(types);
    }

    /** {@code opaque:} what to do with a body that stays high-entropy after decoding. */
    public enum Opaque {
        /** Refuse it: 403 content_refused. */
        DENY,
        /** Let it through and mark it in the audit record. */
        REPORT,
        /** Let it through. */
        ALLOW
    }

    /**
     * {@code json:} limits on the shape of a JSON body; {@link Integer#MAX_VALUE} means no limit.
     *
     * @param maxDepth        nesting of arrays and objects
     * @param maxArrayLength  elements in any one array
     * @param maxStringLength characters in any one string (keys included)
     * @param maxNumbers      numeric leaves in the whole body
     */
    public record JsonLimits(int maxDepth, int maxArrayLength, int maxStringLength, int maxNumbers) {
        public static final JsonLimits NONE =
                new JsonLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * {@code protectedData:} the data set the algorithm reads, as fingerprints, and how much of it a request and a
     * job may carry.
     *
     * @param indexFile     the {@code .sfp} file as written (for messages)
     * @param index         the loaded index
     * @param k             cells of one row that count the row when found close together (default: the index's)
     * @param maxRows       distinct protected rows one request may carry
     * @param maxRareValues distinct rare values one request may carry
     * @param cumulative    what many requests may carry together
     */
    public record ProtectedData(String indexFile, FingerprintIndex index, int k, int maxRows, int maxRareValues,
                                CumulativeLimits cumulative) {
        public static final int DEFAULT_MAX_ROWS = 0;
        public static final int DEFAULT_MAX_RARE_VALUES = 0;
    }

    /**
     * {@code decode:} how encoded bodies are taken apart before they are checked. A body that would need more is
     * refused (check {@code decode}), never let through unchecked.
     *
     * @param maxLayers    encodings taken off one inside the other (base64 inside gzip inside percent-encoding...)
     * @param maxRatio     decoded bytes per encoded byte of any one layer (a decompression bomb exceeds it)
     * @param maxBytes     decoded bytes of all layers together
     */
    public record Decode(int maxLayers, int maxRatio, long maxBytes) {
        public static final Decode DEFAULTS = new Decode(4, 100, 16L * 1024 * 1024);
    }
}
