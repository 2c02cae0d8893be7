package org.sluice.proxy.reload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.sluice.policy.config.GatewayConfig;
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
            new Key("gateway", c -> c.gateway() == null ? "none" : "present"),
            gateway("gateway.listen", g -> g.listen()),
            gateway("gateway.upstream", g -> g.upstream()),
            gateway("gateway.timeouts.connect", g -> g.timeouts().connect()),
            gateway("gateway.timeouts.response", g -> g.timeouts().response()),
            gateway("gateway.timeouts.idle", g -> g.timeouts().idle()),
            gateway("gateway.timeouts.shutdownGrace", g -> g.timeouts().shutdownGrace()),
            gateway("gateway.timeouts.requestHeader", g -> g.timeouts().requestHeader()),
            gateway("gateway.timeouts.minBodyRate", g -> g.timeouts().minBodyRate()),
            gateway("gateway.maxConnections", g -> g.caps().maxConnections()),
            gateway("gateway.maxConnectionsPerClient", g -> g.caps().maxConnectionsPerClient()),
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

    /** A gateway key; null without a gateway, where the "gateway" key itself says whether there is one. */
    private static Key gateway(String name, Function<GatewayConfig, Object> value) {
        return new Key(name, c -> c.gateway() == null ? null : value.apply(c.gateway()));
    }

    /**
     * The keys whose values differ between the running config and the new one, in the order of the documented
     * layout (gateway, forward, admin, limits, audit); empty if none.
     */
    static List<String> changed(SluiceConfig running, SluiceConfig next) {
        List<String> changed = new ArrayList<>();
        for (Key key : KEYS) {
            boolean gatewayCameOrWent = (running.gateway() == null) != (next.gateway() == null);
            if (gatewayCameOrWent && key.name().startsWith("gateway.")) {
                continue; // "gateway" itself is listed
            }
            if (!Objects.equals(key.value().apply(running), key.value().apply(next))) {
                changed.add(key.name());
            }
        }
        return changed;
    }
}
