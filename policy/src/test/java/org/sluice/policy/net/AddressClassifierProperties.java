package org.sluice.policy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class AddressClassifierProperties {

    /** Addresses biased towards the denied ranges, so most tries land near a boundary that matters. */
    @Provide
    Arbitrary<byte[]> ipv4() {
        Arbitrary<byte[]> anywhere = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<byte[]> nearSpecial = Arbitraries.of(0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 239, 240, 255)
                .flatMap(first -> Arbitraries.bytes().array(byte[].class).ofSize(3).map(rest ->
                        new byte[] {(byte) (int) first, rest[0], rest[1], rest[2]}));
        return Arbitraries.oneOf(anywhere, nearSpecial);
    }

    @Property
    void anIpv4MappedAddressIsJudgedAsItsIpv4(@ForAll("ipv4") byte[] ipv4,
                                              @ForAll("blocks") List<Cidr> allowPrivate) throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, mapped, 12, 4);
        AddressClassifier classifier = new AddressClassifier(allowPrivate);

        AddressClass plain = classifier.classify(InetAddress.getByAddress(ipv4));
        AddressClass viaIpv6 = classifier.classify(Inet6Address.getByAddress(null, mapped, -1));

        assertThat(viaIpv6.category()).isEqualTo(plain.category());
        assertThat(viaIpv6.allowed()).isEqualTo(plain.allowed());
        assertThat(viaIpv6.allowedBy()).isEqualTo(plain.allowedBy());
    }

    @Provide
    Arbitrary<List<Cidr>> blocks() {
        return Arbitraries.of("127.0.0.0/8", "10.0.0.0/8", "10.20.0.0/16", "169.254.169.254/32", "192.168.1.0/24",
                "fd00::/8").list().ofMaxSize(2).map(texts -> texts.stream().map(Cidr::parse).toList());
    }

    /**
     * A random block inside the private 10.0.0.0/8 or fd00::/8 (every address there is denied by default): an
     * address inside the block is admitted by exactly that block, one outside it is not.
     */
    @Property
    void allowPrivateAdmitsInsideAndNothingOutside(@ForAll boolean ipv6,
                                                   @ForAll @Size(16) byte[] seed,
                                                   @ForAll @Size(16) byte[] other,
                                                   @ForAll @IntRange(min = 8, max = 128) int prefixSeed) {
        int length = ipv6 ? 16 : 4;
        int prefix = ipv6 ? Math.max(8, prefixSeed) : 8 + prefixSeed % 25;
        byte[] network = java.util.Arrays.copyOf(seed, length);
        network[0] = ipv6 ? (byte) 0xfd : 10;
        Cidr block = Cidr.parse(AddressText.format(masked(network, prefix)) + "/" + prefix);
        AddressClassifier classifier = new AddressClassifier(List.of(block));

        byte[] inside = java.util.Arrays.copyOf(other, length);
        for (int bit = 0; bit < prefix; bit++) {
            setBit(inside, bit, bit(network, bit));
        }
        AddressClass admitted = classifier.classify(address(inside));
        assertThat(admitted.allowed()).as(admitted.reason()).isTrue();
        assertThat(admitted.allowedBy()).isEqualTo(block);

        if (prefix > 8) { // flip one prefix bit after the first byte: still private, now outside the block
            byte[] outside = inside.clone();
            int flip = 8 + Math.floorMod(other[0], prefix - 8);
            setBit(outside, flip, !bit(outside, flip));
            AddressClass refused = classifier.classify(address(outside));
            assertThat(refused.allowed()).as(refused.reason()).isFalse();
            assertThat(refused.allowedBy()).isNull();
        }
    }

    private static byte[] masked(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            setBit(out, bit, false);
        }
        return out;
    }

    private static boolean bit(byte[] bytes, int bit) {
        return (bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0;
    }

    private static void setBit(byte[] bytes, int bit, boolean on) {
        int mask = 0x80 >>> (bit % 8);
        bytes[bit / 8] = (byte) (on ? bytes[bit / 8] | mask : bytes[bit / 8] & ~mask);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
