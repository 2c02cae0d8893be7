package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0.0.0.0:8080, 0.0.0.0, 8080",
        "127.0.0.1:0, 127.0.0.1, 0",
        "[::1]:9090, ::1, 9090",
        "[::]:65535, ::, 65535",
        "[2001:db8::8a2e:370:7334]:1, 2001:db8::8a2e:370:7334, 1",
        "[::ffff:192.0.2.1]:80, ::ffff:192.0.2.1, 80",
        "[1:2:3:4:5:6:7:8]:80, 1:2:3:4:5:6:7:8, 80",
        "localhost:3128, localhost, 3128",
        "sluice_gw.internal:80, sluice_gw.internal, 80",
    })
    void parsesListenAddresses(String text, String host, int port) {
        assertThat(Addresses.listen(text)).isEqualTo(new ListenAddress(host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0:65536 | the port must be a number from 0 to 65535",
        "0.0.0.0:-1 | the port must be a number from 0 to 65535",
        "0.0.0.0:http | the port must be a number from 0 to 65535",
        "0.0.0.0: | the port must be a number from 0 to 65535",
        "0.0.0.0 | the port is missing",
        ":8080 | the host is missing",
        "::1:9090 | an IPv6 address must be in brackets",
        "[::1:9090 | no closing ']'",
        "[::1]9090 | expected ':port' after ']'",
        "[1:2:3:4:5:6:7:8:9]:80 | is not an IPv6 address",
        "[1::2::3]:80 | is not an IPv6 address",
        "[12345::]:80 | is not an IPv6 address",
        "[::g]:80 | is not an IPv6 address",
        "[::1%eth0]:80 | is not an IPv6 address",
        "256.0.0.1:80 | is not a valid host name or IPv4 address",
        "1.2.3:80 | is not a valid host name or IPv4 address",
        "010.0.0.1:80 | is not a valid host name or IPv4 address",
        "bad host:80 | is not a valid host name or IPv4 address",
        "-bad.example:80 | is not a valid host name or IPv4 address",
        "a..b:80 | is not a valid host name or IPv4 address",
    })
    void refusesBadListenAddresses(String text, String fragment) {
        assertThatThrownBy(() -> Addresses.listen(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad listen address '" + text + "': ")
                .hasMessageContaining(fragment);
    }

    @Test
    void upstreamDefaultsPortsAndLowerCasesSchemeAndHost() {
        UpstreamConfig https = Addresses.upstream("HTTPS://Central.Example.ORG", null, 64);
        assertThat(https).isEqualTo(new UpstreamConfig("https", "central.example.org", 443, null, 64));
        assertThat(https.tls()).isTrue();
        assertThat(https.authority()).isEqualTo("central.example.org");

        UpstreamConfig http = Addresses.upstream("http://127.0.0.1/", null, 1);
        assertThat(http.port()).isEqualTo(80);
        assertThat(http.tls()).isFalse();
        assertThat(http.authority()).isEqualTo("127.0.0.1");
    }

    @Test
    void authorityCarriesNonDefaultPortAndBracketsIpv6() {
        assertThat(Addresses.upstream("https://h.example:8443", null, 64).authority()).isEqualTo("h.example:8443");
        assertThat(Addresses.upstream("http://h.example:443", null, 64).authority()).isEqualTo("h.example:443");
        assertThat(Addresses.upstream("https://h.example:443", null, 64).authority()).isEqualTo("h.example");
        UpstreamConfig v6 = Addresses.upstream("http://[::1]:9000", null, 64);
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.authority()).isEqualTo("[::1]:9000");
        assertThat(Addresses.upstream("http://[::1]", null, 64).authority()).isEqualTo("[::1]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://central.example.org/api | a path is not allowed (got '/api')",
        "https://central.example.org/api/ | a path is not allowed (got '/api/')",
        "https://central.example.org//| a path is not allowed (got '//')",
        "https://central.example.org/?x=1 | a query is not allowed",
        "https://central.example.org?x=1 | a query is not allowed",
        "https://central.example.org#top | a fragment is not allowed",
        "https://user@central.example.org | credentials (user@) are not allowed",
        "https://user:secret@central.example.org | credentials (user@) are not allowed",
        "ftp://central.example.org | the scheme must be http or https, got 'ftp'",
        "ws://central.example.org | the scheme must be http or https, got 'ws'",
        "central.example.org | expected http://host[:port] or https://host[:port]",
        "://central.example.org | expected http://host[:port] or https://host[:port]",
        "https:// | the host is missing",
        "https://central.example.org:0 | the port must be a number from 1 to 65535",
        "https://central.example.org:99999 | the port must be a number from 1 to 65535",
        "https://::1 | an IPv6 address must be in brackets",
    })
    void refusesUpstreamUrlsWithAnythingButSchemeHostAndPort(String url, String fragment) {
        assertThatThrownBy(() -> Addresses.upstream(url, null, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad upstream URL '" + url + "': ")
                .hasMessageContaining(fragment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "a-b.c-d.example", "x", "192.168.0.1", "255.255.255.255", "0.0.0.0",
        "host_1", "1host.example"})
    void acceptsHostNames(String host) {
        assertThat(Addresses.isHostName(host)).isTrue();
    }
}
