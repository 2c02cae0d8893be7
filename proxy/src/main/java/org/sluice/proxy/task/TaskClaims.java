package org.sluice.proxy.task;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
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

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // two subs: which one would the server read?
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

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
        try (JsonParser json = JSON.createParser(
                Base64.getUrlDecoder().decode(authorization.substring(first + 1, second)))) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            TaskClaims claims = null;
            for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
                boolean sub = "sub".equals(json.currentName());
                if (json.nextToken() == JsonToken.START_OBJECT && sub) {
                    claims = readSub(json);
                } else {
                    json.skipChildren();
                }
            }
            // One whole JSON object and nothing after it; a duplicate field has already thrown.
            return json.currentToken() == JsonToken.END_OBJECT && json.nextToken() == null ? claims : null;
        } catch (IllegalArgumentException | IOException notAToken) {
            return null;
        }
    }

    /** The claims of the sub object the parser is at the start of; leaves it at the object's end. */
    private static TaskClaims readSub(JsonParser json) throws IOException {
        String id = null;
        String image = null;
        String node = null;
        String organization = null;
        String collaboration = null;
        for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
            String name = json.currentName();
            json.nextToken();
            switch (name) {
                case "task_id" -> id = text(json, MAX_ID_CHARS);
                case "image" -> image = text(json, MAX_CLAIM_CHARS);
                case "node_id" -> node = text(json, MAX_CLAIM_CHARS);
                case "organization_id" -> organization = text(json, MAX_CLAIM_CHARS);
                case "collaboration_id" -> collaboration = text(json, MAX_CLAIM_CHARS);
                default -> json.skipChildren();
            }
        }
        return id == null || id.isEmpty() ? null : new TaskClaims(id, image, node, organization, collaboration);
    }

    /**
     * The current value if it is a string or a whole number (as written: a large id keeps its digits), else null;
     * null too when longer than max. Skips a nested value.
     */
    private static String text(JsonParser json, int max) throws IOException {
        JsonToken value = json.currentToken();
        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT) {
            json.skipChildren();
            return null;
        }
        String text = json.getText();
        return text.length() > max ? null : text;
    }
}
