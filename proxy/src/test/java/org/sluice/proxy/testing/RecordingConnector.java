package org.sluice.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sluice.proxy.upstream.Connector;

/**
 * Records every address Sluice's forward listener dials. Dials only addresses in 127.0.0.0/8 (the tests' own
 * servers); any other dial attempt is recorded and failed without a packet being sent, so a test that proves
 * "never dialled" cannot leak traffic off the machine even when the code under test is wrong.
 */
public final class RecordingConnector implements Connector {
    private final List<InetSocketAddress> attempts = new CopyOnWriteArrayList<>();

    @Override
    public ChannelFuture connect(Bootstrap bootstrap, InetSocketAddress checked) {
        attempts.add(checked);
        byte[] ip = checked.getAddress().getAddress();
        if (ip.length == 4 && ip[0] == 127) {
            return bootstrap.connect(checked);
        }
        return bootstrap.register().channel().newFailedFuture(
                new ConnectException("not dialled in tests: " + checked + " is outside 127.0.0.0/8"));
    }

    /** Every dial attempt so far, in order. */
    public List<InetSocketAddress> attempts() {
        return List.copyOf(attempts);
    }
}
