package org.sluice.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sluice.policy.Destination;
import org.sluice.policy.Listener;

class IdleConnectionsTest {
    private static final Destination MIRROR = new Destination(Listener.FORWARD, "http", "mirror.test", 80);
    private static final Destination OTHER = new Destination(Listener.FORWARD, "http", "other.test", 80);

    private final EmbeddedChannel loopOwner = new EmbeddedChannel();
    private final Set<Channel> refused = new HashSet<>();
    private final IdleConnections pool = new IdleConnections(loopOwner.eventLoop(), c -> !refused.contains(c));
    private final List<EmbeddedChannel> made = new ArrayList<>();

    private EmbeddedChannel connection(Destination destination) {
        EmbeddedChannel channel = new EmbeddedChannel();
        made.add(channel);
        pool.track(destination, channel);
        return channel;
    }

    @AfterEach
    void close() {
        made.forEach(EmbeddedChannel::finishAndReleaseAll);
        loopOwner.finishAndReleaseAll();
    }

    @Test
    void aConnectionServesOnlyItsOwnDestination() {
        EmbeddedChannel mirror = connection(MIRROR);
        pool.offer(MIRROR, mirror);

        assertThat(pool.poll(OTHER)).isNull();
        assertThat(pool.poll(MIRROR)).isSameAs(mirror);
        assertThat(pool.poll(MIRROR)).as("handed out once").isNull();
    }

    @Test
    void aConnectionThePolicyNoLongerAllowsIsClosedNotReused() {
        EmbeddedChannel mirror = connection(MIRROR);
        pool.offer(MIRROR, mirror);
        refused.add(mirror);

        assertThat(pool.poll(MIRROR)).isNull();
        assertThat(mirror.isOpen()).isFalse();
        assertThat(pool.size()).isZero();
    }

    @Test
    void aConnectionClosedWhileIdleLeavesThePool() {
        EmbeddedChannel mirror = connection(MIRROR);
        pool.offer(MIRROR, mirror);
        mirror.close();

        assertThat(pool.size()).isZero();
        assertThat(pool.poll(MIRROR)).isNull();
    }

    @Test
    void closingThePoolClosesEveryIdleConnection() {
        List<EmbeddedChannel> kept = List.of(connection(MIRROR), connection(MIRROR), connection(OTHER));
        kept.forEach(c -> pool.offer(c == kept.get(2) ? OTHER : MIRROR, c));

        pool.close();

        assertThat(kept).allSatisfy(c -> assertThat(c.isOpen()).isFalse());
        assertThat(pool.size()).isZero();
    }

    @Test
    void thePoolIsBoundedPerDestination() {
        List<EmbeddedChannel> kept = new ArrayList<>();
        for (int i = 0; i < IdleConnections.MAX_PER_DESTINATION + 3; i++) {
            EmbeddedChannel channel = connection(MIRROR);
            kept.add(channel);
            pool.offer(MIRROR, channel);
        }

        assertThat(pool.size()).isEqualTo(IdleConnections.MAX_PER_DESTINATION);
        assertThat(kept.subList(IdleConnections.MAX_PER_DESTINATION, kept.size()))
                .as("the ones over the bound are closed").allSatisfy(c -> assertThat(c.isOpen()).isFalse());
        assertThat(pool.poll(MIRROR)).as("most recently used first")
                .isSameAs(kept.get(IdleConnections.MAX_PER_DESTINATION - 1));
    }
}
