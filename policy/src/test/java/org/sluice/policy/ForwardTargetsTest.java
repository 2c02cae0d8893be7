package org.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ForwardTargetsTest {

    private static Destination http(String host, int port) {
        return new Destination(Listener.FORWARD, "http", host, port);
    }

    private static Destination https(String host, int port) {
        return new Destination(Listener.FORWARD, "https", host, port);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "http://mirror.example.org/simple/pkg/?a=1 | mirror.example.org    | 80    | /simple/pkg/ | a=1",
        "http://mirror.example.org                 | mirror.example.org    | 80    | /            | NULL",
        "http://mirror.example.org?x               | mirror.example.org    | 80    | /            | x",
        "http://mirror.example.org/?               | mirror.example.org    | 80    | /            | ''",
        "HTTP://Mirror.Example.ORG:8080/A%2fB      | mirror.example.org    | 8080  | /A%2fB       | NULL",
        "http://mirror.example.org./x              | mirror.example.org    | 80    | /x           | NULL",
        "http://mirror.example.org:80/x            | mirror.example.org    | 80    | /x           | NULL",
        "http://mirror.example.org:65535/x         | mirror.example.org    | 65535 | /x           | NULL",
        "http://127.0.0.1:8080/x                   | 127.0.0.1             | 8080  | /x           | NULL",
        "http://255.255.255.255/                   | 255.255.255.255       | 80    | /            | NULL",
        "http://0.0.0.0/                           | 0.0.0.0               | 80    | /            | NULL",
        "http://[::1]:8080/x                       | ::1                   | 8080  | /x           | NULL",
        "http://[FD00::AB]/x                       | fd00::ab              | 80    | /x           | NULL",
        "http://[::ffff:10.0.0.1]/x                | ::ffff:10.0.0.1       | 80    | /x           | NULL",
        "http://bücher.example/x                   | xn--bcher-kva.example | 80    | /x           | NULL",
        "http://my_service:8000/x                  | my_service            | 8000  | /x           | NULL",
        "http://v1.2.3.example/x                   | v1.2.3.example        | 80    | /x           | NULL",
        "http://1.2.3.4a/x                         | 1.2.3.4a              | 80    | /x           | NULL",
        "http://0xz.example/x                      | 0xz.example           | 80    | /x           | NULL",
        "http://host/a?b?c=d/e                     | host                  | 80    | /a           | b?c=d/e",
    })
    void goodAbsoluteTargets(String target, String host, int port, String path, String query) {
        ForwardTarget parsed = ForwardTargets.absolute(target);

        assertThat(parsed.destination()).isEqualTo(http(host, port));
        assertThat(parsed.rawPath()).isEqualTo(path);
        assertThat(parsed.rawQuery()).isEqualTo(query);
        assertThat(parsed.originForm()).isEqualTo(query == null ? path : path + "?" + query);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                 | the request target is empty",
        "/simple/                           | is not an absolute http:// URL",
        "mirror.example.org/x               | is not an absolute http:// URL",
        "https://mirror.example.org/x       | send CONNECT host:443 and speak TLS through the tunnel, as clients "
                + "configured with HTTPS_PROXY do",
        "ftp://mirror.example.org/x         | the scheme 'ftp' is not forwarded; only http:// URLs are",
        "ws://mirror.example.org/x          | the scheme 'ws' is not forwarded",
        "http://user:pw@mirror.example.org/ | carries credentials (user@)",
        "http://user@mirror.example.org/    | carries credentials (user@)",
        "http://mirror.example.org/x#top    | carries a fragment (#...)",
        "http://mirror.example.org#top      | carries a fragment (#...)",
        "http:///x                          | has no host",
        "http://:80/x                       | has no host",
        "http://a..b/x                      | has an empty label",
        "http://.a.b/x                      | has an empty label",
        "http://a.b../x                     | has an empty label",
        "http://mirror%2eexample.org/x      | has a percent-escape, which is not allowed in a host",
        "http://exa mple.org/x              | ' ' is not allowed; letters, digits, '-', '_' and '.' only",
        "http://exa*mple.org/x              | '*' is not allowed",
        "http://exa!mple.org/x              | '!' is not allowed",
        "http://-bad.example/x              | is not a valid host name",
        "http://mirror.example.org:0/x      | the port in 'http://mirror.example.org:0/x' must be a number from 1 to "
                + "65535",
        "http://mirror.example.org:65536/x  | must be a number from 1 to 65535",
        "http://mirror.example.org:/x       | must be a number from 1 to 65535",
        "http://mirror.example.org:+80/x    | must be a number from 1 to 65535",
        "http://mirror.example.org:0x50/x   | must be a number from 1 to 65535",
        "http://mirror.example.org:080080/x | must be a number from 1 to 65535",
        "http://::1/x                       | an IPv6 address must be in brackets",
        "http://[::1/x                      | has no closing ']'",
        "http://[::1]x/x                    | expected ':port' after ']'",
        "http://[fe80::1%25eth0]/x          | has a zone id (%...)",
        "http://[fe80::1%eth0]/x            | has a zone id (%...)",
        "http://[mirror.example.org]/x      | is not an IPv6 address",
        "http://[::1::2]/x                  | is not an IPv6 address",
        "http://0177.0.0.1/x                | '0177.0.0.1' is not a canonical IPv4 address: octal, hex, shortened "
                + "and integer forms are refused; write dotted decimal such as 127.0.0.1",
        "http://0x7f.0.0.1/x                | '0x7f.0.0.1' is not a canonical IPv4 address",
        "http://0X7F000001/x                | '0X7F000001' is not a canonical IPv4 address",
        "http://2130706433/x                | '2130706433' is not a canonical IPv4 address",
        "http://127.1/x                     | '127.1' is not a canonical IPv4 address",
        "http://127.0.1/x                   | '127.0.1' is not a canonical IPv4 address",
        "http://127.0.0.01/x                | '127.0.0.01' is not a canonical IPv4 address",
        "http://1.2.3.0x4/x                 | '1.2.3.0x4' is not a canonical IPv4 address",
        "http://256.0.0.1/x                 | '256.0.0.1' is not a canonical IPv4 address",
        "http://1.2.3.4.5/x                 | '1.2.3.4.5' is not a canonical IPv4 address",
        "http://127.0.0.1./x                | '127.0.0.1.' is not a canonical IPv4 address",
        "http://example.0x/x                | 'example.0x' is not a canonical IPv4 address",
        "http://example.123/x               | 'example.123' is not a canonical IPv4 address",
        "http://０１７７.0.0.1/x              | is not a canonical IPv4 address",
        "http://0177。0。0。1/x              | is not a canonical IPv4 address",
    })
    void badAbsoluteTargetsAreRefusedWithAReason(String target, String reason) {
        assertThatThrownBy(() -> ForwardTargets.absolute(target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mirror.example.org:443      | mirror.example.org    | 443",
        "Mirror.Example.ORG.:8443    | mirror.example.org    | 8443",
        "10.0.0.1:22                 | 10.0.0.1              | 22",
        "[2001:db8::1]:443           | 2001:db8::1           | 443",
        "bücher.example:443          | xn--bcher-kva.example | 443",
    })
    void goodConnectTargets(String target, String host, int port) {
        assertThat(ForwardTargets.connect(target)).isEqualTo(https(host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                   | the CONNECT target is empty",
        "mirror.example.org                   | has no port; a CONNECT target is host:port",
        "[::1]                                | has no port",
        "https://mirror.example.org:443       | without scheme, path or query",
        "mirror.example.org:443/              | without scheme, path or query",
        "mirror.example.org:443?x             | without scheme, path or query",
        "mirror.example.org:443#x             | without scheme, path or query",
        "user@mirror.example.org:443          | carries credentials (user@)",
        "mirror.example.org:0                 | must be a number from 1 to 65535",
        "mirror.example.org:https             | must be a number from 1 to 65535",
        ":443                                 | has no host",
        "0x7f.0.0.1:443                       | is not a canonical IPv4 address",
        "[fe80::1%eth0]:443                   | has a zone id",
    })
    void badConnectTargetsAreRefusedWithAReason(String target, String reason) {
        assertThatThrownBy(() -> ForwardTargets.connect(target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mirror.example.org       | http  | 80",
        "Mirror.Example.ORG.      | http  | 80",
        "mirror.example.org:80    | http  | 80",
        "mirror.example.org:8080  | http  | 8080",
        "mirror.example.org       | https | 443",
        "mirror.example.org:443   | https | 443",
        "' mirror.example.org '   | http  | 80",
    })
    void aHostHeaderThatNamesTheDestinationAgrees(String header, String scheme, int port) {
        assertThat(ForwardTargets.hostDisagreement(header,
                new Destination(Listener.FORWARD, scheme, "mirror.example.org", port))).isNull();
    }

    @Test
    void aHostHeaderThatNamesAnotherHostOrPortDisagrees() {
        assertThat(ForwardTargets.hostDisagreement("evil.example", http("mirror.example.org", 80))).isEqualTo(
                "the Host header names evil.example:80 but the request goes to mirror.example.org:80; send Host: "
                        + "mirror.example.org (or leave Host out and let the proxy set it)");
        assertThat(ForwardTargets.hostDisagreement("mirror.example.org", http("mirror.example.org", 8080)))
                .isEqualTo("the Host header names mirror.example.org:80 but the request goes to "
                        + "mirror.example.org:8080; send Host: mirror.example.org:8080 (or leave Host out and let the "
                        + "proxy set it)");
        assertThat(ForwardTargets.hostDisagreement("mirror.example.org:443", http("mirror.example.org", 80)))
                .contains("names mirror.example.org:443");
        assertThat(ForwardTargets.hostDisagreement("[::2]", http("::1", 80))).contains("names [::2]:80")
                .contains("send Host: [::1]");
        assertThat(ForwardTargets.hostDisagreement("0x7f.0.0.1", http("127.0.0.1", 80)))
                .startsWith("the Host header '0x7f.0.0.1' is not a valid host[:port]: '0x7f.0.0.1' is not a "
                        + "canonical IPv4 address");
        assertThat(ForwardTargets.hostDisagreement("", http("mirror.example.org", 80))).contains("has no host");
        assertThat(ForwardTargets.hostDisagreement(null, http("mirror.example.org", 80))).isNull();
    }

    @Test
    void authorityLeavesOutTheDefaultPortAndBracketsIpv6() {
        assertThat(ForwardTargets.authority(http("mirror.example.org", 80))).isEqualTo("mirror.example.org");
        assertThat(ForwardTargets.authority(http("mirror.example.org", 443))).isEqualTo("mirror.example.org:443");
        assertThat(ForwardTargets.authority(https("mirror.example.org", 443))).isEqualTo("mirror.example.org");
        assertThat(ForwardTargets.authority(https("mirror.example.org", 80))).isEqualTo("mirror.example.org:80");
        assertThat(ForwardTargets.authority(http("::1", 80))).isEqualTo("[::1]");
        assertThat(ForwardTargets.authority(http("::1", 8080))).isEqualTo("[::1]:8080");
    }

    @Test
    void theAuthorityOfAnAbsoluteTargetIsAHostHeaderThatAgrees() {
        for (String target : new String[] {"http://a.example/", "http://a.example:81/", "http://[::1]:80/x"}) {
            Destination destination = ForwardTargets.absolute(target).destination();
            assertThat(ForwardTargets.hostDisagreement(ForwardTargets.authority(destination), destination))
                    .as(target).isNull();
        }
    }
}
