package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    @Test
    void requestLosesEveryHopByHopHeaderAndWhatConnectionNames() {
        HttpHeaders from = new DefaultHttpHeaders();
        from.add("Connection", "keep-alive, X-Secret ,Upgrade");
        from.add("X-Secret", "token");
        from.add("Keep-Alive", "timeout=5");
        from.add("TE", "trailers");
        from.add("Trailer", "X-Sum");
        from.add("Transfer-Encoding", "chunked");
        from.add("Upgrade", "h2c");
        from.add("Proxy-Authorization", "Basic eDp5");
        from.add("proxy-connection", "keep-alive");
        from.add("Content-Type", "application/json");
        from.add("Authorization", "Bearer algorithm-token");
        from.add("X-Secretive", "kept: only the exact name is listed");

        assertThat(namesLeft(from, false)).containsExactlyInAnyOrder("Content-Type", "Authorization", "X-Secretive");
    }

    @Test
    void responseKeepsItsFramingHeader() {
        HttpHeaders from = new DefaultHttpHeaders();
        from.add("Transfer-Encoding", "chunked");
        from.add("Connection", "close");
        from.add("Content-Type", "text/plain");
        assertThat(namesLeft(from, true)).containsExactlyInAnyOrder("Transfer-Encoding", "Content-Type");
    }

    @Test
    void aFramingHeaderStaysWhateverConnectionNames() {
        HttpHeaders response = new DefaultHttpHeaders();
        response.add("Connection", "Content-Length, transfer-encoding, X-Hop");
        response.add("Content-Length", "5");
        response.add("Transfer-Encoding", "chunked");
        response.add("X-Hop", "1");
        assertThat(namesLeft(response, true)).containsExactlyInAnyOrder("Content-Length", "Transfer-Encoding");

        HttpHeaders request = new DefaultHttpHeaders();
        request.add("Connection", "keep-alive, content-length");
        request.add("Content-Length", "5");
        assertThat(HopByHopHeaders.removedFromRequest("Content-Length", request)).isFalse();
        assertThat(namesLeft(request, false)).containsExactly("Content-Length");
    }

    @Test
    void firstListedFindsADecidingHeaderInAnyCaseAndPositionAndOnlyAsAWholeToken() {
        assertThat(firstDeciding("content-length")).isEqualTo("content-length");
        assertThat(firstDeciding("keep-alive, Content-Length")).isEqualTo("content-length");
        assertThat(firstDeciding(" close ,\tTRANSFER-ENCODING\t")).isEqualTo("transfer-encoding");
        assertThat(firstDeciding("HOST,x")).isEqualTo("host");
        assertThat(firstDeciding(",,expect,,")).isEqualTo("expect");
        assertThat(firstDeciding("keep-alive, Upgrade, HTTP2-Settings, TE, close")).isNull();
        assertThat(firstDeciding("content-length2, x-content-length, hostname, host-x")).isNull();
        assertThat(firstDeciding("")).isNull();
        assertThat(firstDeciding("content-lengt")).isNull();
        assertThat(firstDeciding("Expect, Host")).as("the first in Connection's order").isEqualTo("expect");
    }

    private static String firstDeciding(String connection) {
        AsciiString name = HopByHopHeaders.firstListed(connection, HopByHopHeaders.DECIDING_REQUEST_HEADERS);
        return name == null ? null : name.toString();
    }

    @Test
    void connectionTokensMatchWholeNamesOnlyIgnoringCaseAndSpace() {
        assertThat(HopByHopHeaders.listedIn(" x-a , X-B", "X-A")).isTrue();
        assertThat(HopByHopHeaders.listedIn(" x-a , X-B", "x-b")).isTrue();
        assertThat(HopByHopHeaders.listedIn("x-ab", "x-a")).isFalse();
        assertThat(HopByHopHeaders.listedIn("", "x-a")).isFalse();
        assertThat(HopByHopHeaders.listedIn(",,", "x-a")).isFalse();
        assertThat(HopByHopHeaders.listedIn(null, "x-a")).isFalse();
    }

    @Test
    void namesListedInAnyOfSeveralConnectionLinesAreRemoved() {
        HttpHeaders from = new DefaultHttpHeaders();
        from.add("Connection", "keep-alive");
        from.add("Connection", "X-Hop-Secret");
        from.add("X-Hop-Secret", "for the next hop only");
        from.add("Accept", "*/*");
        assertThat(namesLeft(from, false)).containsExactly("Accept");
    }

    @Test
    void headersWithNothingHopByHopAreLeftAlone() {
        HttpHeaders from = new DefaultHttpHeaders();
        from.add("Accept", "*/*");
        from.add("X-Trace", "a");
        from.add("X-Trace", "b");
        assertThat(namesLeft(from, false)).containsExactly("Accept", "X-Trace");
        assertThat(from.getAll("X-Trace")).containsExactly("a", "b");
    }

    /** The names left in {@code headers} after {@link HopByHopHeaders#remove}. */
    private static Set<String> namesLeft(HttpHeaders headers, boolean keepTransferEncoding) {
        HopByHopHeaders.remove(headers, keepTransferEncoding);
        return headers.names();
    }
}
