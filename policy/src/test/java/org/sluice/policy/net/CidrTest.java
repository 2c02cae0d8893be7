package org.sluice.policy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8, 8", "127.0.0.2/32, 127.0.0.2/32, 32", "0.0.0.0/0, 0.0.0.0/0, 0",
            "fd00::/8, fd00::/8, 8", "FD00:0:0::/8, fd00::/8, 8", "::1/128, ::1/128, 128", "::/0, ::/0, 0",
            "2001:db8:0:0:1:0:0:0/80, 2001:db8:0:0:1::/80, 80", "2001:0:0:1::/64, 2001:0:0:1::/64, 64",
            "1:0:0:2:0:0:0:0/64, 1:0:0:2::/64, 64", "64:ff9b::/96, 64:ff9b::/96, 96",
    })
    void parsesAndPrintsTheCanonicalForm(String text, String canonical, int prefix) {
        Cidr cidr = Cidr.parse(text);
        assertThat(cidr).hasToString(canonical);
        assertThat(cidr.prefix()).isEqualTo(prefix);
        assertThat(Cidr.parse(canonical)).isEqualTo(cidr);
    }

    @Test
    void bitsBeyondThePrefixNameTheCanonicalForm() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'10.0.0.1/8' has bits set beyond the /8 prefix; the block is written 10.0.0.0/8");
        assertThatThrownBy(() -> Cidr.parse("172.16.0.0/11"))
                .hasMessageEndingWith("the block is written 172.0.0.0/11");
        assertThatThrownBy(() -> Cidr.parse("fd00::1/8")).hasMessageEndingWith("the block is written fd00::/8");
        assertThatThrownBy(() -> Cidr.parse("127.0.0.1/31")).hasMessageEndingWith("the block is written 127.0.0.0/31");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0| is not a CIDR block; expected address/prefix",
            "10.0.0.0/33|the prefix length '33' in '10.0.0.0/33' must be a whole number from 0 to 32",
            "fd00::/129|must be a whole number from 0 to 128",
            "10.0.0.0/-1|the prefix length '-1'",
            "10.0.0.0/08|the prefix length '08'",
            "10.0.0.0/|the prefix length ''",
            "10.0.0/8|'10.0.0' in '10.0.0/8' is not an IPv4 or IPv6 address literal",
            "010.0.0.0/8|is not an IPv4 or IPv6 address literal",
            "256.0.0.0/8|is not an IPv4 or IPv6 address literal",
            "localhost/8|is not an IPv4 or IPv6 address literal (names are not accepted here)",
            "example.org/32|names are not accepted here",
            "fe80::1%eth0/128|is not an IPv4 or IPv6 address literal",
            "fd00:::/8|is not an IPv4 or IPv6 address literal",
            "/8|is not an IPv4 or IPv6 address literal",
            "::ffff:10.0.0.0/104|is an IPv4-mapped block; write it as the IPv4 block 10.0.0.0/8",
    })
    void refusesWithAClearReason(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void containsIsByFamilyAndPrefix() {
        Cidr block = Cidr.parse("172.16.0.0/12");
        assertThat(block.contains(AddressClassifierTest.ip("172.16.0.0"))).isTrue();
        assertThat(block.contains(AddressClassifierTest.ip("172.31.255.255"))).isTrue();
        assertThat(block.contains(AddressClassifierTest.ip("172.32.0.0"))).isFalse();
        assertThat(block.contains(AddressClassifierTest.ip("::ac10:0"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(AddressClassifierTest.ip("1.2.3.4"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(AddressClassifierTest.ip("255.255.255.255"))).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"127.0.0.1, 127.0.0.1/32", "fd00::7, fd00::7/128", "::ffff:10.1.2.3, 10.1.2.3/32", "::1, ::1/128"})
    void aSingleAddressBlockHoldsThatAddressAndNoOther(String address, String block) {
        Cidr single = Cidr.single(AddressClassifierTest.ip(address));
        assertThat(single).hasToString(block);
        assertThat(new AddressClassifier(java.util.List.of(single)).classify(AddressClassifierTest.ip(address))
                .allowed()).isTrue();
        assertThat(single.contains(AddressClassifierTest.ip(address.contains(":") && !address.contains(".")
                ? "fd00::8" : "127.0.0.2"))).isFalse();
    }
}
