package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestUrlTest {

    private static final Destination GATEWAY = Destination.gateway("https", "central.example.org", 443);

    @Test
    void aPathIsAGatewayRequestKeptAsWritten() {
        RequestUrl url = RequestUrl.parse("/api//tasks/../x?limit=10&&offset&a=b=c", GATEWAY);

        assertThat(url.destination()).isEqualTo(GATEWAY);
        assertThat(url.target()).isEqualTo("/api//tasks/../x?limit=10&&offset&a=b=c");
        assertThat(url.rawPath()).isEqualTo("/api//tasks/../x");
        assertThat(url.rawQuery()).isEqualTo("limit=10&&offset&a=b=c");
        assertThat(url.queryNames()).containsExactly("limit", "offset", "a");
        assertThat(url.fragment()).isFalse();
    }

    @Test
    void noQueryAndAnEmptyQueryDiffer() {
        assertThat(RequestUrl.parse("/api", GATEWAY).rawQuery()).isNull();
        assertThat(RequestUrl.parse("/api?", GATEWAY).rawQuery()).isEmpty();
        assertThat(RequestUrl.parse("/api?", GATEWAY).queryNames()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "https://central.example.org/api/x, /api/x",
            "HTTPS://Central.Example.ORG.:443/api/x?limit=1, /api/x?limit=1",
            "https://central.example.org, /",
            "https://central.example.org?limit=1, /?limit=1"})
    void theUpstreamsOwnUrlIsAGatewayRequestInOriginForm(String text, String target) {
        RequestUrl url = RequestUrl.parse(text, GATEWAY);

        assertThat(url.destination()).isEqualTo(GATEWAY);
        assertThat(url.target()).isEqualTo(target);
    }

    @ParameterizedTest
    @CsvSource({
            "http://central.example.org/api/x, http, central.example.org, 80",
            "https://central.example.org:8443/api/x, https, central.example.org, 8443",
            "https://pypi.org/simple/, https, pypi.org, 443",
            "http://[::1]:8080/x, http, ::1, 8080",
            "http://bücher.example/x, http, xn--bcher-kva.example, 80"})
    void anyOtherUrlGoesToTheForwardListener(String text, String scheme, String host, int port) {
        RequestUrl url = RequestUrl.parse(text, GATEWAY);

        assertThat(url.destination()).isEqualTo(new Destination(Listener.FORWARD, scheme, host, port));
        assertThat(url.target()).isEqualTo(text);
    }

    @Test
    void aFragmentIsNotedAndNotPartOfThePathOrQuery() {
        RequestUrl url = RequestUrl.parse("/api/x?limit=1#top", GATEWAY);

        assertThat(url.fragment()).isTrue();
        assertThat(url.rawPath()).isEqualTo("/api/x");
        assertThat(url.rawQuery()).isEqualTo("limit=1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'' | the URL is empty",
            "api/tasks | is neither a path nor an http(s) URL",
            "ftp://example.org/x | is neither a path nor an http(s) URL",
            "https:///x | has no host",
            "https://user:pw@central.example.org/api | credentials",
            "https://central.example.org:0/api | must be a number from 1 to 65535",
            "https://central.example.org:99999/api | must be a number from 1 to 65535",
            "https://central.example.org:/api | must be a number from 1 to 65535",
            "http://::1/x | must be in brackets",
            "http://[::1/x | no closing ']'",
            "http://exa mple.org/x | is not a valid host name"})
    void badUrlsAreRefusedWithAReason(String text, String reason) {
        assertThatThrownBy(() -> RequestUrl.parse(text, GATEWAY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void headersAreReadAsCurlTakesThem() {
        assertThat(RequestHeader.parse("X-Tag:  a b\t")).isEqualTo(new RequestHeader("X-Tag", "a b"));
        assertThat(RequestHeader.parse("X-Empty:")).isEqualTo(new RequestHeader("X-Empty", ""));
        assertThat(RequestHeader.parse("X-Url: http://x:1/")).isEqualTo(new RequestHeader("X-Url", "http://x:1/"));
        assertThat(new RequestHeader("X-Tag", "caf\u00e9").lineBytes()).isEqualTo("X-Tag: ".length() + 5);
        assertThatThrownBy(() -> RequestHeader.parse("X-Tag a")).hasMessageContaining("has no ':'");
        assertThatThrownBy(() -> RequestHeader.parse("X Tag: a")).hasMessageContaining("is not a header name");
        assertThatThrownBy(() -> RequestHeader.parse(": a")).hasMessageContaining("empty");
        assertThatThrownBy(() -> RequestHeader.parse("X-Tag: a\r\nX-Evil: 1"))
                .hasMessageContaining("control character");
    }
}
