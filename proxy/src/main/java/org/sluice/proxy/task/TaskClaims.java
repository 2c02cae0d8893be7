package org.sluice.proxy.task;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * What a vantage6 container token says about the task it was issued for: the {@code sub} claim (the identity the
 * node asked the central server for) with {@code task_id}, {@code image}, {@code node_id}, {@code organization_id}
 * and {@code collaboration_id}. Sluice cannot check the token's signature (the central server's secret), so these
 * are claims, never verified facts: any client may send any token. Ids are kept as text, whether the token carries
 * them as numbers or strings. The token itself is never kept.
 *
 * @param id            the claimed task id; never null
 * @param image         the claimed algorithm image, or null
 * @param node          the claimed node id, or null
 * @param organization  the claimed organization id, or null
 * @param collaboration the claimed collaboration id, or null
 */
public record TaskClaims(String id, String image, String node, String organization, String collaboration) {

    /** Longest base64url payload decoded (8 KiB of text); a longer token is not parsed at all. */
    static final int MAX_PAYLOAD_CHARS = 8 * 1024;
    /** Longest task id kept; a longer one gives no task. */
    static final int MAX_ID_CHARS = 128;
    /** Longest other claim kept (an image reference with its digest fits); a longer one is left out. */
    static final int MAX_CLAIM_CHARS = 512;
    private static final String BEARER = "Bearer ";
    /** A JWT's claims are flat but for sub and its small lists: deeper nesting is not a container token. */
    private static final int MAX_DEPTH = 8;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // two subs: which one would the server read?
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The claims of an {@code Authorization: Bearer <header>.<payload>.<signature>} value, or null when there is no
     * such header, the token does not parse (not three parts, bad base64url, not a JSON object, over
     * {@link #MAX_PAYLOAD_CHARS}), or its {@code sub} is not an object with a {@code task_id} that is a whole number
     * or a non-empty string. Never throws: a request whose token does not parse is decided as any other.
     */
    public static TaskClaims fromAuthorization(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        int first = authorization.indexOf('.', BEARER.length());
        int second = first < 0 ? -1 : authorization.indexOf('.', first + 1);
        if (second < 0 || authorization.indexOf('.', second + 1) >= 0 || second - first - 1 > MAX_PAYLOAD_CHARS
                || first == BEARER.length() || second == first + 1) {
            return null;
        }
        JsonNode payload;
        try {
            byte[] json = Base64.getUrlDecoder().decode(authorization.substring(first + 1, second));
            payload = JSON.readTree(json);
        } catch (IllegalArgumentException | IOException notAToken) {
            return null;
        }
        JsonNode sub = payload == null ? null : payload.get("sub");
        if (sub == null || !sub.isObject()) {
            return null;
        }
        String id = text(sub.get("task_id"), MAX_ID_CHARS);
        if (id == null || id.isEmpty()) {
            return null;
        }
        return new TaskClaims(id, text(sub.get("image"), MAX_CLAIM_CHARS), text(sub.get("node_id"), MAX_CLAIM_CHARS),
                text(sub.get("organization_id"), MAX_CLAIM_CHARS),
                text(sub.get("collaboration_id"), MAX_CLAIM_CHARS));
    }

    /** A string or a whole number as text, or null when it is neither or longer than max. */
    private static String text(JsonNode value, int max) {
        String text = value == null ? null
                : value.isTextual() ? value.textValue()
                : value.isIntegralNumber() ? value.asText()
                : null;
        return text == null || text.length() > max ? null : text;
    }
}
