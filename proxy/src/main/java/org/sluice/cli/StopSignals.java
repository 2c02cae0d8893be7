package org.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT handlers that ask for a graceful stop. Handling the signals ourselves (rather than only
 * with a shutdown hook) lets the process exit 0 after draining instead of 143/130. Closing restores the
 * previous handlers. sun.misc.Signal (module jdk.unsupported) is the JDK's only API for this; javac warns.
 */
final class StopSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> NAMES = List.of("TERM", "INT");

    private final List<Installed> installed;

    private StopSignals(List<Installed> installed) {
        this.installed = installed;
    }

    /** {@code onSignal} receives the signal name without "SIG" ("TERM", "INT") on the JVM's signal thread. */
    static StopSignals install(Consumer<String> onSignal) {
        List<Installed> installed = new ArrayList<>();
        for (String name : NAMES) {
            try {
                installed.add(new Installed(name, handle(name, signal -> onSignal.accept(name))));
            } catch (IllegalArgumentException unavailable) {
                // Unknown on this platform or reserved by the JVM (-Xrs): the shutdown hook still drains.
                log.warn("cannot handle SIG{} ({}); it will still stop Sluice gracefully, with a non-zero exit code",
                        name, unavailable.getMessage());
            }
        }
        return new StopSignals(List.copyOf(installed));
    }

    @Override
    public void close() {
        for (Installed each : installed) {
            handle(each.name(), each.previous());
        }
    }

    /** Returns the handler that was in place before. */
    private static sun.misc.SignalHandler handle(String name, sun.misc.SignalHandler handler) {
        return sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
    }

    private record Installed(String name, sun.misc.SignalHandler previous) { }
}
