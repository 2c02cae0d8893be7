package org.sluice.proxy.reload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.sluice.policy.config.SluiceConfig;

/**
 * The config keys a running Sluice cannot change: listeners are bound, upstream pools and the audit file are
 * open, and every client connection's HTTP decoder was built with the URL and header limits. Everything else
 * ({@code mode}, the body limits, {@code rules}, {@code allowPrivate}) is compiled into the policy and can be
 * swapped.
 */
final class RestartOnlySettings {

    private record Key(String name, Function<SluiceConfig, Object> value) { }

    private static final List<Key> KEYS = List.of(
            new Key("gateway.listen", c -> c.gateway().listen()),
            new Key("gateway.upstream", c -> c.gateway().upstream()),
            new Key("gateway.timeouts.connect", c -> c.gateway().timeouts().connect()),
            new Key("gateway.timeouts.response", c -> c.gateway().timeouts().response()),
            new Key("gateway.timeouts.idle", c -> c.gateway().timeouts().idle()),
            new Key("gateway.timeouts.shutdownGrace", c -> c.gateway().timeouts().shutdownGrace()),
            new Key("gateway.timeouts.requestHeader", c -> c.gateway().timeouts().requestHeader()),
            new Key("gateway.timeouts.minBodyRate", c -> c.gateway().timeouts().minBodyRate()),
            new Key("gateway.maxConnections", c -> c.gateway().caps().maxConnections()),
            new Key("gateway.maxConnectionsPerClient", c -> c.gateway().caps().maxConnectionsPerClient()),
            new Key("forward", SluiceConfig::forward),
            new Key("admin", SluiceConfig::admin),
            new Key("limits.maxUrlBytes", c -> c.limits().maxUrlBytes()),
            new Key("limits.maxHeaderBytes", c -> c.limits().maxHeaderBytes()),
            new Key("audit.path", c -> c.audit().path()),
            new Key("audit.job", c -> c.audit().job()),
            new Key("audit.node", c -> c.audit().node()),
            new Key("audit.fsync", c -> c.audit().fsync()),
            new Key("audit.fsyncInterval", c -> c.audit().fsyncInterval()),
            new Key("audit.onFailure", c -> c.audit().onFailure()),
            new Key("audit.stdout", c -> c.audit().stdout()),
            new Key("audit.query", c -> c.audit().query()),
            new Key("audit.rotate", c -> c.audit().rotate()),
            new Key("audit.checkpoint", c -> c.audit().checkpoint()),
            new Key("audit.signing.keyFile", c -> c.audit().signingKeyFile()));

    private RestartOnlySettings() {}

    /**
     * The keys whose values differ between the running config and the new one, in the order of the documented
     * layout (gateway, forward, admin, limits, audit); empty if none.
     */
    static List<String> changed(SluiceConfig running, SluiceConfig next) {
        List<String> changed = new ArrayList<>();
        for (Key key : KEYS) {
            if (!Objects.equals(key.value().apply(running), key.value().apply(next))) {
                changed.add(key.name());
            }
        }
        return changed;
    }
}
