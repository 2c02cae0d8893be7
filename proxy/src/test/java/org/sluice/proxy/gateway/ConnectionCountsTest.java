package org.sluice.proxy.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sluice.policy.config.ConnectionCaps;

class ConnectionCountsTest {

    @Test
    void theConnectionOneOverEachCapIsNamedAndTheOneAtItIsNot() {
        ConnectionCounts counts = new ConnectionCounts(new ConnectionCaps(3, 2));

        assertThat(counts.opened("10.0.0.1")).isNull();
        assertThat(counts.opened("10.0.0.1")).isNull();
        assertThat(counts.opened("10.0.0.1")).isEqualTo(ConnectionCounts.Cap.MAX_CONNECTIONS_PER_CLIENT);
        assertThat(counts.opened("10.0.0.2")).isEqualTo(ConnectionCounts.Cap.MAX_CONNECTIONS);
        assertThat(counts.opened(null)).isEqualTo(ConnectionCounts.Cap.MAX_CONNECTIONS);

        counts.closed("10.0.0.1");
        counts.closed("10.0.0.2");
        counts.closed(null);
        assertThat(counts.total()).isEqualTo(2);
        assertThat(counts.opened("10.0.0.2")).isNull();
    }

    @Test
    void concurrentOpensAndClosesFromManyThreadsLeaveNothingBehind() throws Exception {
        ConnectionCounts counts = new ConnectionCounts(new ConnectionCaps(1_000_000, 1_000_000));
        int threads = 4;
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < rounds; i++) {
                        // Few addresses, shared by every thread: entries are created and removed under contention.
                        String client = "10.0.0." + ((i + thread) % 3);
                        counts.opened(client);
                        counts.closed(client);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(counts.total()).isZero();
        assertThat(counts.clients()).isZero();
    }
}
