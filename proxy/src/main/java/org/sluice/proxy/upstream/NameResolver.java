package org.sluice.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.List;

/** Resolves a host name (in normal form) or IP literal to all its addresses, without blocking; completes on loop. */
@FunctionalInterface
public interface NameResolver {
    Future<List<InetAddress>> resolve(EventLoop loop, String host);
}
