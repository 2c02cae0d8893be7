package org.sluice.proxy.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TaskClaimsTest {

    private static final String HEADER = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    private static final String SIG = "c2lnbmF0dXJlLW5vdC1jaGVja2Vk";

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A Bearer header value carrying payload as a vantage6 container token would. */
    static String bearer(String payload) {
        return "Bearer " + HEADER + "." + b64(payload) + "." + SIG;
    }

    private static final String CONTAINER = "{\"fresh\":false,\"iat\":1700000000,\"jti\":\"x\",\"type\":\"access\","
            + "\"sub\":{\"client_type\":\"container\",\"node_id\":3,\"organization_id\":2,\"collaboration_id\":1,"
            + "\"task_id\":42,\"image\":\"harbor2.vantage6.ai/demo/average\","
            + "\"databases\":[{\"label\":\"default\",\"type\":\"csv\"}]},\"nbf\":1700000000}";

    @Test
    void aContainerTokensIdentityIsRead() {
        TaskClaims claims = TaskClaims.fromAuthorization(bearer(CONTAINER));

        assertThat(claims).isEqualTo(new TaskClaims("42", "harbor2.vantage6.ai/demo/average", "3", "2", "1"));
    }

    @Test
    void idsMayBeStringsOrWholeNumbers() {
        TaskClaims claims = TaskClaims.fromAuthorization(bearer(
                "{\"sub\":{\"task_id\":\"t-7\",\"node_id\":\"n1\",\"organization_id\":9007199254740993}}"));

        assertThat(claims).isEqualTo(new TaskClaims("t-7", null, "n1", "9007199254740993", null));
    }

    @Test
    void onlyTheTaskIdIsRequired() {
        assertThat(TaskClaims.fromAuthorization(bearer("{\"sub\":{\"task_id\":5}}")))
                .isEqualTo(new TaskClaims("5", null, null, null, null));
    }

    @Test
    void theSchemeIsCaseInsensitiveAndPaddingIsAccepted() {
        String padded = "bearer " + HEADER + "."
                + Base64.getUrlEncoder().encodeToString("{\"sub\":{\"task_id\":12}}".getBytes(StandardCharsets.UTF_8))
                + "." + SIG;
        assertThat(padded).contains("=");

        assertThat(TaskClaims.fromAuthorization(padded)).isEqualTo(new TaskClaims("12", null, null, null, null));
    }

    @Test
    void aTokenThatDoesNotParseGivesNoTask() {
        String[] bad = {
            null,
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Bearer " + HEADER + "." + b64("{\"sub\":{\"task_id\":1}}"), // two parts: one dot
            "Bearer " + HEADER + "." + b64("{\"sub\":{\"task_id\":1}}") + "." + SIG + ".x", // four parts
            "Bearer " + HEADER + "..." + SIG,
            "Bearer " + HEADER + ".!!!not-base64!!!." + SIG,
            "Bearer " + HEADER + "." + Base64.getEncoder().encodeToString(
                    "{\"sub\":{\"task_id\":1,\"image\":\"a>>>b???\"}}".getBytes(StandardCharsets.UTF_8)) + "." + SIG,
            bearer("not json"),
            bearer("[1,2,3]"),
            bearer("{\"sub\":{\"task_id\":1}"), // cut short
            bearer("{\"sub\":{\"task_id\":1}} trailing"),
            bearer("{}"),
            bearer("{\"sub\":null}"),
            bearer("{\"sub\":\"alice\"}"), // older vantage6 / users: identity as a string
            bearer("{\"sub\":\"{\\\"task_id\\\":1}\"}"),
            bearer("{\"sub\":{}}"),
            bearer("{\"sub\":{\"task_id\":null}}"),
            bearer("{\"sub\":{\"task_id\":true}}"),
            bearer("{\"sub\":{\"task_id\":4.5}}"),
            bearer("{\"sub\":{\"task_id\":\"\"}}"),
            bearer("{\"sub\":{\"task_id\":[1]}}"),
            bearer("{\"sub\":{\"task_id\":{\"id\":1}}}"),
            bearer("{\"sub\":{\"task_id\":\"" + "9".repeat(TaskClaims.MAX_ID_CHARS + 1) + "\"}}"),
            bearer("{\"sub\":{\"task_id\":1},\"sub\":{\"task_id\":2}}"), // which one would the server read?
            bearer("{\"sub\":{\"task_id\":1,\"task_id\":2}}"),
            bearer("{\"sub\":{\"task_id\":1},\"x\":" + "[".repeat(20) + "]".repeat(20) + "}"), // too deep
        };
        for (String value : bad) {
            assertThat(TaskClaims.fromAuthorization(value)).as(String.valueOf(value)).isNull();
        }
    }

    @Test
    void aClaimThatIsNotAStringOrWholeNumberIsLeftOutButTheTaskStays() {
        TaskClaims claims = TaskClaims.fromAuthorization(bearer("{\"sub\":{\"task_id\":8,\"image\":[\"a\"],"
                + "\"node_id\":1.5,\"organization_id\":\"" + "o".repeat(TaskClaims.MAX_CLAIM_CHARS + 1) + "\"}}"));

        assertThat(claims).isEqualTo(new TaskClaims("8", null, null, null, null));
    }

    @Test
    void aPayloadOverTheBoundIsNotDecoded() {
        String image = "i".repeat(TaskClaims.MAX_PAYLOAD_CHARS);
        String justUnder = "{\"sub\":{\"task_id\":1,\"image\":\"x\"}}";
        assertThat(TaskClaims.fromAuthorization(bearer(justUnder))).isNotNull();

        String over = "{\"sub\":{\"task_id\":1,\"image\":\"" + image + "\"}}";
        assertThat(b64(over).length()).isGreaterThan(TaskClaims.MAX_PAYLOAD_CHARS);
        assertThat(TaskClaims.fromAuthorization(bearer(over))).isNull();
    }

    @Test
    void thePayloadBoundIsCrossedByTheSmallestStep() {
        // Unpadded base64 is never 4n+1 characters long: the next length after the bound (4n) is 4n+2.
        String at = payloadEncodingTo(TaskClaims.MAX_PAYLOAD_CHARS);
        String over = payloadEncodingTo(TaskClaims.MAX_PAYLOAD_CHARS + 2);
        assertThat(b64(at)).hasSize(TaskClaims.MAX_PAYLOAD_CHARS);
        assertThat(b64(over)).hasSize(TaskClaims.MAX_PAYLOAD_CHARS + 2);

        assertThat(TaskClaims.fromAuthorization(bearer(at))).isNotNull();
        assertThat(TaskClaims.fromAuthorization(bearer(over))).isNull();
    }

    /** {"sub":{"task_id":1},"pad":"xxx..."} whose unpadded base64url is exactly chars long. */
    private static String payloadEncodingTo(int chars) {
        for (int pad = 0; pad < chars; pad++) {
            String payload = "{\"sub\":{\"task_id\":1},\"pad\":\"" + "x".repeat(pad) + "\"}";
            if (b64(payload).length() == chars) {
                return payload;
            }
        }
        throw new IllegalStateException("no payload encodes to " + chars + " characters");
    }

    @Test
    void theTokenNeverShowsInTheClaimsText() {
        TaskClaims claims = TaskClaims.fromAuthorization(bearer(CONTAINER));

        assertThat(claims.toString()).doesNotContain(SIG).doesNotContain(HEADER);
    }
}
