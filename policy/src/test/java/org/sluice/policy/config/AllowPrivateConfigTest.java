package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sluice.policy.Policy;
import org.sluice.policy.net.AddressCategory;
import org.sluice.policy.net.AddressClassifier;
import org.sluice.policy.net.Cidr;

class AllowPrivateConfigTest {

    private static final Path FILE = Path.of("gw.yaml");
    private static final String BASE = """
            version: 1
            gateway: {listen: 127.0.0.1:0, upstream: http://central.example.org}
            audit: {path: audit.jsonl}
            """;

    @Test
    void absentMeansNoneAndThePolicyDeniesEveryNonPublicAddress() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse(BASE, FILE);
        assertThat(config.allowPrivate()).isEmpty();
        assertThat(Policy.compile(config).addresses()).isSameAs(AddressClassifier.DENY_PRIVATE);
    }

    @Test
    void blocksAreReadInOrderAndCompiledIntoThePolicy() throws Exception {
        SluiceConfig config = ConfigLoader.parse(BASE + "allowPrivate: [10.20.0.0/16, \"fd00:1234::/32\"]\n", FILE);
        assertThat(config.allowPrivate()).containsExactly(Cidr.parse("10.20.0.0/16"), Cidr.parse("fd00:1234::/32"));

        AddressClassifier addresses = Policy.compile(config).addresses();
        assertThat(addresses.classify(InetAddress.getByName("10.20.3.4")).allowedBy())
                .isEqualTo(Cidr.parse("10.20.0.0/16"));
        assertThat(addresses.classify(InetAddress.getByName("10.21.0.1")).allowed()).isFalse();
        assertThat(addresses.classify(InetAddress.getByName("127.0.0.1")).category())
                .isEqualTo(AddressCategory.LOOPBACK);
    }

    @Test
    void eachBadBlockIsReportedAtItsOwnPosition() {
        assertThat(problems(BASE + """
                allowPrivate:
                  - 10.0.0.1/8
                  - 127.0.0.0/8
                  - central.internal/32
                  - 10.0.0.0/40
                """)).containsExactly(
                "gw.yaml:5:5: allowPrivate: '10.0.0.1/8' has bits set beyond the /8 prefix; "
                        + "the block is written 10.0.0.0/8",
                "gw.yaml:7:5: allowPrivate: 'central.internal' in 'central.internal/32' is not an IPv4 or IPv6 "
                        + "address literal (names are not accepted here)",
                "gw.yaml:8:5: allowPrivate: the prefix length '40' in '10.0.0.0/40' must be a whole number from 0 "
                        + "to 32");
    }

    @Test
    void notAListIsAProblemThatShowsAnExample() {
        assertThat(problems(BASE + "allowPrivate: 10.0.0.0/8\n")).containsExactly(
                "gw.yaml:4:15: allowPrivate: expected a list of strings, e.g. [10.20.0.0/16, \"fd00:1234::/32\"], "
                        + "got '10.0.0.0/8'");
    }

    private static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse(yaml, FILE);
        } catch (ConfigException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }
}
