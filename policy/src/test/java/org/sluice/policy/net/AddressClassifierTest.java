package org.sluice.policy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassifierTest {

    /** The address as written, IPv6 forms kept as IPv6 (the JDK would turn ::ffff:a.b.c.d into IPv4). */
    static InetAddress ip(String literal) {
        byte[] bytes = Cidr.literal(literal);
        assertThat(bytes).as("literal %s", literal).isNotNull();
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Every range: its first and last address, and the neighbours just outside it. */
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "0.0.0.0, unspecified", "0.255.255.255, unspecified", "1.0.0.0, public",
            "9.255.255.255, public", "10.0.0.0, private", "10.255.255.255, private", "11.0.0.0, public",
            "100.63.255.255, public", "100.64.0.0, shared", "100.127.255.255, shared", "100.128.0.0, public",
            "126.255.255.255, public", "127.0.0.0, loopback", "127.0.0.1, loopback", "127.255.255.255, loopback",
            "128.0.0.0, public",
            "169.253.255.255, public", "169.254.0.0, link-local", "169.254.169.254, link-local",
            "169.254.255.255, link-local", "169.255.0.0, public",
            "172.15.255.255, public", "172.16.0.0, private", "172.31.255.255, private", "172.32.0.0, public",
            "191.255.255.255, public", "192.0.0.0, special-purpose", "192.0.0.255, special-purpose",
            "192.0.1.0, public", "192.0.2.0, documentation", "192.0.2.255, documentation", "192.0.3.0, public",
            "192.88.98.255, public", "192.88.99.0, special-purpose", "192.88.99.255, special-purpose",
            "192.88.100.0, public",
            "192.167.255.255, public", "192.168.0.0, private", "192.168.255.255, private", "192.169.0.0, public",
            "198.17.255.255, public", "198.18.0.0, benchmarking", "198.19.255.255, benchmarking",
            "198.20.0.0, public",
            "198.51.99.255, public", "198.51.100.0, documentation", "198.51.100.255, documentation",
            "198.51.101.0, public",
            "203.0.112.255, public", "203.0.113.0, documentation", "203.0.113.255, documentation",
            "203.0.114.0, public",
            "223.255.255.255, public", "224.0.0.0, multicast", "239.255.255.255, multicast",
            "240.0.0.0, reserved", "255.255.255.254, reserved", "255.255.255.255, broadcast",
            "8.8.8.8, public", "93.184.215.14, public",
            // IPv6
            "::, unspecified", "::1, loopback", "::2, unspecified",
            "64:ff9b:1::, special-purpose", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff, special-purpose",
            "64:ff9b:2::, reserved",
            "100::, special-purpose", "100::ffff:ffff:ffff:ffff, special-purpose", "100:0:0:1::, reserved",
            "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, reserved", "2000::, public",
            "2001::, teredo", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff, teredo",
            "2001:1::1, special-purpose", "2001:2::, benchmarking", "2001:2:0:ffff:ffff:ffff:ffff:ffff, benchmarking",
            "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff, special-purpose", "2001:200::, public",
            "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff, public", "2001:db8::, documentation",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, documentation", "2001:db9::, public",
            "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff, public", "3fff::, documentation",
            "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff, documentation", "3fff:1000::, public",
            "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, public", "4000::, reserved",
            "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, reserved", "fc00::, unique-local",
            "fd00:ec2::254, unique-local", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, unique-local",
            "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff, reserved", "fe80::, link-local",
            "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff, link-local", "fec0::, site-local",
            "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, site-local", "ff00::, multicast",
            "ff02::1, multicast", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, multicast",
            "2606:4700::6810:84e5, public",
            // IPv6 forms that carry an IPv4 address
            "::ffff:127.0.0.1, loopback", "::ffff:169.254.169.254, link-local", "::ffff:8.8.8.8, public",
            "::127.0.0.1, loopback", "::10.1.2.3, private", "::8.8.8.8, public",
            "64:ff9b::a9fe:a9fe, link-local", "64:ff9b::7f00:1, loopback", "64:ff9b::808:808, public",
            "64:ff9b::1:0:0, reserved",
            "2002:a9fe:a9fe::1, link-local", "2002:7f00:1::, loopback", "2002:c0a8:101:1::1, private",
            "2002:0808:0808::1, public", "2002:e000:1::, multicast",
    })
    void classifiesEachRangeAtItsBoundaries(String address, String category) {
        AddressClass result = AddressClassifier.DENY_PRIVATE.classify(ip(address));
        assertThat(result.category().label()).as(result.reason()).isEqualTo(category);
        assertThat(result.allowed()).isEqualTo(category.equals("public"));
        assertThat(result.allowedBy()).isNull();
    }

    @Test
    void theMetadataServiceIsNamedInTheReason() {
        assertThat(AddressClassifier.DENY_PRIVATE.classify(ip("169.254.169.254")).reason())
                .isEqualTo("169.254.169.254 is the cloud metadata service, a link-local address (169.254.169.254/32)");
        assertThat(AddressClassifier.DENY_PRIVATE.classify(ip("64:ff9b::a9fe:a9fe")).reason())
                .isEqualTo("64:ff9b::a9fe:a9fe is a NAT64 address carrying 169.254.169.254 is the cloud metadata "
                        + "service, a link-local address (169.254.169.254/32)");
    }

    @Test
    void theJdkIpv4MappedAndThePlainIpv4AreTheSame() throws UnknownHostException {
        InetAddress mappedByJdk = InetAddress.getByName("::ffff:10.0.0.1");
        assertThat(AddressClassifier.DENY_PRIVATE.classify(mappedByJdk).category()).isEqualTo(AddressCategory.PRIVATE);
    }

    @Test
    void allowPrivateAdmitsExactlyItsBlock() {
        AddressClassifier classifier = new AddressClassifier(List.of(Cidr.parse("10.1.2.0/24"),
                Cidr.parse("127.0.0.2/32"), Cidr.parse("fd00::/8")));

        AddressClass inside = classifier.classify(ip("10.1.2.255"));
        assertThat(inside.allowed()).isTrue();
        assertThat(inside.category()).isEqualTo(AddressCategory.PRIVATE);
        assertThat(inside.allowedBy()).isEqualTo(Cidr.parse("10.1.2.0/24"));
        assertThat(inside.reason()).endsWith("; admitted by allowPrivate 10.1.2.0/24");
        assertThat(classifier.classify(ip("10.1.2.0")).allowed()).isTrue();
        assertThat(classifier.classify(ip("10.1.3.0")).allowed()).isFalse();
        assertThat(classifier.classify(ip("10.1.1.255")).allowed()).isFalse();

        assertThat(classifier.classify(ip("127.0.0.2")).allowed()).isTrue();
        assertThat(classifier.classify(ip("127.0.0.1")).allowed()).isFalse();
        assertThat(classifier.classify(ip("127.0.0.3")).allowed()).isFalse();
        assertThat(classifier.classify(ip("::ffff:127.0.0.2")).allowed()).isTrue();

        assertThat(classifier.classify(ip("fd12::1")).allowedBy()).isEqualTo(Cidr.parse("fd00::/8"));
        assertThat(classifier.classify(ip("fc00::1")).allowed()).isFalse();
        // An IPv4 block does not admit the IPv6 forms that merely carry its addresses through a tunnel.
        assertThat(classifier.classify(ip("2002:a01:203::1")).allowed()).isFalse();
        assertThat(classifier.classify(ip("64:ff9b::a01:203")).allowed()).isFalse();
    }

    @Test
    void allowPrivateDoesNotChangeAPublicAddress() {
        AddressClassifier everything = new AddressClassifier(List.of(Cidr.parse("0.0.0.0/0")));
        AddressClass result = everything.classify(ip("8.8.8.8"));
        assertThat(result.allowed()).isTrue();
        assertThat(result.allowedBy()).isNull();
        assertThat(result.reason()).isEqualTo("8.8.8.8 is a public address");
    }

    @Test
    void theFirstMatchingAllowPrivateEntryIsReported() {
        AddressClassifier classifier = new AddressClassifier(List.of(Cidr.parse("127.0.0.1/32"),
                Cidr.parse("127.0.0.0/8")));
        assertThat(classifier.classify(ip("127.0.0.1")).allowedBy()).isEqualTo(Cidr.parse("127.0.0.1/32"));
        assertThat(classifier.classify(ip("127.0.0.5")).allowedBy()).isEqualTo(Cidr.parse("127.0.0.0/8"));
    }
}
