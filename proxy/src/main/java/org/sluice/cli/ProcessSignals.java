package org.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handlers for the signals {@code sluice run} answers: SIGTERM and SIGINT ask for a graceful stop, SIGHUP for a
 * policy reload (without a handler of ours, SIGHUP would end the JVM). Handling TERM and INT ourselves (rather
 * than only with a shutdown hook) lets the process exit 0 after draining instead of 143/130. Closing restores
 * the previous handlers. sun.misc.Signal (module jdk.unsupported) is the JDK's only API for this; javac warns.
 */
final class ProcessSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessSignals.class);
    private static final List<String> NAMES = List.of("TERM", "INT", "HUP");

    private final List<Installed> installed;

    private ProcessSignals(List<Installed> installed) {
        this.installed = installed;
    }

    /** {@code onSignal} receives the signal name without "SIG" ("TERM", "INT", "HUP") on the JVM's signal thread. */
    static ProcessSignals install(Consumer<String> onSignal) {
        List<Installed> installed = new ArrayList<>();
        for (String name : NAMES) {
            try {
                sun.misc.SignalHandler previous = handle(name, signal -> onSignal.accept(name));
                installed.add(new Installed(name, previous));
                if ("HUP".equals(name) && previous == sun.misc.SignalHandler.SIG_IGN) {
                    // The JVM leaves a signal that was ignored at start (nohup) ignored.
                    log.warn("SIGHUP is ignored in this process (started with nohup?), so it cannot reload the "
                            + "policy; the config file watch still does (unless --no-watch)");
                }
            } catch (IllegalArgumentException unavailable) {
                // Unknown on this platform or reserved by the JVM (-Xrs).
                log.warn("cannot handle SIG{} ({}); {}", name, unavailable.getMessage(), "HUP".equals(name)
                        ? "the config file watch still reloads the policy (unless --no-watch)"
                        : "it will still stop Sluice gracefully, with a non-zero exit code");
            }
        }
        return new ProcessSignals(List.copyOf(installed));
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
