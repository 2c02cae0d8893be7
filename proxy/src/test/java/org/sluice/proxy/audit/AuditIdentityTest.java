package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AuditIdentityTest {

    private final AtomicInteger hostNameAsked = new AtomicInteger();

    private Supplier<String> host(String name) {
        return () -> {
            hostNameAsked.incrementAndGet();
            return name;
        };
    }

    @Test
    void theConfigWinsOverTheEnvironmentAndTheHostName() {
        AuditIdentity id = AuditIdentity.resolve("job-cfg", "node-cfg",
                Map.of("SLUICE_JOB_ID", "job-env", "SLUICE_NODE_ID", "node-env"), host("host"));

        assertThat(id).isEqualTo(new AuditIdentity("job-cfg", "node-cfg"));
        assertThat(hostNameAsked).hasValue(0);
    }

    @Test
    void theEnvironmentWinsOverTheHostName() {
        AuditIdentity id = AuditIdentity.resolve(null, null,
                Map.of("SLUICE_JOB_ID", " job-env ", "SLUICE_NODE_ID", "node-env"), host("host"));

        assertThat(id).isEqualTo(new AuditIdentity("job-env", "node-env"));
        assertThat(hostNameAsked).hasValue(0);
    }

    @Test
    void withoutEitherTheJobIsNullAndTheNodeIsTheHostName() {
        assertThat(AuditIdentity.resolve(null, null, Map.of(), host("pod-7f9c")))
                .isEqualTo(new AuditIdentity(null, "pod-7f9c"));
        assertThat(AuditIdentity.resolve(null, null, Map.of("SLUICE_JOB_ID", "", "SLUICE_NODE_ID", "  "),
                host("pod-7f9c"))).isEqualTo(new AuditIdentity(null, "pod-7f9c"));
    }

    @Test
    void withoutAHostNameTheNodeIsUnknown() {
        assertThat(AuditIdentity.resolve(null, null, Map.of(), host(null)).node()).isEqualTo("unknown-node");
        assertThat(AuditIdentity.resolve(null, null, Map.of(), host(" ")).node()).isEqualTo("unknown-node");
    }

    @Test
    void theConfiguredJobAloneStillTakesTheNodeFromTheEnvironment() {
        assertThat(AuditIdentity.resolve("job-cfg", null, Map.of("SLUICE_NODE_ID", "node-env"), host("host")))
                .isEqualTo(new AuditIdentity("job-cfg", "node-env"));
    }
}
